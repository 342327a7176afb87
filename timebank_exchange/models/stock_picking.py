# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


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
