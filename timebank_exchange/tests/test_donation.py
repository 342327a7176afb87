# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import TimebankExchangeCase


@tagged("post_install", "-at_install")
class TestDonation(TimebankExchangeCase):
    def test_donation_received_into_outlet_stock(self):
        donation = self._create_donation(
            self.staff_a,
            self.outlet_a,
            [(self.rice, 10, 45.0), (self.oil, 5, 35.0)],
        )
        self.assertEqual(donation.state, "draft")
        self.assertTrue(donation.name.startswith("DON/"))
        self.assertEqual(donation.donor_category, "company")
        self.assertEqual(donation.amount_total, 10 * 45.0 + 5 * 35.0)
        self.assertEqual(donation.currency_id, self.env.company.currency_id)
        self.assertFalse(donation.picking_ids)

        donation.action_confirm()
        self.assertEqual(donation.state, "confirmed")
        picking = donation.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id, self.outlet_a.in_type_id)
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.partner_id, self.company_donor)
        self.assertEqual(picking.origin, donation.name)
        self.assertEqual(picking.location_dest_id, self.outlet_a.lot_stock_id)
        self.assertEqual(picking.location_id.usage, "supplier")
        self.assertEqual(picking.timebank_donor_category, "company")
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(
            sorted(picking.move_ids.mapped("product_uom_qty")), [5.0, 10.0]
        )
        self.assertEqual(picking.move_ids.timebank_donation_line_id, donation.line_ids)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 0)

        donation.action_receive()
        self.assertEqual(picking.state, "done")
        self.assertEqual(donation.state, "received")
        self.assertTrue(donation.date_received)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 5)
        self.assertEqual(self._qty_at(self.rice, self.outlet_b), 0)
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.rice.id),
                ("location_id", "=", self.outlet_a.lot_stock_id.id),
            ]
        )
        self.assertEqual(quant.quantity, 10)
        self.assertEqual(
            donation.line_ids.filtered(
                lambda line: line.product_id == self.rice
            ).qty_received,
            10,
        )
        self.assertEqual(donation.amount_received, donation.amount_total)

    def test_validating_the_picking_marks_donation_received(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 3, 45.0)], self.resident_donor
        )
        self.assertEqual(donation.donor_category, "resident")
        donation.action_confirm()
        picking = donation.picking_ids.with_user(self.staff_a)
        picking.move_ids.quantity = 3
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(donation.state, "received")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 3)

    def test_stock_user_outside_node_validates_receipt(self):
        """A warehouse clerk without time bank rights still closes the donation."""
        clerk = new_test_user(self.env, "tb_exc_clerk", groups="stock.group_stock_user")
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.oil, 2, 0)]
        )
        donation.action_confirm()
        picking = donation.picking_ids.with_user(clerk)
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(donation.state, "received")

    def test_partial_receipt_with_backorder(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 10, 45)]
        )
        donation.action_confirm()
        picking = donation.picking_ids
        picking.move_ids.quantity = 4
        picking.move_ids.picked = True
        res = picking.button_validate()
        wizard = Form(self.env[res["res_model"]].with_context(**res["context"])).save()
        wizard.process()
        self.assertEqual(picking.state, "done")
        backorder = picking.backorder_ids
        self.assertTrue(backorder)
        self.assertEqual(backorder.timebank_donation_id, donation)
        self.assertEqual(donation.state, "confirmed", "6 units are still expected")
        self.assertEqual(donation.line_ids.qty_received, 4)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 4)
        donation.action_receive()
        self.assertEqual(donation.state, "received")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertEqual(donation.line_ids.qty_received, 10)

    def test_zero_or_negative_quantity_refused(self):
        Donation = self.env["timebank.donation"]
        before = Donation.search_count([])
        for quantity in (0, -3):
            with self.assertRaises(ValidationError):
                self._create_donation(
                    self.staff_a, self.outlet_a, [(self.rice, quantity, 45)]
                )
        with self.assertRaises(ValidationError):
            self._create_donation(self.staff_a, self.outlet_a, [(self.rice, 2, -1)])
        self.assertEqual(Donation.search_count([]), before)
        self.assertFalse(
            self.env["stock.picking"].search(
                [("picking_type_id", "=", self.outlet_a.in_type_id.id)]
            )
        )

    def test_zero_quantity_error_is_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["timebank_exchange"], ["zh_CN"], overwrite=True
        )
        Donation = (
            self.env["timebank.donation"]
            .with_user(self.staff_a)
            .with_context(lang="zh_CN")
        )
        with self.assertRaises(ValidationError) as error:
            Donation.create(
                {
                    "partner_id": self.company_donor.id,
                    "outlet_id": self.outlet_a.id,
                    "line_ids": [
                        Command.create({"product_id": self.rice.id, "quantity": 0})
                    ],
                }
            )
        self.assertIn("必须大于零", str(error.exception))

    def test_non_stored_product_refused(self):
        service = self.env["product.product"].create(
            {"name": "Cleaning", "type": "service"}
        )
        with self.assertRaises(ValidationError):
            self._create_donation(self.staff_a, self.outlet_a, [(service, 1, 10)])

    def test_confirm_or_receive_twice_refused(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 2, 45)]
        )
        with self.assertRaises(UserError):
            donation.action_receive()  # not confirmed yet
        donation.action_confirm()
        with self.assertRaises(UserError):
            donation.action_confirm()
        self.assertEqual(len(donation.picking_ids), 1)
        donation.action_receive()
        with self.assertRaises(UserError):
            donation.action_receive()
        with self.assertRaises(UserError):
            donation.picking_ids.with_user(self.staff_a).button_validate()
        self.assertEqual(len(donation.picking_ids), 1)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 2)

    def test_receipt_cancelled_in_inventory(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 2, 45)]
        )
        donation.action_confirm()
        donation.picking_ids.action_cancel()
        with self.assertRaises(UserError):
            donation.action_receive()
        self.assertEqual(donation.state, "confirmed")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 0)
        donation.action_cancel()
        self.assertEqual(donation.state, "cancel")

    def test_empty_donation_cannot_be_confirmed(self):
        donation = self._create_donation(self.staff_a, self.outlet_a, [])
        with self.assertRaises(UserError):
            donation.action_confirm()
        self.assertEqual(donation.state, "draft")
        self.assertFalse(donation.picking_ids)

    def test_lines_locked_after_confirmation(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 2, 45)]
        )
        donation.action_confirm()
        with self.assertRaises(UserError):
            donation.line_ids.quantity = 20
        with self.assertRaises(UserError):
            donation.write({"line_ids": [Command.create({"product_id": self.oil.id})]})
        self.assertEqual(donation.picking_ids.move_ids.product_uom_qty, 2)

    def test_cancel(self):
        donation = self._create_donation(
            self.staff_a, self.outlet_a, [(self.rice, 2, 45)]
        )
        donation.action_confirm()
        donation.action_cancel()
        self.assertEqual(donation.state, "cancel")
        self.assertEqual(donation.picking_ids.state, "cancel")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 0)
        donation.action_draft()
        self.assertEqual(donation.state, "draft")

        received = self._create_donation(
            self.staff_a, self.outlet_a, [(self.oil, 1, 35)]
        )
        received.action_confirm()
        received.action_receive()
        with self.assertRaises(UserError):
            received.action_cancel()
        with self.assertRaises(UserError):
            received.with_user(self.manager).unlink()
        self.assertEqual(received.state, "received")
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 1)
