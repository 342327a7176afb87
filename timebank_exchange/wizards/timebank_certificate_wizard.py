# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TimebankCertificateWizard(models.TransientModel):
    """Pick a period and print the service certificate (志愿服务证明)."""

    _name = "timebank.certificate.wizard"
    _description = "Service Certificate"

    volunteer_ids = fields.Many2many(
        "timebank.volunteer", string="Volunteers", required=True
    )
    date_from = fields.Date(
        string="Period Start",
        required=True,
        default=lambda self: self._default_date_from(),
    )
    date_to = fields.Date(
        string="Period End", required=True, default=fields.Date.context_today
    )

    @api.model
    def _default_date_from(self):
        return date(fields.Date.context_today(self).year, 1, 1)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._("The start of the period must not be after its end.")
                )

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "timebank_exchange.action_report_service_certificate"
        ).report_action(
            self.volunteer_ids,
            data={
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
            },
        )
