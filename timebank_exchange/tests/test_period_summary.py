# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common_commendation import TimebankCommendationCase
from .test_commendation_report import pdf_text


@tagged("post_install", "-at_install")
class TestPeriodSummary(TimebankCommendationCase, HttpCase):
    """The services of the commendation case, plus money and a redemption."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        government = cls.env["res.partner"].create(
            {"name": "District Finance Bureau", "is_company": True}
        )
        Contribution = cls.env["timebank.contribution"]
        contributions = Contribution.create(
            [
                {
                    "source_category": source,
                    "partner_id": government.id,
                    "node_id": node.id,
                    "kind": "money",
                    "amount": amount,
                    "date": day,
                }
                for source, node, amount, day in (
                    ("government", cls.town1, 5000, "2025-05-01"),
                    ("resident", cls.village3, 800, "2025-07-01"),
                    ("government", cls.town1, 999, "2024-12-31"),
                )
            ]
        )
        contributions.action_receive()
        spending = cls.env["timebank.spending"].create(
            {
                "description": "Volunteer training",
                "purpose": "training",
                "source_category": "government",
                "node_id": cls.town1.id,
                "amount": 1234,
                "date": "2025-08-01",
            }
        )
        spending.action_post()
        outlet = cls.env["timebank.exchange.outlet"].create(
            {"name": "Outlet T1", "code": "OT1", "node_id": cls.town1.id}
        )
        rice = cls.env["product.product"].create(
            {
                "name": "Rice 5kg",
                "type": "consu",
                "is_storable": True,
                "timebank_exchangeable": True,
                "timebank_hour_price": 5.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(rice, outlet.lot_stock_id, 10)
        cls.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": cls.vol_li.account_id.id,
                    "hours": 20.0,
                    "bucket": "goods",
                    "kind": "settlement",
                    "res_model": "timebank.period.summary.test",
                    "res_id": 1,
                }
            ]
        )
        redemption = cls.env["timebank.redemption"].create(
            {
                "volunteer_id": cls.vol_li.id,
                "outlet_id": outlet.id,
                "date": "2025-06-01",
                "line_ids": [Command.create({"product_id": rice.id, "quantity": 3})],
            }
        )
        redemption.action_confirm()
        redemption.action_hand_over()
        cls.wizard = (
            cls.env["timebank.period.summary.wizard"]
            .with_user(cls.admin)
            .create(
                {
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                    "node_id": cls.district.id,
                }
            )
        )

    def _figures(self, row):
        return (
            row["name"],
            row["services"],
            row["hours"],
            row["categories"],
            row["recipients"],
            row["groups"],
            row["followups"],
            round(row["avg_score"], 2),
            row["redemptions"],
            row["redeemed_hours"],
            row["goods"],
            row["contributions"],
            row["spending"],
        )

    def test_figures(self):
        data = self.wizard._get_summary_data()
        ordinary, technical, professional = (
            self.env.ref(f"timebank_volunteer.service_category_{code}").name
            for code in ("ordinary", "technical", "professional")
        )
        dibao, disabled = self.priority_dibao.name, self.priority_disabled.name
        self.assertEqual(
            [self._figures(row) for row in data["sections"]],
            [
                (
                    "Town 1",
                    4,
                    17.0,
                    [(ordinary, 10.0), (technical, 4.0), (professional, 3.0)],
                    4,
                    [(dibao, 2), (disabled, 1)],
                    4,
                    4.0,
                    1,
                    15.0,
                    3.0,
                    5000.0,
                    1234.0,
                ),
                (
                    "Town 2",
                    3,
                    13.0,
                    [(ordinary, 13.0), (technical, 0.0), (professional, 0.0)],
                    2,
                    [(dibao, 0), (disabled, 0)],
                    3,
                    3.0,
                    0,
                    0.0,
                    0.0,
                    800.0,
                    0.0,
                ),
            ],
        )
        self.assertEqual(
            self._figures(data["total"])[1:],
            (
                7,
                30.0,
                [(ordinary, 23.0), (technical, 4.0), (professional, 3.0)],
                6,
                [(dibao, 2), (disabled, 1)],
                7,
                3.57,
                1,
                15.0,
                3.0,
                5800.0,
                1234.0,
            ),
        )

    def test_town_sections(self):
        self.wizard.node_id = self.town1
        data = self.wizard._get_summary_data()
        self.assertEqual(
            [(row["name"], row["services"], row["hours"]) for row in data["sections"]],
            [("Care Society", 1, 3.0), ("Village 1", 2, 7.0), ("Village 2", 1, 7.0)],
        )
        # the outlet, the contribution and the spending sit on the town itself
        self.assertEqual(
            (data["total"]["services"], data["total"]["redemptions"]), (4, 1)
        )
        self.assertEqual(data["total"]["contributions"], 5000.0)

    def test_operator_cannot_print(self):
        with self.assertRaises(AccessError):
            self.env["timebank.period.summary.wizard"].with_user(self.operator).create(
                {
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                    "node_id": self.village1.id,
                }
            )

    def test_pdf_in_chinese(self):
        text = pdf_text(
            self,
            "timebank_exchange.action_report_timebank_period_summary",
            self.wizard,
            self.admin,
        )
        for expected in (
            "时间银行阶段总结报表",
            "Town 1",
            "Town 2",
            "总计",
            "服务次数",
            "折算时数",
            "服务对象人数",
            "平均满意度",
            "兑换次数",
            "资金筹集",
            "17.00",
            "30.00",
            "3.57",
            "5,800.00",
            "1,234.00",
        ):
            self.assertIn(expected, text)
        # money received before the period is not in it
        self.assertNotIn("999.00", text)

    def test_supervisor_sees_own_town(self):
        """A town supervisor prints the summary of the town with the rights
        of the town: the same figures as the district administrator's."""
        self.wizard.node_id = self.town1
        expected = self._figures(self.wizard._get_summary_data()["total"])
        wizard = (
            self.env["timebank.period.summary.wizard"]
            .with_user(self.supervisor)
            .create(
                {
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                    "node_id": self.town1.id,
                }
            )
        )
        self.assertEqual(self._figures(wizard._get_summary_data()["total"]), expected)
