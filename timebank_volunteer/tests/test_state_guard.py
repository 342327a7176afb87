# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The states of service records and volunteers change only through their
actions: a ``write``/``create`` over RPC cannot confirm without a deposit,
cancel without a reversal, reopen a confirmed record or activate a
volunteer without review and training."""

from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common_ledger import DAY, TimebankLedgerCase


@tagged("post_install", "-at_install")
class TestStateGuard(TimebankLedgerCase):
    def _assert_state_refused(self, records, vals):
        before = [(r.state, r.confirm_user_id, r.confirm_date) for r in records]
        with self.assertRaisesRegex(UserError, "change only through its actions"):
            with self.env.cr.savepoint():
                records.write(vals)
        self.env.invalidate_all()
        self.assertEqual(
            [(r.state, r.confirm_user_id, r.confirm_date) for r in records], before
        )

    def test_write_state_refused(self):
        submitted = self._record()
        submitted.action_submit()
        confirmed = self._confirmed(start=DAY + timedelta(hours=3))
        account = self.volunteer1.account_id
        balance = account.balance_unsettled
        for user in (self.operator1, self.supervisor, self.tb_admin):
            as_user = (submitted | confirmed).with_user(user)
            with self.subTest(user=user.login):
                # confirmed without a deposit
                self._assert_state_refused(as_user[0], {"state": "confirmed"})
                # cancelled without a reversal, reopened to be deleted
                self._assert_state_refused(as_user[1], {"state": "cancelled"})
                self._assert_state_refused(as_user[1], {"state": "draft"})
                self._assert_state_refused(as_user[0], {"confirm_user_id": user.id})
                self._assert_state_refused(
                    as_user[0], {"confirm_date": DAY, "reject_reason": "x"}
                )
                # a JSON context cannot open the door
                self._assert_state_refused(
                    as_user[1].with_context(timebank_service_record_state_write=True),
                    {"state": "draft"},
                )
        self.assertEqual(len(self._lines(submitted)), 0)
        self.assertEqual(len(self._lines(confirmed)), 1)
        self.assertAlmostEqual(account.balance_unsettled, balance)
        with self.assertRaises(UserError):
            confirmed.with_user(self.operator1).unlink()

    def test_create_with_state_refused(self):
        Record = self.env["timebank.service.record"]
        count = Record.search_count([])
        for vals in (
            {"state": "confirmed"},
            {"state": "submitted"},
            {"confirm_user_id": self.operator1.id},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "through its actions"):
                    with self.env.cr.savepoint():
                        self._record(**vals)
        self.assertEqual(Record.search_count([]), count)
        self.assertEqual(self._record(state="draft").state, "draft")

    def test_cancel_reverses_what_the_ledger_holds(self):
        """The reversal is the opposite of the record's own ledger lines,
        whatever its ``weighted_hours`` field says."""
        record = self._confirmed(hours=2.0)
        account = self.volunteer1.account_id
        self._confirmed(hours=3.0, start=DAY + timedelta(hours=4))
        self.assertAlmostEqual(account.balance_unsettled, 5.0)
        # a stale or tampered figure on the record must not drive the reversal
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_service_record SET weighted_hours = 4.5 WHERE id = %s",
                record.id,
            )
        )
        self.env.invalidate_all()
        record.with_user(self.supervisor).action_cancel()
        lines = self._lines(record).sorted("sequence")
        self.assertEqual(lines.mapped("hours"), [2.0, -2.0])
        self.assertAlmostEqual(account.balance_unsettled, 3.0)
        self.assertBalanceIsSumOfLines(account)

    def test_volunteer_state_refused(self):
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "New"}).id,
                "node_id": self.village1.id,
            }
        )
        suspended = self.volunteer2
        suspended.with_user(self.supervisor).action_suspend()
        for user in (self.operator1, self.supervisor, self.tb_admin):
            with self.subTest(user=user.login):
                for record, vals in (
                    (volunteer, {"state": "active"}),
                    (volunteer, {"activation_date": DAY.date()}),
                    (suspended, {"state": "active"}),
                    (self.volunteer1, {"state": "applied"}),
                ):
                    with self.assertRaisesRegex(UserError, "changes only through"):
                        with self.env.cr.savepoint():
                            record.with_user(user).write(vals)
                with self.assertRaisesRegex(UserError, "changes only through"):
                    with self.env.cr.savepoint():
                        self.env["timebank.volunteer"].with_user(user).create(
                            {
                                "name": "Instant Volunteer",
                                "node_id": self.village1.id,
                                "state": "active",
                            }
                        )
        self.env.invalidate_all()
        self.assertEqual(volunteer.state, "applied")
        self.assertEqual(suspended.state, "suspended")
        self.assertEqual(self.volunteer1.state, "active")
        self.assertFalse(
            self.env["timebank.volunteer"].search([("name", "=", "Instant Volunteer")])
        )
        # the lifecycle itself still works
        suspended.with_user(self.supervisor).action_reinstate()
        self.assertEqual(suspended.state, "active")
