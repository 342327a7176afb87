# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.tools import float_round


class TimebankRedemptionReturnLine(models.Model):
    _name = "timebank.redemption.return.line"
    _description = "Redeemed Goods Return Line"
    _order = "return_id, id"

    return_id = fields.Many2one(
        "timebank.redemption.return", required=True, index=True, ondelete="cascade"
    )
    redemption_line_id = fields.Many2one(
        "timebank.redemption.line",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('redemption_id', '=', parent.redemption_id)]",
    )
    product_id = fields.Many2one(
        related="redemption_line_id.product_id", string="Goods"
    )
    qty_redeemed = fields.Float(
        related="redemption_line_id.quantity", string="Redeemed Quantity"
    )
    quantity = fields.Float(
        string="Returned Quantity", default=0.0, digits="Product Unit of Measure"
    )
    hour_price = fields.Float(
        related="redemption_line_id.hour_price", string="Price in Hours"
    )
    hours = fields.Float(
        string="Hours Credited",
        digits=(16, 2),
        compute="_compute_hours",
        store=True,
    )
    state = fields.Selection(related="return_id.state", store=True)

    @api.depends("quantity", "redemption_line_id.hour_price")
    def _compute_hours(self):
        for line in self:
            line.hours = float_round(
                line.quantity * line.redemption_line_id.hour_price,
                precision_digits=2,
            )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.return_id._check_draft()
        return lines

    def write(self, vals):
        self.return_id._check_draft()
        res = super().write(vals)
        if "return_id" in vals:
            self.return_id._check_draft()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_return_done(self):
        self.return_id._check_draft()
