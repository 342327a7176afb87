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
