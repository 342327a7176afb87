# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TimebankDonationLine(models.Model):
    _name = "timebank.donation.line"
    _description = "Donated Supplies Line"
    _order = "donation_id, sequence, id"

    donation_id = fields.Many2one(
        "timebank.donation",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        index=True,
        domain="[('is_storable', '=', True)]",
    )
    product_uom_id = fields.Many2one(
        related="product_id.uom_id", string="Unit of Measure"
    )
    quantity = fields.Float(
        required=True, default=1.0, digits="Product Unit of Measure"
    )
    currency_id = fields.Many2one(related="donation_id.currency_id")
    unit_value = fields.Monetary(
        string="Estimated Unit Value",
        help="Estimated market value of one unit, in the company currency.",
    )
    subtotal = fields.Monetary(
        string="Estimated Value", compute="_compute_subtotal", store=True
    )
    state = fields.Selection(related="donation_id.state")
    move_ids = fields.One2many(
        "stock.move", "timebank_donation_line_id", string="Stock Moves", readonly=True
    )
    qty_received = fields.Float(
        string="Received Quantity",
        compute="_compute_qty_received",
        compute_sudo=True,
        digits="Product Unit of Measure",
    )
    note = fields.Char()

    @api.depends("quantity", "unit_value")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.quantity * line.unit_value

    @api.depends("move_ids.state", "move_ids.quantity")
    def _compute_qty_received(self):
        for line in self:
            line.qty_received = sum(
                move.product_uom._compute_quantity(move.quantity, line.product_uom_id)
                for move in line.move_ids.filtered(lambda m: m.state == "done")
            )

    @api.constrains("quantity", "unit_value", "product_id")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "The donated quantity of %(product)s must be greater than "
                        "zero.",
                        product=line.product_id.display_name,
                    )
                )
            if line.unit_value < 0:
                raise ValidationError(
                    self.env._(
                        "The estimated value of %(product)s cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if not line.product_id.is_storable:
                raise ValidationError(
                    self.env._(
                        "%(product)s is not tracked in stock: only stored goods "
                        "can be received as donated supplies.",
                        product=line.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_donation_is_draft()
        return lines

    def write(self, vals):
        if vals.keys() & {"donation_id", "product_id", "quantity", "unit_value"}:
            self._check_donation_is_draft()
        res = super().write(vals)
        if "donation_id" in vals:
            self._check_donation_is_draft()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_donation_not_draft(self):
        self._check_donation_is_draft()

    def _check_donation_is_draft(self):
        locked = self.donation_id.filtered(lambda d: d.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "Donation %(name)s is no longer a draft: its goods cannot be "
                    "changed. Cancel it and set it back to draft first.",
                    name=locked[0].name,
                )
            )

    def _prepare_stock_move_values(self, picking_vals):
        self.ensure_one()
        return {
            "name": self.product_id.display_name,
            "product_id": self.product_id.id,
            "product_uom": self.product_uom_id.id,
            "product_uom_qty": self.quantity,
            "price_unit": self.unit_value,
            "location_id": picking_vals["location_id"],
            "location_dest_id": picking_vals["location_dest_id"],
            "picking_type_id": picking_vals["picking_type_id"],
            "partner_id": picking_vals["partner_id"],
            "origin": picking_vals["origin"],
            "company_id": picking_vals["company_id"],
            "timebank_donation_line_id": self.id,
        }
