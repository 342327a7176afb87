# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    timebank_is_outlet = fields.Boolean(
        string="Time Bank Exchange Outlet",
        readonly=True,
        copy=False,
        index=True,
        help="This warehouse is the stock of a time bank exchange outlet.",
    )
