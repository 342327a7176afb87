# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    timebank_node_ids = fields.Many2many(
        "timebank.node",
        "timebank_node_user_rel",
        "user_id",
        "node_id",
        string="Time Bank Nodes",
        help="Nodes of the time bank this user works for; the user sees these "
        "nodes and everything below them.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "timebank_node_ids" in vals:
            self.env.registry.clear_cache()
        return res
