# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A service withdrawal is dispatched as a service request paid from the
volunteer's reserve: hold on apply, debit on confirmation of the delivered
service, release on cancellation (R10 with R2)."""

from datetime import timedelta

from odoo.tests import tagged

from .common_dispatch import MONDAY, TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestWithdrawalRequest(TimebankDispatchCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.beneficiary_relations", "spouse,parent"
        )
        # the paying volunteer lives in village 1; the parent served lives in
        # village 2 and is served by a volunteer of village 2
        cls.payer = cls._volunteer(cls.village1)
        cls.server = cls._volunteer(cls.village2, wishes=cls.wish_meal)
        cls.beneficiary = cls.env["timebank.beneficiary"].create(
            {
                "volunteer_id": cls.payer.id,
                "recipient_id": cls.recipient2.id,
                "relation": "parent",
            }
        )
        cls.env["timebank.account"]._ensure_accounts(cls.payer | cls.server)
        cls.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": cls.payer.account_id.id,
                    "hours": 10.0,
                    "bucket": "reserve",
                    "kind": "adjustment",
                    "res_model": "timebank.test.withdrawal.request",
                    "res_id": 1,
                }
            ]
        )

    def _apply(self, hours=3.0):
        withdrawal = (
            self.env["timebank.withdrawal"]
            .with_user(self.operator)
            .create(
                {
                    "volunteer_id": self.payer.id,
                    "beneficiary_id": self.beneficiary.id,
                    "service_type_id": self.meal.id,
                    "estimated_hours": hours,
                    "date_planned": MONDAY,
                    "note": "Lunch for my father",
                }
            )
        )
        withdrawal.action_apply()
        return withdrawal

    def test_apply_creates_paid_request_at_the_served_persons_node(self):
        withdrawal = self._apply(3.0)
        request = withdrawal.request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(request.withdrawal_id, withdrawal)
        self.assertTrue(request.paid_from_reserve)
        self.assertEqual(
            (request.recipient_id, request.node_id, request.service_type_id),
            (self.recipient2, self.village2, self.meal),
        )
        self.assertEqual(request.date_start, MONDAY)
        self.assertEqual(request.date_end, MONDAY + timedelta(hours=3))
        self.assertEqual(request.note, "Lunch for my father")
        self.assertAlmostEqual(self.payer.account_id.hold_hours, 3.0)
        self.assertAlmostEqual(self.payer.account_id.available_reserve, 7.0)
        # dispatched by the served person's sub-branch, not the payer's
        Request = self.env["timebank.service.request"]
        self.assertIn(request, Request.with_user(self.operator2).search([]))
        self.assertNotIn(request, Request.with_user(self.operator).search([]))

    def test_delivered_service_debits_the_reserve_and_releases_the_hold(self):
        withdrawal = self._apply(3.0)
        request = withdrawal.request_ids.with_user(self.operator2)
        request.action_assign(self.server)
        request.action_accept()
        request.write(
            {
                "service_start": MONDAY,
                "service_end": MONDAY + timedelta(hours=2, minutes=30),
            }
        )
        request.action_done()
        record = request.record_id
        self.assertEqual(withdrawal.service_record_id, record)
        record.action_submit()
        record.action_confirm()
        account = self.payer.account_id
        account.invalidate_recordset()
        self.assertEqual(withdrawal.state, "done")
        # the real weighted hours (2.5 h x 1), not the estimate, are debited
        self.assertAlmostEqual(withdrawal.hours_debited, 2.5)
        self.assertAlmostEqual(account.balance_reserve, 7.5)
        self.assertAlmostEqual(account.hold_hours, 0.0)
        # the serving volunteer earns the hours as usual
        self.assertAlmostEqual(self.server.account_id.balance_unsettled, 2.5)
        # every balance still equals the sum of its lines, chains intact
        result = (account | self.server.account_id)._check_chain()
        self.assertTrue(result["ok"], result["message"])

    def test_cancelled_request_cancels_the_withdrawal(self):
        withdrawal = self._apply(4.0)
        withdrawal.request_ids.with_user(self.operator2).action_cancel()
        self.assertEqual(withdrawal.state, "cancelled")
        account = self.payer.account_id
        account.invalidate_recordset()
        self.assertAlmostEqual(account.hold_hours, 0.0)
        self.assertAlmostEqual(account.balance_reserve, 10.0)
        self.assertAlmostEqual(account.available_reserve, 10.0)
