# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    timebank_max_hours_per_record = fields.Float(
        string="Maximum Hours per Service",
        config_parameter="timebank_volunteer.max_hours_per_record",
        default=8.0,
        help="A service record longer than this is refused (0 = no limit).",
    )
    timebank_max_hours_per_day = fields.Float(
        string="Maximum Hours per Day",
        config_parameter="timebank_volunteer.max_hours_per_day",
        default=12.0,
        help="A volunteer cannot record more service hours in one day (0 = no limit).",
    )
    timebank_storage_cap = fields.Float(
        string="Storage Cap (hours)",
        config_parameter="timebank_volunteer.storage_cap",
        default=1500.0,
        help="Maximum weighted hours stored in one time account; a deposit "
        "above it is refused (0 = no cap). Nanjing caps stored hours at 1,500.",
    )

    @api.constrains(
        "timebank_max_hours_per_record",
        "timebank_max_hours_per_day",
        "timebank_storage_cap",
    )
    def _check_timebank_limits(self):
        for settings in self:
            if (
                settings.timebank_max_hours_per_record < 0
                or settings.timebank_max_hours_per_day < 0
                or settings.timebank_storage_cap < 0
            ):
                raise ValidationError(
                    self.env._("Time bank limits cannot be negative.")
                )
