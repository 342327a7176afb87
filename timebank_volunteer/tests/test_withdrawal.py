# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import itertools
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_ledger import DAY, TimebankLedgerCase

RES_IDS = itertools.count(1)


@tagged("post_install", "-at_install")
class TestWithdrawal(TimebankLedgerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.beneficiary_relations", "spouse,parent"
        )
        cls.account = cls.volunteer1.account_id
        # the volunteer is also registered as a recipient (served personally)
        cls.self_recipient = cls.env["timebank.recipient"].create(
            {"partner_id": cls.volunteer1.partner_id.id, "node_id": cls.village1.id}
        )
        # a neighbour in village 1, not a family member
        cls.neighbour = cls.env["timebank.recipient"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "Neighbour"}).id,
                "node_id": cls.village1.id,
            }
        )
        cls.parent = cls.env["timebank.beneficiary"].create(
            {
                "volunteer_id": cls.volunteer1.id,
                "recipient_id": cls.recipient1.id,
                "relation": "parent",
            }
        )
        cls.Withdrawal = cls.env["timebank.withdrawal"].with_user(cls.operator1)

    @contextmanager
    def assertRaisesText(self, exception, text):
        """``assertRaises`` (rolled back to a savepoint) and check the message."""
        with self.assertRaises(exception) as catcher:
            yield
        self.assertIn(text, str(catcher.exception))

    def _fund(self, hours, account=None):
        self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": (account or self.account).id,
                    "hours": hours,
                    "bucket": "reserve",
                    "kind": "adjustment",
                    "res_model": "timebank.test.withdrawal",
                    "res_id": next(RES_IDS),
                }
            ]
        )

    def _withdrawal(self, hours, beneficiary=None, apply=True, **values):
        vals = {
            "volunteer_id": self.volunteer1.id,
            "service_type_id": self.meal.id,
            "estimated_hours": hours,
        }
        if beneficiary is None:
            beneficiary = self.parent
        if beneficiary:
            vals["beneficiary_id"] = beneficiary.id
        vals.update(values)
        withdrawal = self.Withdrawal.create(vals)
        if apply:
            withdrawal.action_apply()
        return withdrawal

    def _delivered(self, withdrawal, hours, start=DAY):
        """The service paid by the withdrawal, done by volunteer 2."""
        record = self._record(
            hours=hours,
            start=start,
            volunteer=self.volunteer2,
            recipient=withdrawal.recipient_id,
        )
        record.action_submit()
        withdrawal.service_record_id = record
        return record

    def assertSound(self):
        self.account.invalidate_recordset()
        holds = self.env["timebank.hold"].search(
            [("account_id", "=", self.account.id), ("state", "=", "active")]
        )
        self.assertAlmostEqual(self.account.hold_hours, sum(holds.mapped("hours")))
        self.assertAlmostEqual(
            self.account.available_reserve,
            self.account.balance_reserve - self.account.hold_hours,
        )
        for account in (self.volunteer1 | self.volunteer2).account_id:
            self.assertBalanceIsSumOfLines(account)
        result = (self.volunteer1 | self.volunteer2).account_id._check_chain()
        self.assertTrue(result["ok"], result["message"])

    # beneficiaries -------------------------------------------------------

    def test_beneficiary_relations_configurable(self):
        Beneficiary = self.env["timebank.beneficiary"].with_user(self.operator1)
        spouse = Beneficiary.create(
            {
                "volunteer_id": self.volunteer2.id,
                "recipient_id": self.recipient1.id,
                "relation": "spouse",
            }
        )
        self.assertEqual(spouse.relation, "spouse")
        with self.assertRaisesText(ValidationError, "cannot be registered"):
            Beneficiary.create(
                {
                    "volunteer_id": self.volunteer2.id,
                    "recipient_id": self.neighbour.id,
                    "relation": "child",
                }
            )
        # a withdrawal drafted while the spouse was allowed
        self._fund(5, self.volunteer2.account_id)
        withdrawal = self.Withdrawal.create(
            {
                "volunteer_id": self.volunteer2.id,
                "beneficiary_id": spouse.id,
                "service_type_id": self.meal.id,
                "estimated_hours": 1,
            }
        )
        settings = self.env["res.config.settings"].sudo()
        config = settings.create({})
        self.assertTrue(config.timebank_beneficiary_spouse)
        self.assertTrue(config.timebank_beneficiary_parent)
        self.assertFalse(config.timebank_beneficiary_child)
        settings.create(
            {"timebank_beneficiary_child": True, "timebank_beneficiary_spouse": False}
        ).execute()
        child = Beneficiary.create(
            {
                "volunteer_id": self.volunteer2.id,
                "recipient_id": self.neighbour.id,
                "relation": "child",
            }
        )
        self.assertTrue(child)
        # the spouse is no longer allowed: applying is refused, nothing held
        with self.assertRaisesText(ValidationError, "not an allowed beneficiary"):
            withdrawal.action_apply()
        self.assertEqual(withdrawal.state, "draft")
        self.assertFalse(withdrawal.hold_ids)
        self.assertEqual(self.volunteer2.account_id.hold_hours, 0.0)

    def test_self_or_registered_beneficiary_only(self):
        self._fund(5)
        own = self._withdrawal(
            1, beneficiary=False, recipient_id=self.self_recipient.id
        )
        self.assertEqual(own.state, "applied")
        with self.assertRaisesText(ValidationError, "not a registered beneficiary"):
            self._withdrawal(1, beneficiary=False, recipient_id=self.neighbour.id)
        with self.assertRaises(ValidationError):
            self.env["timebank.beneficiary"].create(
                {
                    "volunteer_id": self.volunteer1.id,
                    "recipient_id": self.self_recipient.id,
                    "relation": "spouse",
                }
            )

    # holds ----------------------------------------------------------------

    def test_state_and_debited_hours_only_through_actions(self):
        """An operator (over RPC: any JSON context) cannot write the state or
        the debited hours, which a later refund would credit back."""
        self._fund(10)
        withdrawal = self._withdrawal(2)
        for vals in ({"state": "done"}, {"hours_debited": 999.0}):
            with self.assertRaisesText(UserError, "change only through its actions"):
                withdrawal.with_context(timebank_state_write=True).write(vals)
        with self.assertRaisesText(UserError, "change only through its actions"):
            self._withdrawal(1, apply=False, state="done", hours_debited=5.0)
        self.assertEqual(withdrawal.state, "applied")
        self.assertEqual(withdrawal.hours_debited, 0.0)
        # the actions still move it
        withdrawal.action_cancel()
        self.assertEqual(withdrawal.state, "cancelled")
        self.assertSound()

    def test_withdrawal_above_available_reserve_refused(self):
        self._fund(10)
        withdrawal = self._withdrawal(10.01, apply=False)
        with self.assertRaisesText(UserError, "10.00 service-reserve hours available"):
            withdrawal.action_apply()
        self.assertEqual(withdrawal.state, "draft")
        self.assertFalse(withdrawal.hold_ids)
        self.assertEqual(self.account.hold_hours, 0.0)
        self.assertSound()

    def test_holds_shrink_and_release_available_reserve(self):
        self._fund(10)
        first = self._withdrawal(6)
        self.assertEqual(first.state, "applied")
        self.assertEqual(first.hold_ids.hours, 6.0)
        self.assertEqual(self.account.available_reserve, 4.0)
        self.assertEqual(self.volunteer1.available_reserve, 4.0)
        self.assertEqual(self.account.hold_ids, first.hold_ids)
        self.assertSound()
        # the same reserve cannot be promised twice
        with self.assertRaises(UserError):
            self._withdrawal(5)
        second = self._withdrawal(4)
        self.assertEqual(self.account.available_reserve, 0.0)
        with self.assertRaises(UserError):
            self._withdrawal(0.01)
        # cancelling releases the hold
        first.action_cancel()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(first.hold_ids.state, "released")
        self.assertEqual(self.account.available_reserve, 6.0)
        self.assertEqual(self.account.hold_ids, second.hold_ids)
        self.assertSound()
        # holds and held hours are not writable by hand
        with self.assertRaises(UserError):
            second.hold_ids.write({"hours": 1})
        with self.assertRaises(UserError):
            self.account.sudo().write({"hold_hours": 0})
        # the reserve cannot be debited below the held hours
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
        ):
            with self.env.cr.savepoint():
                self.env["timebank.account"]._post_lines(
                    [
                        {
                            "account_id": self.account.id,
                            "hours": -6.01,
                            "bucket": "reserve",
                            "kind": "adjustment",
                            "res_model": "timebank.test.withdrawal",
                            "res_id": next(RES_IDS),
                        }
                    ]
                )

    # debit on confirmation --------------------------------------------------

    def test_confirmed_service_debits_reserve_and_releases_hold(self):
        self._fund(10)
        withdrawal = self._withdrawal(3)
        record = self._delivered(withdrawal, 2)
        self.assertEqual(self.account.available_reserve, 7.0)
        record.action_confirm()
        self.assertEqual(withdrawal.state, "done")
        self.assertEqual(withdrawal.hours_debited, 2.0)
        self.assertEqual(withdrawal.hold_ids.state, "consumed")
        self.assertEqual(self.account.balance_reserve, 8.0)
        self.assertEqual(self.account.hold_hours, 0.0)
        self.assertEqual(self.account.available_reserve, 8.0)
        line = self.env["timebank.ledger.line"].search(
            [("res_model", "=", "timebank.withdrawal"), ("res_id", "=", withdrawal.id)]
        )
        self.assertEqual(
            (line.kind, line.bucket, line.hours), ("withdrawal", "reserve", -2.0)
        )
        # the serving volunteer earns the hours as usual
        self.assertEqual(self.volunteer2.account_id.balance_unsettled, 2.0)
        self.assertSound()
        # a second debit of the same withdrawal is refused by the ledger
        with self.assertRaises(UserError):
            self.env["timebank.account"]._post_lines(
                [
                    {
                        "account_id": self.account.id,
                        "hours": -1,
                        "bucket": "reserve",
                        "kind": "withdrawal",
                        "res_model": "timebank.withdrawal",
                        "res_id": withdrawal.id,
                    }
                ]
            )
        # cancelling the paid service refunds the reserve
        record.with_user(self.supervisor).action_cancel()
        self.assertEqual(withdrawal.state, "refunded")
        self.assertEqual(self.account.balance_reserve, 10.0)
        self.assertEqual(self.volunteer2.account_id.balance_unsettled, 0.0)
        self.assertSound()

    def test_real_hours_above_hold_and_reserve_refused(self):
        self._fund(10)
        withdrawal = self._withdrawal(2)
        other = self._withdrawal(7)
        record = self._delivered(withdrawal, 4)
        with self.assertRaisesText(UserError, "more than the 2.00 hours held"):
            record.action_confirm()
        # nothing changed: no deposit, no debit, the holds are still active
        self.assertEqual(record.state, "submitted")
        self.assertEqual(withdrawal.state, "applied")
        self.assertEqual(self.account.hold_hours, 9.0)
        self.assertEqual(self.volunteer2.account_id.balance_unsettled, 0.0)
        self.assertSound()
        # above the hold but within the free reserve: debited
        other_record = self._delivered(other, 1, start=DAY + timedelta(days=1))
        other.action_cancel()
        self.assertFalse(other.service_record_id, "a cancelled withdrawal pays nothing")
        other_record.action_confirm()
        self.assertEqual(other.state, "cancelled")
        record.action_confirm()
        self.assertEqual(withdrawal.state, "done")
        self.assertEqual(self.account.balance_reserve, 6.0)
        self.assertEqual(self.account.hold_hours, 0.0)
        self.assertSound()

    def test_service_must_match_the_withdrawal(self):
        self._fund(10)
        withdrawal = self._withdrawal(2)
        wrong_person = self._record(
            hours=1, volunteer=self.volunteer2, recipient=self.neighbour
        )
        with self.assertRaisesText(ValidationError, "not delivered"):
            withdrawal.service_record_id = wrong_person
        by_self = self._record(hours=1, recipient=self.recipient1)
        with self.assertRaisesText(ValidationError, "own reserve"):
            withdrawal.service_record_id = by_self
        draft = self._withdrawal(1, apply=False)
        service = self._record(
            hours=1, volunteer=self.volunteer2, start=DAY + timedelta(days=1)
        )
        with self.assertRaisesText(UserError, "only to an applied withdrawal"):
            draft.service_record_id = service
        with self.assertRaises(UserError):
            withdrawal.estimated_hours = 1
        # a linked draft service edited to serve someone else is not debited
        delivered = self._record(
            hours=1, volunteer=self.volunteer2, start=DAY + timedelta(days=2)
        )
        withdrawal.service_record_id = delivered
        delivered.recipient_id = self.neighbour
        delivered.action_submit()
        with self.assertRaisesText(ValidationError, "not delivered"):
            delivered.action_confirm()
        self.assertEqual(delivered.state, "submitted")
        self.assertEqual(withdrawal.state, "applied")
        self.assertSound()

    def test_rights_and_request_values(self):
        self._fund(10)
        withdrawal = self._withdrawal(2, apply=False)
        with self.assertRaises(AccessError):
            withdrawal.with_user(self.auditor).action_apply()
        self.assertFalse(
            self.env["timebank.withdrawal"]
            .with_user(self.operator2)
            .search([("id", "=", withdrawal.id)])
        )
        values = withdrawal._prepare_service_request_values()
        self.assertEqual(values["recipient_id"], self.recipient1.id)
        self.assertEqual(values["withdrawal_id"], withdrawal.id)
        # the request's window lasts the estimated weighted hours / coefficient
        self.assertEqual(
            values["date_end"] - values["date_start"],
            timedelta(hours=2.0 / self.meal.coefficient),
        )

    def test_errors_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["timebank_volunteer"], ["zh_CN"], overwrite=True
        )
        self.operator1.lang = "zh_CN"
        self._fund(1)
        withdrawal = self._withdrawal(2, apply=False)
        with self.assertRaisesText(UserError, "可用服务储备为 1.00 小时"):
            withdrawal.with_context(lang="zh_CN").action_apply()
        with self.assertRaisesText(ValidationError, "不能登记为受益人"):
            self.env["timebank.beneficiary"].with_user(self.operator1).with_context(
                lang="zh_CN"
            ).create(
                {
                    "volunteer_id": self.volunteer2.id,
                    "recipient_id": self.neighbour.id,
                    "relation": "sibling",
                }
            )
