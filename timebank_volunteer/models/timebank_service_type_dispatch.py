# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankServiceType(models.Model):
    _inherit = "timebank.service.type"

    wish_ids = fields.Many2many(
        "timebank.service.wish",
        string="Matching Willingness",
        help="Volunteers willing to give one of these services qualify for "
        "requests of this type.",
    )
    skill_ids = fields.Many2many(
        "timebank.skill",
        string="Matching Skills",
        help="Volunteers with one of these skills qualify for requests of this "
        "type and rank higher. Without any willingness or skill set here, "
        "every active volunteer qualifies.",
    )
    is_emergency = fields.Boolean(
        string="Emergency",
        help="Requests of this type jump the dispatch queue.",
    )
