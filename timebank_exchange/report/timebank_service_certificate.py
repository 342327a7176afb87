# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError


class ReportTimebankServiceCertificate(models.AbstractModel):
    """Figures of the service certificate (志愿服务证明) of volunteers."""

    _name = "report.timebank_exchange.report_service_certificate"
    _description = "Service Certificate Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        volunteers = self.env["timebank.volunteer"].browse(docids)
        volunteers.check_access("read")
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or date(today.year, 1, 1)
        date_to = fields.Date.to_date(data.get("date_to")) or today
        if date_from > date_to:
            raise UserError(
                self.env._("The start of the period must not be after its end.")
            )
        return {
            "doc_ids": volunteers.ids,
            "doc_model": "timebank.volunteer",
            "docs": volunteers,
            "date_from": date_from,
            "date_to": date_to,
            "issue_date": today,
            "figures": {
                volunteer.id: volunteer._get_certificate_figures(date_from, date_to)
                for volunteer in volunteers
            },
        }


class ReportTimebankVolunteerStatement(models.AbstractModel):
    """Lines of the passbook statement (存折对账单) of volunteers."""

    _name = "report.timebank_exchange.report_volunteer_statement"
    _description = "Passbook Statement Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        volunteers = self.env["timebank.volunteer"].browse(docids)
        # refuse before rendering: the statement shows the volunteer's ledger
        volunteers.check_access("read")
        return {
            "doc_ids": volunteers.ids,
            "doc_model": "timebank.volunteer",
            "docs": volunteers,
            "statement_lines": {
                volunteer.id: volunteer._get_statement_lines()
                for volunteer in volunteers
            },
        }
