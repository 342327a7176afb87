# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    # kept apart from the other inheritances so that parallel work merges
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    timebank_dispatch_overdue_hours = fields.Float(
        string="Dispatch Target (hours)",
        config_parameter="timebank_volunteer.dispatch_overdue_hours",
        default=4.0,
        help="A request not dispatched within these hours is highlighted and "
        "its branch supervisors are alerted; the share of requests dispatched "
        "within them is reported.",
    )
    timebank_followup_days = fields.Integer(
        string="Follow-up Within (days)",
        config_parameter="timebank_volunteer.followup_days",
        default=3,
        help="Days after the confirmation of a service by which the recipient "
        "is to be called back.",
    )

    @api.constrains("timebank_dispatch_overdue_hours", "timebank_followup_days")
    def _check_timebank_dispatch(self):
        for settings in self:
            if (
                settings.timebank_dispatch_overdue_hours <= 0
                or settings.timebank_followup_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The dispatch target must be positive and the follow-up "
                        "delay cannot be negative."
                    )
                )

    def set_values(self):
        Param = self.env["ir.config_parameter"].sudo()  # compare the old value
        before = Param.get_param("timebank_volunteer.dispatch_overdue_hours")
        res = super().set_values()
        if Param.get_param("timebank_volunteer.dispatch_overdue_hours") != before:
            # the share dispatched in time depends on the target
            Request = self.env["timebank.service.request"].sudo()
            requests = Request.search([("date_assigned", "!=", False)])
            self.env.add_to_compute(Request._fields["dispatched_in_time"], requests)
        return res
