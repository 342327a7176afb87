# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankServiceWish(models.Model):
    """A kind of service a volunteer says they are willing to give. Kept apart
    from the service types of the service records, which carry coefficients."""

    _name = "timebank.service.wish"
    _description = "Time Bank Service a Volunteer Is Willing to Give"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This kind of service already exists."),
    ]
