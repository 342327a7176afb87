# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import models
from odoo.exceptions import UserError


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _create_return(self):
        if self.picking_id.timebank_redemption_id and not self.env.context.get(
            "timebank_redemption_return"
        ):
            raise UserError(
                self.env._(
                    "These goods were exchanged for hours with %(name)s: return "
                    "them from the redemption order, so that the hours are "
                    "credited back.",
                    name=self.picking_id.timebank_redemption_id.name,
                )
            )
        return super()._create_return()
