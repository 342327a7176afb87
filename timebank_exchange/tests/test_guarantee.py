# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common_star import TimebankStarCase


@tagged("post_install", "-at_install")
class TestGuarantee(TimebankStarCase):
    """Stored hours valued at the configured yuan per hour beside the funds:

    town A: volunteer A served 5 h of technical service (10 weighted hours),
    settled into 5 goods-exchangeable and 5 service-reserve hours; funds:
    1,000 general (government) + 500 restricted to training - 300 spent
    on exchange goods from the general fund.
    town B: volunteer B served 3 h of meal delivery (3 unsettled hours);
    funds: 20 general (resident).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "timebank_exchange.guarantee_hour_value", "12.5"
        )
        cls._serve(cls.vol_a, 5, cls.pipe, cls.operator_a)
        cls._move(cls.vol_a, {"unsettled": -10, "goods": 5, "reserve": 5}, 1)
        cls._serve(cls.vol_b, 3, cls.meal, cls.operator_vb, cls.rec_b)
        cls._contribution(cls.finance_a, 1000)
        cls._contribution(
            cls.finance_a,
            500,
            source="social",
            partner=cls.charity,
            restricted_purpose="training",
        )
        cls._spending(cls.finance_a, 300, "goods").action_post()
        cls._contribution(cls.finance_b, 20, source="resident", node=cls.town_b)

    def _rows(self, user=None):
        Report = self.env["timebank.guarantee.report"]
        if user:
            Report = Report.with_user(user)
        nodes = (
            self.district | self.town_a | self.town_b | self.village_a | self.village_b
        )
        return {
            row.node_id: row for row in Report.search([("node_id", "in", nodes.ids)])
        }

    def assertFigures(self, row, expected):
        for fname, value in expected.items():
            self.assertAlmostEqual(row[fname], value, places=2, msg=fname)

    def test_figures(self):
        rows = self._rows(self.district_admin)
        self.assertFigures(
            rows[self.town_a],
            {
                "hours_unsettled": 0.0,
                "hours_goods": 5.0,
                "hours_reserve": 5.0,
                "hours_total": 10.0,
                "hour_value": 12.5,
                "liability_value": 125.0,
                "fund_balance": 1200.0,
                "fund_available": 700.0,
                "shortfall": 0.0,
                "coverage": 560.0,
            },
        )
        self.assertFigures(
            rows[self.town_b],
            {
                "hours_unsettled": 3.0,
                "hours_total": 3.0,
                "liability_value": 37.5,
                "fund_balance": 20.0,
                "fund_available": 20.0,
                "shortfall": 17.5,
                "coverage": 53.3,
            },
        )
        # the head bank sums its subtree: 13 h = 162.50 yuan against 720 yuan
        self.assertFigures(
            rows[self.district],
            {
                "hours_total": 13.0,
                "liability_value": 162.5,
                "fund_balance": 1220.0,
                "fund_available": 720.0,
                "shortfall": 0.0,
                "coverage": 443.1,
            },
        )
        self.assertEqual(rows[self.district].volunteer_count, 2)
        self.assertEqual(rows[self.district].level, "district")
        # the sub-branch holds the hours, its branch holds the money
        self.assertFigures(
            rows[self.village_a],
            {"hours_total": 10.0, "fund_available": 0.0, "shortfall": 125.0},
        )
        self.assertFalse(rows[self.village_a].coverage == 100.0)

    def test_hour_value_setting(self):
        settings = self.env["res.config.settings"].create(
            {"timebank_guarantee_hour_value": 100.0}
        )
        settings.execute()
        rows = self._rows()
        self.assertFigures(
            rows[self.town_a],
            {"liability_value": 1000.0, "shortfall": 300.0, "coverage": 70.0},
        )
        self.assertFigures(rows[self.district], {"liability_value": 1300.0})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"timebank_guarantee_hour_value": -1.0}
            )

    def test_follows_the_ledger(self):
        # more hours deposited in town B: the liability follows at once
        self._serve(self.vol_b, 5, self.pipe, self.operator_vb, self.rec_b)
        self.assertFigures(
            self._rows()[self.town_b],
            {"hours_total": 13.0, "liability_value": 162.5, "shortfall": 142.5},
        )

    def test_rights(self):
        rows = self._rows(self.finance_b)
        self.assertEqual(set(rows), {self.town_b, self.village_b})
        rows = self._rows(self.operator_a)
        self.assertEqual(set(rows), {self.village_a})
        self.assertEqual(len(self._rows(self.finance_manager)), 5)
        # a user without a time bank role has no access
        with self.assertRaises(AccessError):
            self.env["timebank.guarantee.report"].with_user(
                new_test_user(self.env, "tb_guarantee_nobody")
            ).search([])

    def test_dashboard_menu(self):
        """The district administrator reaches every dashboard entry and can
        group its figures; a station operator does not see the dashboard."""
        dashboard = self.env.ref("timebank_exchange.menu_timebank_dashboard")
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(self.district_admin)._visible_menu_ids()
        self.assertIn(dashboard.id, visible)
        entries = dashboard.child_id
        self.assertEqual(len(entries), 6)
        self.assertTrue(set(entries.ids) <= visible)
        self.assertNotIn(
            dashboard.id, Menu.with_user(self.operator_a)._visible_menu_ids()
        )
        for menu in entries:
            action = menu.action.sudo()
            Model = self.env[action.res_model].with_user(self.district_admin)
            domain = safe_eval(action.domain or "[]")
            self.assertIsInstance(Model.search_count(domain), int)
        hours = self.env["timebank.service.record"].with_user(self.district_admin)
        groups = dict(
            hours._read_group(
                [
                    ("state", "=", "confirmed"),
                    ("node_id", "child_of", self.district.id),
                ],
                ["node_id"],
                ["weighted_hours:sum"],
            )
        )
        self.assertEqual(groups, {self.village_a: 10.0, self.village_b: 3.0})
        stars = self.env["timebank.volunteer"].with_user(self.district_admin)
        self.assertEqual(
            dict(
                stars._read_group(
                    [("id", "in", (self.vol_a | self.vol_b).ids)],
                    ["stars"],
                    ["__count"],
                )
            ),
            {"1": 1, "0": 1},
        )
