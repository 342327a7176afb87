# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .timebank_guarantee_report import DEFAULT_HOUR_VALUE, HOUR_VALUE_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_guarantee_hour_value = fields.Float(
        string="Value of One Hour (yuan)",
        config_parameter=HOUR_VALUE_PARAM,
        default=DEFAULT_HOUR_VALUE,
        help="Yuan per stored weighted hour, to value the hours the time bank "
        "owes its volunteers in the guarantee indicator.",
    )

    @api.constrains("timebank_guarantee_hour_value")
    def _check_timebank_guarantee_hour_value(self):
        for settings in self:
            if settings.timebank_guarantee_hour_value < 0:
                raise ValidationError(
                    self.env._("The value of one hour cannot be negative.")
                )
