# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class TimebankExchangeCase(TransactionCase):
    """Two town branches, one outlet each, a user per role and two goods."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Node = cls.env["timebank.node"]
        cls.district = Node.create(
            {"name": "Test District", "code": "TXD", "kind": "district"}
        )
        cls.town_a, cls.town_b = Node.create(
            [
                {
                    "name": "Town A",
                    "code": "TXD-A",
                    "kind": "town",
                    "parent_id": cls.district.id,
                },
                {
                    "name": "Town B",
                    "code": "TXD-B",
                    "kind": "town",
                    "parent_id": cls.district.id,
                },
            ]
        )
        cls.manager = new_test_user(
            cls.env,
            "tb_exc_manager",
            groups="timebank_exchange.group_exchange_manager",
        )
        cls.staff_a = new_test_user(
            cls.env,
            "tb_exc_staff_a",
            groups="timebank_exchange.group_exchange_staff",
            timebank_node_ids=[Command.set(cls.town_a.ids)],
        )
        cls.staff_b = new_test_user(
            cls.env,
            "tb_exc_staff_b",
            groups="timebank_exchange.group_exchange_staff",
            timebank_node_ids=[Command.set(cls.town_b.ids)],
        )
        cls.exchange_location = cls.env.ref(
            "timebank_exchange.stock_location_timebank_exchange"
        )
        Outlet = cls.env["timebank.exchange.outlet"].with_user(cls.manager)
        cls.outlet_a = Outlet.create(
            {"name": "Outlet A", "code": "TXA", "node_id": cls.town_a.id}
        )
        cls.outlet_b = Outlet.create(
            {"name": "Outlet B", "code": "TXB", "node_id": cls.town_b.id}
        )
        # back to the superuser environment for the test data
        cls.outlet_a = cls.outlet_a.with_env(cls.env)
        cls.outlet_b = cls.outlet_b.with_env(cls.env)
        Product = cls.env["product.product"]
        cls.rice = Product.create(
            {
                "name": "Rice 5kg",
                "type": "consu",
                "is_storable": True,
                "timebank_exchangeable": True,
                "timebank_hour_price": 5.0,
            }
        )
        cls.oil = Product.create(
            {
                "name": "Cooking Oil 1.8L",
                "type": "consu",
                "is_storable": True,
                "timebank_exchangeable": True,
                "timebank_hour_price": 4.0,
            }
        )
        cls.company_donor = cls.env["res.partner"].create(
            {"name": "Grain Company", "is_company": True}
        )
        cls.resident_donor = cls.env["res.partner"].create({"name": "Resident Wang"})

    @classmethod
    def _create_donation(cls, user, outlet, lines, partner=None, **vals):
        """Create a draft donation as ``user``; ``lines``: (product, qty, value)."""
        values = {
            "partner_id": (partner or cls.company_donor).id,
            "outlet_id": outlet.id,
            "line_ids": [
                Command.create(
                    {"product_id": product.id, "quantity": qty, "unit_value": value}
                )
                for product, qty, value in lines
            ],
            **vals,
        }
        return cls.env["timebank.donation"].with_user(user).create(values)

    def _qty_at(self, product, outlet):
        return product.with_context(location=outlet.lot_stock_id.id).qty_available
