# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankRecipient(models.Model):
    _inherit = "timebank.recipient"

    guardian_partner_id = fields.Many2one(
        "res.partner",
        string="Family Contact (Portal)",
        index=True,
        help="A family member with a portal user on this contact may ask for "
        "services for the recipient from the portal.",
    )
