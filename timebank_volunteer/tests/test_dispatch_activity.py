# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_dispatch import MONDAY, TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestDispatchActivity(TimebankDispatchCommon):
    def _activity(self, volunteers, recipients, user=None, **vals):
        values = {
            "name": "Mid-Autumn visit",
            "node_id": self.village1.id,
            "service_type_id": self.meal.id,
            "date_start": MONDAY,
            "date_end": MONDAY + timedelta(hours=3),
            "recipient_ids": [(6, 0, recipients.ids)],
            "attendance_ids": [(0, 0, {"volunteer_id": v.id}) for v in volunteers],
        }
        values.update(vals)
        return (
            self.env["timebank.activity"]
            .with_user(user or self.operator)
            .create(values)
        )

    def test_activity_produces_draft_records(self):
        vols = self.env["timebank.volunteer"].concat(
            *(self._volunteer(self.village1, name=f"Helper {i}") for i in range(3))
        )
        other = self._create_recipient(self.village1, name="Grandpa Qian")
        activity = self._activity(vols, self.recipient1 | other)
        lines = activity.attendance_ids
        self.assertEqual(lines.mapped("duration"), [3.0, 3.0, 3.0])
        lines[1].duration = 1.5
        lines[2].attended = False
        with self.assertRefused(UserError, "choose the recipient"):
            activity.action_create_records()
        activity.action_distribute_recipients()
        self.assertEqual(lines[0].recipient_id, self.recipient1)
        self.assertEqual(lines[1].recipient_id, other)
        self.assertFalse(lines[2].recipient_id, "absent: nobody served")
        activity.action_create_records()
        self.assertEqual(activity.state, "done")
        records = activity.record_ids
        self.assertEqual(len(records), 2)
        self.assertEqual(set(records.mapped("state")), {"draft"})
        self.assertEqual(records.volunteer_id, vols[:2])
        by_volunteer = {r.volunteer_id: r for r in records}
        self.assertAlmostEqual(by_volunteer[vols[0]].duration, 3.0)
        self.assertAlmostEqual(by_volunteer[vols[1]].duration, 1.5)
        self.assertEqual(by_volunteer[vols[1]].recipient_id, other)
        self.assertEqual(by_volunteer[vols[0]].date_start, MONDAY)
        self.assertEqual(lines[0].record_id, by_volunteer[vols[0]])
        self.assertEqual(records.activity_id, activity)
        with self.assertRefused(UserError, "already created"):
            activity.action_create_records()
        # the records follow the usual flow
        records.with_user(self.operator).action_submit()
        records.with_user(self.operator).action_confirm()
        self.assertAlmostEqual(vols[1].balance_unsettled, 1.5)
        self.env["timebank.service.record"]._cron_schedule_followups()
        self.assertEqual(len(records.followup_ids), 2)

    def test_single_recipient_and_bad_input(self):
        vol = self._volunteer(self.village1)
        activity = self._activity(vol, self.recipient1)
        with self.assertRefused(ValidationError, "at most the length"):
            activity.attendance_ids.duration = 4
        with self.assertRefused(ValidationError, "at most the length"):
            activity.attendance_ids.duration = 0
        activity.action_create_records()
        self.assertEqual(activity.record_ids.recipient_id, self.recipient1)
        with self.assertRefused(AccessError):
            self._activity(vol, self.recipient1, node_id=self.village2.id)
        with self.assertRaises(AccessError):
            activity.with_user(self.auditor).action_create_records()
        empty = self._activity(
            vol,
            self.recipient1,
            date_start=MONDAY + timedelta(days=1),
            date_end=MONDAY + timedelta(days=1, hours=2),
        )
        empty.attendance_ids.attended = False
        with self.assertRefused(UserError, "mark who attended"):
            empty.action_create_records()

    def test_activity_record_rules(self):
        vol = self._volunteer(self.village1)
        mine = self._activity(vol, self.recipient1)
        theirs = self._activity(
            self._volunteer(self.village2),
            self.recipient2,
            user=self.operator2,
            node_id=self.village2.id,
        )
        Activity = self.env["timebank.activity"]
        ids = (mine | theirs).ids
        self.assertEqual(
            Activity.with_user(self.operator).search([("id", "in", ids)]), mine
        )
        self.assertEqual(
            Activity.with_user(self.supervisor).search([("id", "in", ids)]),
            mine | theirs,
        )
        self.assertFalse(
            Activity.with_user(self.supervisor2).search([("id", "in", ids)])
        )
