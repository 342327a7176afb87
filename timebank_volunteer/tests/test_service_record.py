# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_ledger import DAY, TimebankLedgerCase


@tagged("post_install", "-at_install")
class TestServiceRecord(TimebankLedgerCase):
    # ------------------------------------------------------------------
    # flow and weighting
    # ------------------------------------------------------------------

    def test_flow_deposits_weighted_hours(self):
        record = self._record(hours=2.5)
        self.assertEqual(record.state, "draft")
        self.assertTrue(record.name.startswith("SR"))
        self.assertEqual(record.node_id, self.village1)
        self.assertAlmostEqual(record.duration, 2.5)
        record.action_submit()
        self.assertEqual(record.state, "submitted")
        self.assertFalse(self._lines(record))
        record.action_confirm()
        self.assertEqual(record.state, "confirmed")
        self.assertEqual(record.confirm_user_id, self.operator1)
        line = self._lines(record)
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.kind, line.bucket, line.hours, line.account_id),
            ("deposit", "unsettled", 2.5, self.volunteer1.account_id),
        )
        self.assertAlmostEqual(self.volunteer1.balance_unsettled, 2.5)
        self.assertBalanceIsSumOfLines(self.volunteer1.account_id)

    def test_weighting_per_category(self):
        expected = {self.meal: 2.0, self.pipe: 4.0, self.counselling: 6.0}
        records = self.env["timebank.service.record"]
        for index, stype in enumerate(expected):
            records |= self._record(
                hours=2.0, start=DAY + timedelta(hours=3 * index), stype=stype
            )
        records.action_submit()
        records.action_confirm()
        for record in records:
            self.assertAlmostEqual(
                record.weighted_hours, expected[record.service_type_id]
            )
            self.assertAlmostEqual(
                self._lines(record).hours, expected[record.service_type_id]
            )
        self.assertEqual(records.mapped("coefficient"), [1.0, 2.0, 3.0])
        self.assertAlmostEqual(self.volunteer1.balance_unsettled, 12.0)

    def test_coefficient_change_keeps_confirmed(self):
        confirmed = self._confirmed(hours=2.0, stype=self.pipe)
        draft = self._record(hours=1.0, stype=self.pipe, start=DAY + timedelta(hours=4))
        draft.action_submit()
        self.technical.with_user(self.tb_admin).coefficient = 2.5
        # confirmed: frozen; pending: takes the coefficient at confirmation
        self.assertAlmostEqual(confirmed.coefficient, 2.0)
        self.assertAlmostEqual(confirmed.weighted_hours, 4.0)
        draft.action_confirm()
        self.assertAlmostEqual(draft.coefficient, 2.5)
        self.assertAlmostEqual(draft.weighted_hours, 2.5)
        self.assertAlmostEqual(self._lines(draft).hours, 2.5)
        self.assertAlmostEqual(self._lines(confirmed).hours, 4.0)
        self.assertAlmostEqual(self.volunteer1.balance_unsettled, 6.5)

    def test_coefficient_configured_by_admin_only(self):
        with self.assertRaises(AccessError):
            self.technical.with_user(self.supervisor).coefficient = 5
        with self.assertRaises(ValidationError):
            self.technical.with_user(self.tb_admin).coefficient = 0

    # ------------------------------------------------------------------
    # who may do what
    # ------------------------------------------------------------------

    def test_operator_of_other_village_cannot_confirm(self):
        record = self._record()
        record.action_submit()
        with self.assertRaises(AccessError):
            record.with_user(self.operator2).action_confirm()
        self.assertEqual(record.state, "submitted")
        self.assertFalse(self._lines(record))
        # nor see or submit it
        with self.assertRaises(AccessError):
            self._record(start=DAY + timedelta(hours=5)).with_user(
                self.operator2
            ).action_submit()

    def test_auditor_cannot_act(self):
        record = self._record()
        with self.assertRaises(AccessError):
            record.with_user(self.auditor).action_submit()
        record.action_submit()
        with self.assertRaises(AccessError):
            record.with_user(self.auditor).action_confirm()
        self.assertEqual(record.with_user(self.auditor).state, "submitted")

    def test_supervisor_of_town_confirms(self):
        record = self._record()
        record.action_submit()
        record.with_user(self.supervisor).action_confirm()
        self.assertEqual(record.state, "confirmed")

    def test_cancel_confirmed_needs_supervisor_and_reverses(self):
        record = self._confirmed(hours=3.0, stype=self.pipe)
        account = self.volunteer1.account_id
        self.assertAlmostEqual(account.balance_unsettled, 6.0)
        with self.assertRaises(AccessError):
            record.with_user(self.operator1).action_cancel()
        self.assertEqual(record.state, "confirmed")
        record.with_user(self.supervisor).action_cancel()
        self.assertEqual(record.state, "cancelled")
        lines = self._lines(record).sorted("sequence")
        self.assertEqual(lines.mapped("kind"), ["deposit", "reversal"])
        self.assertEqual(lines.mapped("hours"), [6.0, -6.0])
        self.assertAlmostEqual(account.balance_unsettled, 0.0)
        self.assertBalanceIsSumOfLines(account)
        self.assertTrue(account._check_chain()["ok"])
        # the deposit line itself was never edited
        self.assertEqual(lines[0].hours, 6.0)
        with self.assertRaises(UserError):
            record.with_user(self.supervisor).action_cancel()
        self.assertEqual(len(self._lines(record)), 2)

    def test_cancel_after_settlement_refused(self):
        record = self._confirmed(hours=2)
        account = self.volunteer1.account_id
        # the settlement (issue 6) moved the hours out of "unsettled"
        self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": account.id,
                    "hours": hours,
                    "bucket": bucket,
                    "kind": "settlement",
                    "res_model": "timebank.test.settlement",
                    "res_id": 1,
                }
                for hours, bucket in ((-2, "unsettled"), (1, "goods"), (1, "reserve"))
            ]
        )
        with self.assertRaisesRegex(UserError, "Not enough hours"):
            record.with_user(self.supervisor).action_cancel()
        self.assertEqual(record.state, "confirmed")
        self.assertEqual(len(self._lines(record)), 1)
        self.assertBalanceIsSumOfLines(account)

    def test_cancel_unconfirmed_posts_nothing(self):
        record = self._record()
        record.action_submit()
        record.action_cancel()
        self.assertEqual(record.state, "cancelled")
        self.assertFalse(self._lines(record))

    def test_reject_and_reset(self):
        record = self._record()
        with self.assertRaises(UserError):
            record.action_reject()  # not submitted yet
        record.action_submit()
        record.action_reject(reason="No signature")
        self.assertEqual(record.state, "rejected")
        self.assertEqual(record.reject_reason, "No signature")
        with self.assertRaises(UserError):
            record.action_confirm()
        self.assertFalse(self._lines(record))
        record.action_reset_draft()
        self.assertEqual(record.state, "draft")
        record.date_end = DAY + timedelta(hours=1)
        self.assertAlmostEqual(record.duration, 1.0)

    def test_confirm_twice_refused(self):
        record = self._confirmed()
        with self.assertRaises(UserError):
            record.action_confirm()
        with self.assertRaises(UserError):
            record.action_submit()
        self.assertEqual(len(self._lines(record)), 1)

    def test_confirmed_record_locked(self):
        record = self._confirmed()
        with self.assertRaises(UserError):
            record.date_end = DAY + timedelta(hours=3)
        with self.assertRaises(UserError):
            record.with_user(self.tb_admin).service_type_id = self.counselling
        with self.assertRaises(UserError):
            record.unlink()
        record.note = "Signed form attached"  # evidence may still be added
        self.assertAlmostEqual(record.weighted_hours, 2.0)

    # ------------------------------------------------------------------
    # guards
    # ------------------------------------------------------------------

    def _assert_refused(self, exception, **kwargs):
        Record = self.env["timebank.service.record"]
        count = Record.search_count([])
        with self.assertRaises(exception):
            self._record(**kwargs)
        self.assertEqual(Record.search_count([]), count)

    def test_guard_end_after_start(self):
        self._assert_refused(ValidationError, hours=0)
        self._assert_refused(ValidationError, hours=-1)

    def test_guard_no_future_service(self):
        self._assert_refused(
            ValidationError, start=fields.Datetime.now() + timedelta(hours=1)
        )
        self._assert_refused(
            ValidationError, start=fields.Datetime.now() - timedelta(minutes=30)
        )

    def test_guard_max_per_record(self):
        self._assert_refused(ValidationError, hours=8.5)
        self.assertTrue(self._record(hours=8))
        self.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.max_hours_per_record", 10
        )
        self.assertTrue(self._record(hours=9, start=DAY + timedelta(days=1)))

    def test_limits_from_settings(self):
        self.env["res.config.settings"].create(
            {"timebank_max_hours_per_record": 3, "timebank_max_hours_per_day": 4}
        ).execute()
        self._assert_refused(ValidationError, hours=3.5)
        self._record(hours=3)
        self._assert_refused(ValidationError, hours=1.5, start=DAY + timedelta(hours=4))
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.timebank_max_hours_per_record, 3)
        self.assertEqual(settings.timebank_storage_cap, 1500)

    def test_guard_max_per_day(self):
        self._record(hours=7)
        self._assert_refused(ValidationError, hours=6, start=DAY + timedelta(hours=8))
        self.assertTrue(self._record(hours=5, start=DAY + timedelta(hours=8)))
        # another day is fine
        next_day = DAY + timedelta(days=1)
        rejected = self._record(hours=7, start=next_day)
        # a rejected or cancelled record does not count: 7 + 7 (+ 7) > 12
        rejected.action_submit()
        rejected.action_reject(reason="Wrong volunteer")
        cancelled = self._record(hours=7, start=next_day + timedelta(hours=7))
        cancelled.action_cancel()
        self.assertEqual(
            (rejected | cancelled).mapped("state"), ["rejected", "cancelled"]
        )
        self.assertTrue(self._record(hours=7, start=next_day + timedelta(hours=7)))
        # while the same record, still pending, would have counted
        with self.assertRaisesRegex(ValidationError, "maximum"):
            with self.env.cr.savepoint():
                rejected.action_reset_draft()

    def test_guard_overlap(self):
        first = self._record(hours=2)
        self._assert_refused(ValidationError, hours=2, start=DAY + timedelta(hours=1))
        # the same volunteer recorded in another village (by the town
        # supervisor, where the recipient lives) still overlaps, although
        # the operator of village 1 cannot see that record
        elsewhere = self._record(
            hours=1,
            start=DAY + timedelta(hours=3),
            recipient=self.recipient2,
            node_id=self.village2.id,
            user=self.supervisor,
        )
        self.assertEqual(elsewhere.node_id, self.village2)
        Record = self.env["timebank.service.record"].with_user(self.operator1)
        self.assertFalse(Record.search([("id", "=", elsewhere.id)]))
        with self.assertRaisesRegex(ValidationError, "two services at once"):
            with self.env.cr.savepoint():
                self._record(hours=1, start=DAY + timedelta(hours=3, minutes=30))
        # another volunteer at the same time is fine; back-to-back is fine
        self.assertTrue(self._record(volunteer=self.volunteer2))
        self.assertTrue(self._record(hours=1, start=DAY + timedelta(hours=2)))
        # once the first is cancelled its slot is free again
        first.action_cancel()
        self.assertTrue(
            self._record(
                hours=1, start=DAY + timedelta(minutes=30), volunteer=self.volunteer1
            )
        )

    def test_guard_active_volunteer_and_recipient(self):
        self.volunteer2.with_user(self.supervisor).action_suspend()
        self._assert_refused(ValidationError, volunteer=self.volunteer2)
        self.recipient1.with_user(self.operator1).action_archive()
        self._assert_refused(ValidationError)

    def test_guard_people_checked_again_at_confirmation(self):
        record = self._record(volunteer=self.volunteer2)
        record.action_submit()
        self.volunteer2.with_user(self.supervisor).action_suspend()
        with self.assertRaises(UserError):
            record.action_confirm()
        self.assertEqual(record.state, "submitted")
        self.assertFalse(self._lines(record))

    def test_guard_storage_cap(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.storage_cap", 10
        )
        self._confirmed(hours=2, stype=self.pipe)  # 4 hours
        record = self._record(
            hours=3.5, stype=self.pipe, start=DAY + timedelta(hours=3)
        )
        record.action_submit()
        with self.assertRaisesRegex(UserError, "storage cap"):
            record.action_confirm()
        self.assertEqual(record.state, "submitted")
        self.assertFalse(self._lines(record))
        self.assertAlmostEqual(self.volunteer1.balance_unsettled, 4.0)
        record.action_reject()
        record.action_reset_draft()
        record.date_end = record.date_start + timedelta(hours=3)  # exactly 10
        record.action_submit()
        record.action_confirm()
        self.assertAlmostEqual(self.volunteer1.balance_unsettled, 10.0)

    # ------------------------------------------------------------------
    # batch confirmation
    # ------------------------------------------------------------------

    def _submitted_batch(self, count, offset_days):
        volunteers = self.volunteer1 | self.volunteer2
        Record = self.env["timebank.service.record"].with_user(self.operator1)
        records = Record.create(
            [
                {
                    "volunteer_id": volunteers[index % 2].id,
                    "recipient_id": self.recipient1.id,
                    "service_type_id": (self.meal, self.pipe, self.counselling)[
                        index % 3
                    ].id,
                    "date_start": DAY + timedelta(days=offset_days + index, hours=1),
                    "date_end": DAY + timedelta(days=offset_days + index, hours=2),
                }
                for index in range(count)
            ]
        )
        records.action_submit()
        return records

    def _count_confirm_queries(self, records):
        self.env.flush_all()
        self.env.invalidate_all()
        records = records.with_user(self.operator1).browse(records.ids)
        before = self.env.cr.sql_log_count
        records.action_confirm()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_batch_confirm_constant_queries(self):
        warmup = self._submitted_batch(2, 200)
        small = self._submitted_batch(10, 0)
        large = self._submitted_batch(100, 20)
        self._count_confirm_queries(warmup)  # fill the caches (rules, params)
        small_count = self._count_confirm_queries(small)
        large_count = self._count_confirm_queries(large)
        self.assertEqual(small_count, large_count)
        # budget of one batch, whatever its size: the deposit itself (rights,
        # record and account locks, one INSERT of lines, balances, states)
        # plus the follow-ups scheduled on confirmation (R2) and the lookup of
        # withdrawals paid by these services (R10); 25 when measured
        self.assertLessEqual(small_count, 30)
        self.assertEqual(set((small | large).mapped("state")), {"confirmed"})
        self.assertEqual(len(self._lines(small | large)), 110)
        expected = sum((warmup | small | large).mapped("weighted_hours"))
        accounts = (self.volunteer1 | self.volunteer2).account_id
        self.assertAlmostEqual(sum(accounts.mapped("balance_unsettled")), expected)
        for account in accounts:
            self.assertBalanceIsSumOfLines(account)
            self.assertTrue(account._check_chain()["ok"])

    def test_batch_confirm_is_all_or_nothing(self):
        records = self._submitted_batch(5, 0)
        records[3].action_reject()
        with self.assertRaises(UserError):
            records.action_confirm()
        self.assertEqual(records[:3].mapped("state"), ["submitted"] * 3)
        self.assertFalse(self._lines(records))

    def test_server_action_confirms_selection(self):
        records = self._submitted_batch(3, 0)
        action = self.env.ref(
            "timebank_volunteer.timebank_service_record_action_confirm"
        )
        action.with_user(self.operator1).with_context(
            active_model="timebank.service.record", active_ids=records.ids
        ).run()
        self.assertEqual(set(records.mapped("state")), {"confirmed"})
