# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common_ledger import TimebankLedgerCase


@tagged("post_install", "-at_install")
class TestAccountGuard(TimebankLedgerCase):
    """An account is created empty, by the posting code only: nobody can
    create one holding hours or a forged hash chain."""

    def _volunteer_without_account(self):
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Bare"}).id,
                "node_id": self.village1.id,
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM timebank_account WHERE volunteer_id = %s", volunteer.id)
        )
        self.env.invalidate_all()
        self.assertFalse(volunteer.account_id)
        return volunteer

    def test_create_with_balances_refused(self):
        volunteer = self._volunteer_without_account()
        Account = self.env["timebank.account"]
        for env, exception in (
            (self.env(user=self.operator1), UserError),  # AccessError is one too
            (self.env(user=self.tb_admin), UserError),
            (self.env, UserError),  # not even in sudo
        ):
            for vals in (
                {"balance_unsettled": 100.0},
                {"balance_goods": 5.0},
                {"balance_reserve": 5.0},
                {"last_sequence": 7, "last_hash": "forged"},
            ):
                with self.subTest(user=env.user.login, vals=vals):
                    with self.assertRaises(exception), self.env.cr.savepoint():
                        Account.with_env(env).create(
                            dict(vals, volunteer_id=volunteer.id)
                        )
        self.assertFalse(Account.search([("volunteer_id", "=", volunteer.id)]))

    def test_operator_cannot_create_account(self):
        volunteer = self._volunteer_without_account()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["timebank.account"].with_user(self.operator1).create(
                {"volunteer_id": volunteer.id}
            )

    def test_accounts_still_created_for_operators(self):
        """Registering a volunteer and confirming a service still create the
        empty account, through the posting code."""
        volunteer = (
            self.env["timebank.volunteer"]
            .with_user(self.operator1)
            .create({"name": "Registered", "node_id": self.village1.id})
        )
        self.assertTrue(volunteer.account_id)
        self.assertEqual(volunteer.account_id.balance_unsettled, 0.0)
        bare = self._volunteer_without_account()
        account = (
            self.env["timebank.account"]
            .with_user(self.operator1)
            ._ensure_accounts(bare.with_user(self.operator1))
        )
        self.assertEqual(account.volunteer_id, bare)
        self.assertEqual(account.last_sequence, 0)
