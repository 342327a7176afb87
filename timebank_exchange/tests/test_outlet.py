# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from ast import literal_eval

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TimebankExchangeCase


@tagged("post_install", "-at_install")
class TestOutlet(TimebankExchangeCase):
    def test_outlet_creates_its_stock_setup(self):
        outlet = self.outlet_a
        warehouse = outlet.warehouse_id
        self.assertTrue(warehouse, "the outlet must own a warehouse")
        self.assertTrue(warehouse.timebank_is_outlet)
        self.assertEqual(warehouse.code, "TXA")
        self.assertEqual(warehouse.name, "Outlet A")
        self.assertEqual(outlet.lot_stock_id, warehouse.lot_stock_id)
        self.assertEqual(outlet.lot_stock_id.usage, "internal")
        self.assertEqual(outlet.lot_stock_id.warehouse_id, warehouse)
        self.assertEqual(outlet.in_type_id.code, "incoming")
        self.assertEqual(outlet.in_type_id.warehouse_id, warehouse)
        self.assertEqual(
            outlet.in_type_id.default_location_dest_id, outlet.lot_stock_id
        )
        self.assertEqual(outlet.out_type_id.code, "outgoing")
        self.assertEqual(outlet.out_type_id.warehouse_id, warehouse)
        self.assertEqual(
            outlet.out_type_id.default_location_src_id, outlet.lot_stock_id
        )
        # redeemed goods leave for the dedicated exchange location
        self.assertEqual(outlet.exchange_location_id, self.exchange_location)
        self.assertEqual(self.exchange_location.usage, "customer")
        # each outlet has its own locations and operation types
        self.assertNotEqual(self.outlet_b.lot_stock_id, outlet.lot_stock_id)
        self.assertNotEqual(self.outlet_b.in_type_id, outlet.in_type_id)
        self.assertNotEqual(self.outlet_b.out_type_id, outlet.out_type_id)

    def test_outlet_changes_follow_on_warehouse(self):
        self.outlet_a.with_user(self.manager).write(
            {"name": "Outlet A renamed", "code": "TXA2"}
        )
        self.assertEqual(self.outlet_a.warehouse_id.name, "Outlet A renamed")
        self.assertEqual(self.outlet_a.warehouse_id.code, "TXA2")
        self.outlet_a.with_user(self.manager).active = False
        self.assertFalse(self.outlet_a.warehouse_id.active)

    def test_outlet_cannot_be_deleted(self):
        with self.assertRaises(UserError):
            self.outlet_a.with_user(self.manager).unlink()
        self.assertTrue(self.outlet_a.exists())

    def test_staff_cannot_create_outlet(self):
        Outlet = self.env["timebank.exchange.outlet"].with_user(self.staff_a)
        warehouses = self.env["stock.warehouse"].search_count([])
        with self.assertRaises(AccessError):
            Outlet.create({"name": "Rogue", "code": "RGE", "node_id": self.town_a.id})
        self.assertEqual(self.env["stock.warehouse"].search_count([]), warehouses)

    def test_stock_action_shows_only_the_outlet(self):
        for outlet in self.outlet_a | self.outlet_b:
            self.env["stock.quant"]._update_available_quantity(
                self.rice, outlet.lot_stock_id, 7 if outlet == self.outlet_a else 3
            )
        action = self.outlet_a.with_user(self.staff_a).action_view_stock()
        quants = self.env["stock.quant"].search(action["domain"])
        self.assertEqual(quants.location_id, self.outlet_a.lot_stock_id)
        self.assertEqual(sum(quants.mapped("quantity")), 7)

    def test_low_stock_through_reordering_rules(self):
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": self.outlet_a.warehouse_id.id,
                "location_id": self.outlet_a.lot_stock_id.id,
                "product_id": self.rice.id,
                "trigger": "manual",
                "product_min_qty": 10,
                "product_max_qty": 30,
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            self.rice, self.outlet_a.lot_stock_id, 4
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_exchange.action_timebank_low_stock"
        )
        below_min = literal_eval(action["domain"]) + [
            ("qty_to_order", ">", 0),
            ("product_id.timebank_exchangeable", "=", True),
        ]
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_user(self.staff_a)
        self.assertIn(orderpoint, Orderpoint.search(below_min))
        self.env["stock.quant"]._update_available_quantity(
            self.rice, self.outlet_a.lot_stock_id, 20
        )
        self.env.invalidate_all()  # forecasts are computed, not stored
        self.assertNotIn(orderpoint, Orderpoint.search(below_min))

    def test_exchange_delivery_hooks(self):
        """The outgoing path the redemption orders will use."""
        self.env["stock.quant"]._update_available_quantity(
            self.rice, self.outlet_a.lot_stock_id, 5
        )
        self.assertEqual(self.outlet_a._get_free_qty(self.rice), {self.rice: 5})
        self.assertEqual(self.outlet_b._get_free_qty(self.rice), {self.rice: 0})
        volunteer = self.env["res.partner"].create({"name": "Volunteer Zhang"})
        vals = self.outlet_a._prepare_exchange_picking_values(volunteer, "TEST/1")
        vals["move_ids"] = [
            Command.create(
                {
                    "name": self.rice.name,
                    "product_id": self.rice.id,
                    "product_uom_qty": 2,
                    "product_uom": self.rice.uom_id.id,
                    "location_id": vals["location_id"],
                    "location_dest_id": vals["location_dest_id"],
                }
            )
        ]
        picking = self.env["stock.picking"].with_user(self.staff_a).create(vals)
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(self.outlet_a._get_free_qty(self.rice), {self.rice: 3})
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.picking_type_id, self.outlet_a.out_type_id)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 3)
        self.assertEqual(
            self.rice.with_context(location=self.exchange_location.id).qty_available, 2
        )
