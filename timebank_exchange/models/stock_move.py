# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    timebank_donation_line_id = fields.Many2one(
        "timebank.donation.line",
        string="Donation Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )

    def _prepare_move_split_vals(self, qty):
        vals = super()._prepare_move_split_vals(qty)
        # the rest of a partly received donation still belongs to its line
        vals["timebank_donation_line_id"] = self.timebank_donation_line_id.id
        return vals

    timebank_redemption_line_id = fields.Many2one(
        "timebank.redemption.line",
        string="Redemption Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        redemptions = moves.filtered(
            lambda m: m.state == "done"
        ).timebank_redemption_line_id.redemption_id
        if redemptions:
            # whoever may validate the delivery hands the goods over; marking
            # the order done is a consequence of that validation
            redemptions.sudo()._mark_handed_over()
        return moves
