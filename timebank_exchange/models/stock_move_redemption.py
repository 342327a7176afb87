# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    timebank_redemption_line_id = fields.Many2one(
        "timebank.redemption.line",
        string="Redemption Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
