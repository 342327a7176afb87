# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_finance import TimebankFinanceCase


@tagged("post_install", "-at_install")
class TestFinance(TimebankFinanceCase):
    def _balances(self, contributions=None):
        """``{(source, fund): (received, spent, balance)}`` of the test's funds."""
        Report = self.env["timebank.fund.report"]
        domain = [("node_id", "child_of", self.district.id)]
        return {
            (source, fund): (amount_in, amount_out, amount)
            for source, fund, amount_in, amount_out, amount in Report._read_group(
                domain,
                ["source_category", "fund_purpose"],
                ["amount_in:sum", "amount_out:sum", "amount:sum"],
            )
        }

    def test_fund_balances_by_source_and_purpose(self):
        user = self.finance_a
        gov = self._contribution(user, 10000)
        gov_training = self._contribution(user, 3000, restricted_purpose="training")
        company = self._contribution(
            user, 2000, source="company", node=self.town_a, partner=self.charity
        )
        # pledged only: not a fund yet
        self.env["timebank.contribution"].with_user(user).create(
            {
                "source_category": "resident",
                "partner_id": self.resident_donor.id,
                "node_id": self.town_a.id,
                "amount": 500,
            }
        )
        posted = (
            self._spending(user, 4000, "service")
            | self._spending(user, 1000, "training", contribution_id=gov_training.id)
            | self._spending(user, 500, "goods", source="company")
        )
        posted.action_post()
        self._spending(user, 700, "award")  # draft: not counted
        cancelled = self._spending(user, 300, "equipment")
        cancelled.action_post()
        cancelled.action_cancel()

        self.assertEqual(
            self._balances(),
            {
                ("government", "general"): (10000.0, 4000.0, 6000.0),
                ("government", "training"): (3000.0, 1000.0, 2000.0),
                ("company", "general"): (2000.0, 500.0, 1500.0),
            },
        )
        self.assertEqual(posted.mapped("state"), ["posted"] * 3)
        self.assertEqual(cancelled.state, "cancel")
        self.assertEqual(gov.amount_spent, 4000.0)
        self.assertEqual(gov.amount_remaining, 6000.0)
        self.assertEqual(gov_training.amount_remaining, 2000.0)
        self.assertEqual(company.amount_spent, 500.0)
        # the spending charged to the general fund keeps what it paid for
        service_line = self.env["timebank.fund.report"].search(
            [("spending_id", "=", posted[0].id)]
        )
        self.assertEqual(
            (service_line.fund_purpose, service_line.purpose, service_line.amount),
            ("general", "service", -4000.0),
        )

    def test_general_fund_used_oldest_first(self):
        old = self._contribution(self.finance_a, 1000, date="2026-01-05")
        new = self._contribution(self.finance_a, 1000, date="2026-03-05")
        spending = self._spending(self.finance_a, 1500, "service")
        spending.action_post()
        self.assertEqual((old.amount_spent, new.amount_spent), (1000.0, 500.0))
        spending.action_cancel()
        self.assertEqual((old.amount_spent, new.amount_spent), (0.0, 0.0))

    def test_restricted_contribution_not_spent_on_another_purpose(self):
        award_fund = self._contribution(
            self.finance_a, 5000, restricted_purpose="award"
        )
        spending = self._spending(
            self.finance_a, 100, "goods", contribution_id=award_fund.id
        )
        with self.assertRaisesText(UserError, "restricted to Awards"):
            spending.action_post()
        self.assertEqual(spending.state, "draft")
        self.assertEqual(award_fund.amount_spent, 0.0)
        # nor through the general fund: restricted money is not in it
        general = self._spending(self.finance_a, 100, "goods")
        with self.assertRaisesText(UserError, "exceeds the general fund"):
            general.action_post()
        self.assertEqual(general.state, "draft")
        self.assertFalse(self._balances().get(("government", "general")))

    def test_spending_above_restricted_remainder_refused(self):
        fund = self._contribution(self.finance_a, 1000, restricted_purpose="training")
        first = self._spending(self.finance_a, 700, "training", contribution_id=fund.id)
        first.action_post()
        second = self._spending(
            self.finance_a, 300.01, "training", contribution_id=fund.id
        )
        with self.assertRaisesText(UserError, "exceeds what is left"):
            second.action_post()
        self.assertEqual(second.state, "draft")
        self.assertEqual(fund.amount_spent, 700.0)
        self.assertEqual(
            self._balances()[("government", "training")], (1000.0, 700.0, 300.0)
        )
        # exactly the remainder fits
        second.amount = 300.0
        second.action_post()
        self.assertEqual(fund.amount_remaining, 0.0)
        # a batch posting where one spending does not fit posts nothing
        self._contribution(self.finance_a, 1000, source="social", partner=self.charity)
        batch = self._spending(self.finance_a, 600, "goods", source="social")
        batch |= self._spending(self.finance_a, 600, "goods", source="social")
        with self.assertRaises(UserError):
            batch.action_post()
        self.assertEqual(batch.mapped("state"), ["draft", "draft"])

    def test_spending_charged_to_the_contribution_source(self):
        fund = self._contribution(
            self.finance_a, 1000, source="social", restricted_purpose="training"
        )
        spending = self._spending(
            self.finance_a, 100, "training", contribution_id=fund.id
        )
        self.assertEqual(spending.source_category, "social")

    def test_cancel_contribution_in_use_refused(self):
        fund = self._contribution(self.finance_a, 1000, restricted_purpose="training")
        spending = self._spending(
            self.finance_a, 100, "training", contribution_id=fund.id
        )
        spending.action_post()
        with self.assertRaisesText(UserError, "already used by posted spending"):
            fund.action_cancel()
        with self.assertRaises(UserError):
            fund.write({"amount": 50})
        with self.assertRaises(UserError):
            spending.write({"amount": 50})
        spending.action_cancel()
        fund.action_cancel()
        self.assertEqual(fund.state, "cancel")

    def test_negative_or_zero_amounts_refused(self):
        for amount in (-100, 0):
            with self.subTest(amount=amount):
                with self.assertRaisesText(ValidationError, "greater than zero"):
                    self._spending(self.finance_a, amount, "service")
                with self.assertRaisesText(ValidationError, "greater than zero"):
                    self._contribution(self.finance_a, amount)
        self.assertFalse(
            self.env["timebank.spending"].search([("node_id", "=", self.town_a.id)])
        )

    def test_errors_are_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "timebank_exchange")]
        )._update_translations(["zh_CN"])
        Spending = (
            self.env["timebank.spending"]
            .with_user(self.finance_a)
            .with_context(lang="zh_CN")
        )
        values = {
            "description": "x",
            "purpose": "goods",
            "node_id": self.town_a.id,
            "source_category": "government",
        }
        with self.assertRaisesText(ValidationError, "必须大于零"):
            Spending.create({**values, "amount": -5})
        fund = self._contribution(self.finance_a, 500, restricted_purpose="award")
        spending = Spending.create(
            {**values, "amount": 100, "contribution_id": fund.id}
        )
        with self.assertRaisesText(UserError, "表彰奖励"):
            spending.action_post()
        self.assertEqual(spending.state, "draft")

    def test_in_kind_contribution_valued_from_donation(self):
        donation = self._create_donation(
            self.manager,
            self.outlet_a,
            [(self.rice, 10, 45.0), (self.oil, 4, 35.0)],
            partner=self.company_donor,
        )
        donation.action_confirm()
        Contribution = self.env["timebank.contribution"].with_user(self.finance_a)
        contribution = Contribution.create(
            {"kind": "in_kind", "donation_id": donation.id}
        )
        self.assertEqual(contribution.partner_id, self.company_donor)
        self.assertEqual(contribution.source_category, "company")
        self.assertEqual(contribution.node_id, self.town_a)
        with self.assertRaisesText(UserError, "not been received"):
            contribution.action_receive()
        # only 6 bags of rice arrive: the value is what was received
        move = donation.picking_ids.move_ids.filtered(
            lambda m: m.product_id == self.rice
        )
        move.quantity = 6
        donation.picking_ids.move_ids.picked = True
        donation.picking_ids.with_context(cancel_backorder=True)._action_done()
        self.assertEqual(donation.state, "received")
        contribution.action_receive()
        self.assertEqual(contribution.state, "received")
        self.assertEqual(contribution.amount, 6 * 45.0 + 4 * 35.0)
        self.assertEqual(contribution.amount, donation.amount_received)
        # goods are not money: no fund, and nothing to spend
        self.assertFalse(
            self.env["timebank.fund.report"].search(
                [("contribution_id", "=", contribution.id)]
            )
        )
        self.assertEqual(contribution.amount_remaining, 0.0)
        # the same supplies cannot be counted twice
        with self.assertRaisesText(ValidationError, "already counted"):
            Contribution.create(
                {
                    "kind": "in_kind",
                    "donation_id": donation.id,
                    "partner_id": self.company_donor.id,
                }
            )
        with self.assertRaises(ValidationError):
            Contribution.create(
                {
                    "kind": "in_kind",
                    "source_category": "company",
                    "partner_id": self.company_donor.id,
                    "node_id": self.town_a.id,
                }
            )
