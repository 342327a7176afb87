# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class StockPicking(models.Model):
    _inherit = "stock.picking"

    timebank_donation_id = fields.Many2one(
        "timebank.donation",
        string="Donation",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    timebank_donor_category = fields.Selection(
        related="timebank_donation_id.donor_category", string="Donor Category"
    )

    def _action_done(self):
        res = super()._action_done()
        donations = self.timebank_donation_id
        if donations:
            # The user was allowed to validate these receipts; marking the donation
            # they belong to as received is a consequence of that, also for stock
            # users outside the donation's node.
            donations.sudo()._update_reception_state()
        return res

    def _create_backorder(self, backorder_moves=None):
        backorders = super()._create_backorder(backorder_moves=backorder_moves)
        for backorder in backorders.filtered("backorder_id.timebank_donation_id"):
            backorder.timebank_donation_id = backorder.backorder_id.timebank_donation_id
        return backorders

    timebank_redemption_id = fields.Many2one(
        "timebank.redemption",
        string="Redemption",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    timebank_redemption_return_id = fields.Many2one(
        "timebank.redemption.return",
        string="Redemption Return",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )

    def button_validate(self):
        deliveries = self.filtered("timebank_redemption_id")
        done = deliveries.filtered(lambda p: p.state in ("done", "cancel"))
        if done:
            raise UserError(
                self.env._(
                    "The goods of %(name)s were already handed over (or the "
                    "delivery was cancelled): it cannot be validated again.",
                    name=done[0].timebank_redemption_id.name,
                )
            )
        for move in deliveries.move_ids:
            if (
                float_compare(
                    move.quantity,
                    move.product_uom_qty,
                    precision_rounding=move.product_uom.rounding,
                )
                < 0
            ):
                raise UserError(
                    self.env._(
                        "Redeemed goods are handed over all at once: deliver the "
                        "full quantity of %(product)s, or cancel the redemption "
                        "%(name)s.",
                        product=move.product_id.display_name,
                        name=move.picking_id.timebank_redemption_id.name,
                    )
                )
        return super().button_validate()

    def action_cancel(self):
        if not self.env.context.get("timebank_redemption_cancel"):
            waiting = self.timebank_redemption_id.filtered(
                lambda r: r.state == "confirmed"
            )
            if waiting:
                raise UserError(
                    self.env._(
                        "This delivery belongs to redemption %(name)s: cancel the "
                        "redemption so that the hours are credited back.",
                        name=waiting[0].name,
                    )
                )
        return super().action_cancel()
