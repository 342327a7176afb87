# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_finance import TimebankFinanceCase


@tagged("post_install", "-at_install")
class TestFinanceSecurity(TimebankFinanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contribution_a = cls._contribution(cls.finance_a, 1000)
        cls.contribution_b = cls._contribution(cls.finance_b, 2000, node=cls.town_b)
        cls.spending_a = cls._spending(cls.finance_a, 100, "service")
        cls.spending_b = cls._spending(cls.finance_b, 200, "service", node=cls.town_b)
        cls.records = cls.contribution_a | cls.contribution_b

    def _visible(self, user, model, records):
        return self.env[model].with_user(user).search([("id", "in", records.ids)])

    def test_finance_staff_work_in_their_nodes_only(self):
        self.assertEqual(
            self._visible(self.finance_a, "timebank.contribution", self.records),
            self.contribution_a,
        )
        self.assertEqual(
            self._visible(
                self.finance_a, "timebank.spending", self.spending_a | self.spending_b
            ),
            self.spending_a,
        )
        with self.assertRaises(AccessError):
            self.contribution_b.with_user(self.finance_a).read(["amount"])
        with self.assertRaises(AccessError):
            self.spending_b.with_user(self.finance_a).action_post()
        self.assertEqual(self.spending_b.state, "draft")
        with self.assertRaises(AccessError):
            self._contribution(self.finance_a, 10, node=self.town_b)
        # in their own node they post
        self.spending_a.with_user(self.finance_a).action_post()
        self.assertEqual(self.spending_a.state, "posted")
        report = self._visible(
            self.finance_a,
            "timebank.fund.report",
            self.env["timebank.fund.report"].search(
                [("node_id", "child_of", self.district.id)]
            ),
        )
        self.assertEqual(report.node_id, self.town_a)

    def test_operator_reads_own_node_only_and_never_writes(self):
        self.assertEqual(
            self._visible(self.operator_b, "timebank.contribution", self.records),
            self.contribution_b,
        )
        with self.assertRaises(AccessError):
            self.contribution_a.with_user(self.operator_b).read(["amount"])
        with self.assertRaises(AccessError):
            self.contribution_b.with_user(self.operator_b).write({"note": "x"})
        with self.assertRaises(AccessError):
            self.spending_b.with_user(self.operator_b).action_post()
        self.assertEqual(self.spending_b.state, "draft")
        with self.assertRaises(AccessError):
            self._spending(self.operator_b, 10, "service", node=self.town_b)

    def test_district_admin_reads_all_finance_manager_keeps_all(self):
        self.assertEqual(
            self._visible(self.district_admin, "timebank.contribution", self.records),
            self.records,
        )
        self.assertEqual(
            len(
                self._visible(
                    self.district_admin,
                    "timebank.fund.report",
                    self.env["timebank.fund.report"].search(
                        [("node_id", "child_of", self.district.id)]
                    ),
                )
            ),
            2,
        )
        with self.assertRaises(AccessError):
            self.contribution_a.with_user(self.district_admin).write({"note": "x"})
        self.assertEqual(
            self._visible(self.finance_manager, "timebank.contribution", self.records),
            self.records,
        )
        (self.spending_a | self.spending_b).with_user(
            self.finance_manager
        ).action_post()
        # both draw on the district's general fund, oldest contribution first
        self.assertEqual(self.contribution_a.amount_spent, 300.0)

    def test_general_fund_is_district_wide(self):
        """A town's spending may use the source's general fund received elsewhere;
        the fund is locked and updated without showing it to the user."""
        spending = self._spending(self.finance_a, 2500, "service")
        spending.with_user(self.finance_a).action_post()
        self.assertEqual(
            (self.contribution_a.amount_spent, self.contribution_b.amount_spent),
            (1000.0, 1500.0),
        )
