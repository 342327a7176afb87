# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankPriorityGroup(models.Model):
    _name = "timebank.priority.group"
    _description = "Time Bank Priority Group"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    min_age = fields.Integer(
        string="Minimum Age",
        required=True,
        help="A recipient must be at least this old to be placed in the group.",
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of a priority group must be unique."),
        (
            "min_age_positive",
            "CHECK(min_age >= 0)",
            "The minimum age cannot be negative.",
        ),
    ]
