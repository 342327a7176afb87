# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDispatchTour(HttpCase):
    def test_dispatch_tour(self):
        Node = self.env["timebank.node"]
        district = Node.create(
            {"name": "Tour District", "code": "DD", "kind": "district"}
        )
        town = Node.create(
            {
                "name": "Tour Town",
                "code": "DT",
                "kind": "town",
                "parent_id": district.id,
            }
        )
        village = Node.create(
            {
                "name": "Tour Village",
                "code": "DV",
                "kind": "village",
                "parent_id": town.id,
            }
        )
        dispatcher = new_test_user(
            self.env,
            login="tb_tour_dispatcher",
            groups="timebank_volunteer.group_timebank_operator",
            tz="Asia/Shanghai",
        )
        dispatcher.timebank_node_ids = district
        Partner = self.env["res.partner"]
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": Partner.create({"name": "Tour Helper"}).id,
                "node_id": village.id,
                "state": "active",
                "wish_ids": [
                    (4, self.env.ref("timebank_volunteer.service_wish_meal").id)
                ],
            }
        )
        recipient = self.env["timebank.recipient"].create(
            {
                "partner_id": Partner.create({"name": "Tour Grandma"}).id,
                "node_id": village.id,
            }
        )
        request = self.env["timebank.service.request"].create(
            {
                "recipient_id": recipient.id,
                "service_type_id": self.env.ref(
                    "timebank_volunteer.service_type_meal_delivery"
                ).id,
                "date_start": datetime(2026, 3, 2, 3, 0),
                "date_end": datetime(2026, 3, 2, 4, 0),
            }
        )

        self.start_tour(
            "/odoo/action-timebank_volunteer.timebank_service_request_action",
            "timebank_dispatch_tour",
            login="tb_tour_dispatcher",
        )

        self.assertEqual(request.state, "done")
        self.assertEqual(request.volunteer_id, volunteer)
        self.assertEqual(request.dispatcher_id, dispatcher)
        self.assertEqual(request.record_id.state, "draft")
        self.assertEqual(request.record_id.request_id, request)
        self.assertAlmostEqual(request.record_id.duration, 1.0)
