# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_dispatch import MONDAY, TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestDispatchFollowup(TimebankDispatchCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.volunteer1 = cls._volunteer(cls.village1, cls.station1, name="Vol One")
        cls.volunteer3 = cls._volunteer(cls.village3, name="Vol Three")

    def test_followup_score_and_low_score_alert(self):
        record = self._confirmed_record(self.volunteer1, self.recipient1, MONDAY)
        followup = record.followup_ids.with_user(self.operator)
        self.assertEqual(followup.state, "todo")
        self.assertEqual(followup.town_id, self.town1)
        for score in (0 - 1, 6, 10):
            with self.assertRefused(ValidationError, "between 1 and 5"):
                followup.write({"reached": "reached", "score": score})
        with self.assertRefused(UserError, "say whether the recipient was reached"):
            followup.action_done()
        followup.reached = "reached"
        with self.assertRefused(UserError, "give the satisfaction score"):
            followup.action_done()
        with self.assertRefused(ValidationError, "not reached cannot give a score"):
            followup.write({"reached": "not_reached", "score": 3})
        followup.write({"score": 2, "comment": "Came late"})
        followup.action_done()
        self.assertTrue(followup.is_low_score)
        alerts = followup.sudo().activity_ids
        self.assertEqual(alerts.user_id, self.supervisor, "the branch supervisor")
        self.assertIn("Low satisfaction", alerts.summary)
        # a good score alerts nobody
        other = self._confirmed_record(
            self.volunteer1, self.recipient1, MONDAY + timedelta(days=1)
        ).followup_ids.with_user(self.operator)
        other.write({"reached": "reached", "score": 4})
        other.action_done()
        self.assertFalse(other.sudo().activity_ids)
        # not reached: done without a score
        third = self._confirmed_record(
            self.volunteer1, self.recipient1, MONDAY + timedelta(days=2)
        ).followup_ids.with_user(self.operator)
        third.reached = "not_reached"
        third.action_done()
        self.assertEqual(third.state, "done")
        self.assertEqual(self.volunteer1.followup_rating, 3.0)
        # figures per volunteer / node / type
        groups = self.env["timebank.followup"]._read_group(
            [("volunteer_id", "=", self.volunteer1.id), ("state", "=", "done")],
            ["node_id", "service_type_id"],
            ["score:avg"],
        )
        self.assertEqual(groups, [(self.village1, self.meal, 3.0)])

    def test_batch_confirm_creates_followups_in_one_go(self):
        records = self.env["timebank.service.record"].create(
            [
                {
                    "volunteer_id": self.volunteer1.id,
                    "recipient_id": self.recipient1.id,
                    "service_type_id": self.meal.id,
                    "date_start": MONDAY + timedelta(days=day),
                    "date_end": MONDAY + timedelta(days=day, hours=1),
                }
                for day in range(5)
            ]
        )
        records.action_submit()
        records.with_user(self.supervisor).action_confirm()
        self.assertFalse(records.followup_ids)
        self.env["timebank.service.record"]._cron_schedule_followups()
        self.assertFalse(any(records.mapped("followup_due")))
        # a second run creates nothing more
        self.env["timebank.service.record"]._cron_schedule_followups()
        followups = records.followup_ids
        self.assertEqual(len(followups), 5)
        self.assertEqual(followups.record_id, records)
        self.assertEqual(set(followups.mapped("user_id")), {self.supervisor})
        self.assertEqual(len(followups.sudo().activity_ids), 5)

    def test_followup_record_rules(self):
        fu1 = self._confirmed_record(
            self.volunteer1, self.recipient1, MONDAY
        ).followup_ids
        fu2 = self._confirmed_record(
            self._volunteer(self.village2), self.recipient2, MONDAY
        ).followup_ids
        fu3 = self._confirmed_record(
            self.volunteer3, self.recipient3, MONDAY
        ).followup_ids
        every = fu1 | fu2 | fu3
        Followup = self.env["timebank.followup"]
        expected = {
            self.operator: fu1,
            self.operator2: fu2,
            self.supervisor: fu1 | fu2,
            self.supervisor2: fu3,
            self.auditor: fu1 | fu2,
            self.dispatcher: every,
            self.admin: every,
        }
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                found = Followup.with_user(user).search([("id", "in", every.ids)])
                self.assertEqual(found, visible)
        with self.assertRaises(AccessError):
            fu2.with_user(self.operator).write({"reached": "reached"})
        with self.assertRaises(AccessError):
            fu3.with_user(self.supervisor).action_done()
        with self.assertRaises(AccessError):
            fu1.with_user(self.auditor).write({"reached": "reached"})

    # ------------------------------------------------------------------
    # sampling (R3)
    # ------------------------------------------------------------------

    def _served_population(self):
        """Recipients of town 1 and town 2 served in March 2026, one of them
        several times, one of town 2 by a volunteer of town 1."""
        town1 = self.env["timebank.recipient"].concat(
            *(
                self._create_recipient(node, name=f"T1 recipient {index}")
                for index, node in enumerate(
                    [self.village1, self.village2, self.social] * 3
                )
            )
        )
        town2 = self.recipient3 | self._create_recipient(self.village3, name="T2 b")
        volunteer2 = self._volunteer(self.village2)
        for index, recipient in enumerate(town1):
            volunteer = (self.volunteer1, volunteer2)[index % 2]
            self._confirmed_record(volunteer, recipient, MONDAY + timedelta(days=index))
        # served twice
        self._confirmed_record(
            volunteer2, town1[0], MONDAY + timedelta(days=12, hours=3)
        )
        # town 2's recipients, one of them served by a town 1 volunteer
        self._confirmed_record(self.volunteer1, town2[0], MONDAY + timedelta(days=14))
        self._confirmed_record(self.volunteer3, town2[1], MONDAY + timedelta(days=14))
        # served outside the period
        outside = self._create_recipient(self.village1, name="Served in May")
        self._confirmed_record(self.volunteer1, outside, MONDAY + timedelta(days=70))
        return town1, town2, outside

    def _sample(self, size, user=None, town=None, month=3):
        return (
            self.env["timebank.followup.sample"]
            .with_user(user or self.supervisor)
            .create(
                {
                    "name": "March check",
                    "town_id": (town or self.town1).id,
                    "date_from": date(2026, month, 1),
                    "date_to": date(2026, month, 28),
                    "size": size,
                }
            )
        )

    def test_sample_draws_own_recipients_once(self):
        town1, town2, outside = self._served_population()
        everyone = self._sample(50)
        everyone.action_draw()
        drawn = everyone.followup_ids.recipient_id
        self.assertEqual(drawn, town1, "all of the town's served, and only them")
        self.assertEqual(len(everyone.followup_ids), len(town1), "each only once")
        self.assertEqual(set(everyone.followup_ids.mapped("kind")), {"sample"})
        for _attempt in range(5):
            sample = self._sample(4)
            sample.action_draw()
            recipients = sample.followup_ids.mapped("recipient_id")
            self.assertEqual(len(sample.followup_ids), 4)
            self.assertEqual(len(recipients), 4, "never the same recipient twice")
            self.assertTrue(recipients <= town1)
            self.assertFalse(recipients & (town2 | outside))
        with self.assertRaisesRegex(UserError, "already drawn"):
            sample.action_draw()
        # a recipient cannot be added a second time to a sample
        with mute_logger("odoo.sql_db"), self.assertRefused(IntegrityError):
            self.env["timebank.followup"].create(
                {
                    "kind": "sample",
                    "sample_id": sample.id,
                    "record_id": sample.followup_ids[0].record_id.id,
                }
            )
        # the sample is worked through, then closed
        with self.assertRefused(UserError, "still to do"):
            sample.action_done()
        sample.followup_ids.with_user(self.supervisor).write(
            {"reached": "reached", "score": 5}
        )
        sample.followup_ids.with_user(self.supervisor).action_done()
        sample.action_done()
        self.assertEqual(sample.state, "done")
        self.assertEqual(sample.average_score, 5.0)

    def test_sample_rights_and_scope(self):
        self._served_population()
        with self.assertRefused(ValidationError, "outside the part"):
            self._sample(3, town=self.town2)
        with self.assertRaises(AccessError):
            self._sample(3, user=self.operator)
        sample = self._sample(3)
        other = self._sample(3, user=self.supervisor2, town=self.town2)
        Sample = self.env["timebank.followup.sample"]
        self.assertEqual(
            Sample.with_user(self.supervisor).search(
                [("id", "in", (sample | other).ids)]
            ),
            sample,
        )
        with self.assertRaises(AccessError):
            sample.with_user(self.operator).action_draw()
        other.with_user(self.supervisor2).action_draw()
        self.assertEqual(other.followup_ids.recipient_id.node_id, self.village3)
        april = self._sample(3, month=4)
        with self.assertRaisesRegex(UserError, "No recipient of"):
            april.action_draw()

    def test_errors_and_reasons_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["timebank_volunteer"], ["zh_CN"], overwrite=True
        )
        self.operator.lang = "zh_CN"
        record = self._confirmed_record(self.volunteer1, self.recipient1, MONDAY)
        followup = record.followup_ids.with_user(self.operator).with_context(
            lang="zh_CN"
        )
        with self.assertRefused(ValidationError, "满意度评分必须在 1 到 5 之间"):
            followup.write({"reached": "reached", "score": 7})
        self._volunteer(self.village1, self.station1, wishes=self.wish_meal)
        request = self._request(user=self.operator)
        reasons = request.with_context(lang="zh_CN")._match_volunteers()[request.id]
        self.assertIn("同一服务站", reasons[0][2])
