# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round


class TimebankRedemptionLine(models.Model):
    _name = "timebank.redemption.line"
    _description = "Goods Redemption Line"
    _order = "redemption_id, sequence, id"

    redemption_id = fields.Many2one(
        "timebank.redemption", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Goods",
        required=True,
        index=True,
        domain="[('timebank_exchangeable', '=', True)]",
    )
    product_uom_id = fields.Many2one(
        related="product_id.uom_id", string="Unit of Measure"
    )
    quantity = fields.Float(
        required=True, default=1.0, digits="Product Unit of Measure"
    )
    hour_price = fields.Float(
        string="Price in Hours",
        digits=(16, 2),
        compute="_compute_hour_price",
        store=True,
        help="Hours per unit, taken from the product and frozen when the order "
        "is confirmed.",
    )
    subtotal = fields.Float(
        string="Hours", digits=(16, 2), compute="_compute_subtotal", store=True
    )
    qty_returned = fields.Float(
        string="Returned Quantity",
        compute="_compute_qty_returned",
        store=True,
        digits="Product Unit of Measure",
    )
    qty_returnable = fields.Float(
        compute="_compute_qty_returnable", digits="Product Unit of Measure"
    )
    return_line_ids = fields.One2many(
        "timebank.redemption.return.line", "redemption_line_id", readonly=True
    )
    # reporting: redemptions per period, outlet and product
    date = fields.Date(related="redemption_id.date", store=True, index=True)
    outlet_id = fields.Many2one(
        related="redemption_id.outlet_id", store=True, index=True, string="Outlet"
    )
    node_id = fields.Many2one(
        related="redemption_id.node_id", store=True, index=True, string="Node"
    )
    volunteer_id = fields.Many2one(
        related="redemption_id.volunteer_id", store=True, string="Volunteer"
    )
    state = fields.Selection(related="redemption_id.state", store=True, index=True)

    @api.depends("product_id")
    def _compute_hour_price(self):
        for line in self:
            # a confirmed order keeps the price it was confirmed with
            if line.redemption_id.state in (False, "draft"):
                line.hour_price = line.product_id.timebank_hour_price

    @api.depends("quantity", "hour_price")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = float_round(
                line.quantity * line.hour_price, precision_digits=2
            )

    @api.depends("quantity", "return_line_ids.quantity", "return_line_ids.state")
    def _compute_qty_returned(self):
        for line in self:
            line.qty_returned = sum(
                line.return_line_ids.filtered(lambda r: r.state == "done").mapped(
                    "quantity"
                )
            )

    @api.depends("quantity", "qty_returned")
    def _compute_qty_returnable(self):
        for line in self:
            line.qty_returnable = max(line.quantity - line.qty_returned, 0.0)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_redemption_is_draft()
        return lines

    def write(self, vals):
        if vals.keys() & {"redemption_id", "product_id", "quantity", "hour_price"}:
            self._check_redemption_is_draft()
        res = super().write(vals)
        if "redemption_id" in vals:
            self._check_redemption_is_draft()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_redemption_not_draft(self):
        self._check_redemption_is_draft()

    def _check_redemption_is_draft(self):
        locked = self.redemption_id.filtered(lambda r: r.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "Redemption %(name)s is no longer a draft: its goods cannot be "
                    "changed.",
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
            "location_id": picking_vals["location_id"],
            "location_dest_id": picking_vals["location_dest_id"],
            "picking_type_id": picking_vals["picking_type_id"],
            "partner_id": picking_vals["partner_id"],
            "origin": picking_vals["origin"],
            "company_id": picking_vals["company_id"],
            "timebank_redemption_line_id": self.id,
        }
