# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    timebank_exchangeable = fields.Boolean(
        string="Exchangeable for Hours",
        index=True,
        help="Volunteers may exchange their goods-exchangeable hours for this "
        "product at the exchange outlets.",
    )
    timebank_hour_price = fields.Float(
        string="Price in Hours",
        digits=(16, 2),
        help="Weighted hours a volunteer pays for one unit of this product.",
    )

    @api.constrains("timebank_exchangeable", "timebank_hour_price", "is_storable")
    def _check_timebank_exchangeable(self):
        for template in self.filtered("timebank_exchangeable"):
            if not template.is_storable:
                raise ValidationError(
                    self.env._(
                        "%(product)s cannot be exchanged for hours: only goods "
                        "tracked in stock can be exchanged.",
                        product=template.display_name,
                    )
                )
            if template.timebank_hour_price <= 0:
                raise ValidationError(
                    self.env._(
                        "%(product)s is exchangeable for hours: its price in hours "
                        "must be greater than zero.",
                        product=template.display_name,
                    )
                )
        for template in self.filtered(lambda t: t.timebank_hour_price < 0):
            raise ValidationError(
                self.env._(
                    "The price in hours of %(product)s cannot be negative.",
                    product=template.display_name,
                )
            )
