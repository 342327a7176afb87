# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import itertools

from odoo import Command

from .common import TimebankExchangeCase

SETTLEMENT_SOURCE = "timebank.redemption.test"


class TimebankRedemptionCase(TimebankExchangeCase):
    """Volunteers with goods-exchangeable hours and stock at the outlets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settlement_ids = itertools.count(1)
        Node = cls.env["timebank.node"]
        cls.village_a, cls.village_b = Node.create(
            [
                {
                    "name": "Village A",
                    "code": "TXD-VA",
                    "kind": "village",
                    "parent_id": cls.town_a.id,
                },
                {
                    "name": "Village B",
                    "code": "TXD-VB",
                    "kind": "village",
                    "parent_id": cls.town_b.id,
                },
            ]
        )
        Partner = cls.env["res.partner"]
        cls.volunteer_a, cls.volunteer_b = cls.env["timebank.volunteer"].create(
            [
                {
                    "partner_id": Partner.create({"name": name}).id,
                    "node_id": node.id,
                    "state": "active",
                }
                for name, node in (
                    ("Volunteer Liu", cls.village_a),
                    ("Volunteer Chen", cls.village_b),
                )
            ]
        )
        cls.account_a = cls.volunteer_a.account_id
        cls.account_b = cls.volunteer_b.account_id
        cls._settle(cls.volunteer_a, 20.0)
        cls._settle(cls.volunteer_b, 20.0)
        cls.soap = cls.env["product.product"].create(
            {"name": "Plain Soap", "type": "consu", "is_storable": True}
        )
        Quant = cls.env["stock.quant"]
        for product, outlet, qty in (
            (cls.rice, cls.outlet_a, 10),
            (cls.oil, cls.outlet_a, 3),
            (cls.soap, cls.outlet_a, 5),
            (cls.rice, cls.outlet_b, 4),
        ):
            Quant._update_available_quantity(product, outlet.lot_stock_id, qty)

    @classmethod
    def _settle(cls, volunteer, hours):
        """Put hours into the goods bucket as a settlement would."""
        return cls.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": volunteer.account_id.id,
                    "hours": hours,
                    "bucket": "goods",
                    "kind": "settlement",
                    "res_model": SETTLEMENT_SOURCE,
                    "res_id": next(cls.settlement_ids),
                }
            ]
        )

    def _redemption(self, user, lines, volunteer=None, outlet=None):
        """A draft redemption as ``user``; ``lines``: (product, quantity)."""
        return (
            self.env["timebank.redemption"]
            .with_user(user)
            .create(
                {
                    "volunteer_id": (volunteer or self.volunteer_a).id,
                    "outlet_id": (outlet or self.outlet_a).id,
                    "line_ids": [
                        Command.create({"product_id": product.id, "quantity": qty})
                        for product, qty in lines
                    ],
                }
            )
        )

    def _goods(self, account):
        account.invalidate_recordset()
        return account.balance_goods

    def _free_at(self, product, outlet):
        product.invalidate_recordset()
        return outlet._get_free_qty(product)[product]

    def _ledger(self, redemption):
        return self.env["timebank.ledger.line"].search(
            [
                ("res_model", "=", "timebank.redemption"),
                ("res_id", "=", redemption.id),
            ],
            order="id",
        )

    def _pickings(self, redemption):
        return self.env["stock.picking"].search(
            [("timebank_redemption_id", "=", redemption.id)]
        )

    def assertBalanceIsSumOfLines(self, account):
        account.invalidate_recordset()
        groups = dict(
            self.env["timebank.ledger.line"]._read_group(
                [("account_id", "=", account.id)], ["bucket"], ["hours:sum"]
            )
        )
        self.assertAlmostEqual(account.balance_goods, groups.get("goods", 0.0))
        check = account._check_chain()
        self.assertTrue(check["ok"], check["message"])

    def assertNothingDone(self, redemption, account, goods_before, free_before):
        """A refused confirmation posted nothing and left no picking."""
        self.assertEqual(redemption.state, "draft")
        self.assertFalse(self._ledger(redemption))
        self.assertFalse(self._pickings(redemption))
        self.assertAlmostEqual(self._goods(account), goods_before)
        for product, outlet, qty in free_before:
            self.assertEqual(self._free_at(product, outlet), qty)
        self.assertBalanceIsSumOfLines(account)
