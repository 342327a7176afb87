# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestServiceRecordTour(HttpCase):
    def test_service_record_tour(self):
        Node = self.env["timebank.node"]
        district = Node.create(
            {"name": "Tour District", "code": "TD", "kind": "district"}
        )
        town = Node.create(
            {
                "name": "Tour Town",
                "code": "TT",
                "kind": "town",
                "parent_id": district.id,
            }
        )
        village = Node.create(
            {
                "name": "Tour Village",
                "code": "TV",
                "kind": "village",
                "parent_id": town.id,
            }
        )
        operator = new_test_user(
            self.env,
            login="tb_tour_op",
            groups="timebank_volunteer.group_timebank_operator",
            tz="Asia/Shanghai",
        )
        operator.timebank_node_ids = village
        Partner = self.env["res.partner"]
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": Partner.create({"name": "Tour Volunteer"}).id,
                "node_id": village.id,
                "state": "active",
            }
        )
        self.env["timebank.recipient"].create(
            {
                "partner_id": Partner.create({"name": "Tour Grandma"}).id,
                "node_id": village.id,
            }
        )
        self.assertEqual(volunteer.balance_unsettled, 0.0)

        self.start_tour(
            "/odoo/action-timebank_volunteer.timebank_service_record_action",
            "timebank_service_record_tour",
            login="tb_tour_op",
        )

        record = self.env["timebank.service.record"].search(
            [("volunteer_id", "=", volunteer.id)]
        )
        self.assertEqual(len(record), 1)
        self.assertEqual(record.state, "confirmed")
        self.assertEqual(record.confirm_user_id, operator)
        self.assertAlmostEqual(record.duration, 2.0)
        self.assertAlmostEqual(record.weighted_hours, 4.0)
        volunteer.invalidate_recordset()
        self.assertAlmostEqual(volunteer.balance_unsettled, 4.0)
        line = volunteer.account_id.line_ids
        self.assertEqual(
            (line.res_id, line.hours, line.kind), (record.id, 4.0, "deposit")
        )
        self.assertTrue(volunteer.account_id._check_chain()["ok"])
