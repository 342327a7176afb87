# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TimebankServiceCategory(models.Model):
    """Category of services with its weighting coefficient (R9).

    Weighted hours (通用值) = duration x coefficient. The coefficient is
    configuration: a service record freezes the value it had when the record
    was confirmed, so changing it later never changes deposited hours.
    """

    _name = "timebank.service.category"
    _description = "Time Bank Service Category"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    coefficient = fields.Float(
        digits=(16, 2),
        required=True,
        default=1.0,
        tracking=True,
        help="Weighted hours = real duration x this coefficient.",
    )
    type_ids = fields.One2many(
        "timebank.service.type", "category_id", string="Service Types"
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of a service category must be unique."),
    ]

    @api.constrains("coefficient")
    def _check_coefficient(self):
        for category in self:
            if category.coefficient <= 0 or category.coefficient > 10:
                raise ValidationError(
                    self.env._(
                        "The coefficient of %(category)s must be above 0 and at "
                        "most 10.",
                        category=category.name,
                    )
                )
