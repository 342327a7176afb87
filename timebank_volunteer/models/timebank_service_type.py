# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankServiceType(models.Model):
    _name = "timebank.service.type"
    _description = "Time Bank Service Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    category_id = fields.Many2one(
        "timebank.service.category", required=True, index=True, ondelete="restrict"
    )
    coefficient = fields.Float(related="category_id.coefficient")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
