# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A service record names people and a sub-branch within the user's nodes,
at creation, when it is changed and again when it is confirmed."""

from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_ledger import DAY, TimebankLedgerCase


@tagged("post_install", "-at_install")
class TestServiceScope(TimebankLedgerCase):
    def assertNothingCreated(self, regex, exception=ValidationError, **kwargs):
        Record = self.env["timebank.service.record"]
        count = Record.search_count([])
        with self.assertRaisesRegex(exception, regex):
            with self.env.cr.savepoint():
                self._record(**kwargs)
        self.assertEqual(Record.search_count([]), count)

    def test_people_of_another_village_refused(self):
        # volunteer3 and recipient2 live in village 2, operator1 works in 1
        self.assertNothingCreated(
            "outside the part", volunteer=self.volunteer3, node_id=self.village1.id
        )
        # the record's node follows the volunteer's (the scope check or the
        # record rule refuses, whichever comes first: both are UserErrors)
        self.assertNothingCreated("", UserError, volunteer=self.volunteer3)
        self.assertNothingCreated("outside the part", recipient=self.recipient2)
        self.assertNothingCreated(
            "outside the part",
            volunteer=self.volunteer3,
            recipient=self.recipient2,
            node_id=self.village2.id,
        )

    def test_record_cannot_move_to_sibling_village(self):
        record = self._record()
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            with self.env.cr.savepoint():
                record.with_user(self.operator1).write({"node_id": self.village2.id})
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            with self.env.cr.savepoint():
                record.with_user(self.operator1).write(
                    {"recipient_id": self.recipient2.id}
                )
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            with self.env.cr.savepoint():
                record.with_user(self.operator1).write(
                    {"volunteer_id": self.volunteer3.id, "node_id": self.village1.id}
                )
        self.env.invalidate_all()
        self.assertEqual(record.node_id, self.village1)
        self.assertEqual(record.volunteer_id, self.volunteer1)

    def test_node_must_be_the_volunteers_or_the_recipients(self):
        # the district administrator may use any node, but not an unrelated one
        self.assertNothingCreated(
            "must be recorded in the sub-branch",
            user=self.tb_admin,
            node_id=self.village2.id,
        )
        self.assertNothingCreated(
            "must be recorded in the sub-branch",
            user=self.tb_admin,
            node_id=self.town.id,
        )
        # a station of another sub-branch
        station2 = self.env["timebank.node"].create(
            {
                "name": "S2",
                "code": "LS2",
                "kind": "station",
                "parent_id": self.village2.id,
            }
        )
        self.assertNothingCreated(
            "is not a station", user=self.tb_admin, station_id=station2.id
        )

    def test_supervisor_records_service_in_neighbouring_village(self):
        """A volunteer of village 1 serving an elderly person of village 2,
        recorded where the service was done, by the town supervisor."""
        record = self._record(
            user=self.supervisor, recipient=self.recipient2, node_id=self.village2.id
        )
        self.assertEqual(record.node_id, self.village2)
        record.action_submit()
        record.with_user(self.supervisor).action_confirm()
        self.assertEqual(record.state, "confirmed")
        # the operator of village 1 cannot record it in village 2
        self.assertNothingCreated(
            "outside the part",
            recipient=self.recipient2,
            node_id=self.village2.id,
            start=DAY + timedelta(hours=5),
        )

    def test_scope_checked_again_at_confirmation(self):
        record = self._record()
        record.with_user(self.operator1).action_submit()
        # the volunteer moved to village 2 meanwhile
        self.volunteer1.with_user(self.supervisor).node_id = self.village2
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            with self.env.cr.savepoint():
                record.with_user(self.operator1).action_confirm()
        self.env.invalidate_all()
        self.assertEqual(record.state, "submitted")
        self.assertFalse(self._lines(record))
        # the town supervisor, whose scope covers both villages, may confirm
        record.with_user(self.supervisor).action_confirm()
        self.assertEqual(record.state, "confirmed")
