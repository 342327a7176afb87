# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models


class TimebankDispatchWizard(models.TransientModel):
    """Suggests volunteers for one or several requests, ranked, with the
    reason of each rank; one click assigns."""

    _name = "timebank.dispatch.wizard"
    _description = "Time Bank Dispatch Suggestions"

    request_ids = fields.Many2many(
        "timebank.service.request", string="Requests", required=True
    )
    line_ids = fields.One2many(
        "timebank.dispatch.wizard.line", "wizard_id", string="Suggestions"
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        string="Other Volunteer",
        domain="[('state', '=', 'active')]",
        help="Dispatch to a volunteer who is not among the suggestions.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """The suggestions are computed on the server when the wizard is
        created, from its requests."""
        wizards = super().create(vals_list)
        Line = self.env["timebank.dispatch.wizard.line"]
        Line.create(
            [
                dict(vals, wizard_id=wizard.id)
                for wizard in wizards.filtered(lambda w: not w.line_ids)
                for vals in self._prepare_lines(wizard.request_ids)
            ]
        )
        return wizards

    @api.model
    def _prepare_lines(self, requests, limit=20):
        """Combine the rankings of the requests: volunteers suggested for all
        of them, by average score."""
        ranking = requests._match_volunteers(limit=0)
        combined = {}
        for request in requests:
            for volunteer, score, reasons in ranking[request.id]:
                entry = combined.setdefault(
                    volunteer.id, {"scores": [], "reasons": reasons}
                )
                entry["scores"].append(score)
        lines = [
            {
                "volunteer_id": volunteer_id,
                "score": round(sum(entry["scores"]) / len(entry["scores"])),
                "reason": "; ".join(entry["reasons"]),
            }
            for volunteer_id, entry in combined.items()
            if len(entry["scores"]) == len(requests)
        ]
        lines.sort(key=lambda line: -line["score"])
        lines = lines[:limit]
        for rank, line in enumerate(lines, start=1):
            line["rank"] = rank
        return lines

    def action_assign_other(self):
        self.ensure_one()
        self.request_ids.action_assign(self.volunteer_id)
        return {"type": "ir.actions.act_window_close"}


class TimebankDispatchWizardLine(models.TransientModel):
    _name = "timebank.dispatch.wizard.line"
    _description = "Time Bank Dispatch Suggestion"
    _order = "rank, id"

    wizard_id = fields.Many2one(
        "timebank.dispatch.wizard", required=True, ondelete="cascade"
    )
    rank = fields.Integer()
    volunteer_id = fields.Many2one("timebank.volunteer", required=True, readonly=True)
    node_id = fields.Many2one(related="volunteer_id.node_id")
    station_id = fields.Many2one(related="volunteer_id.station_id")
    open_request_count = fields.Integer(related="volunteer_id.open_request_count")
    followup_rating = fields.Float(related="volunteer_id.followup_rating")
    score = fields.Integer(readonly=True)
    reason = fields.Char(readonly=True)

    def action_assign(self):
        self.ensure_one()
        self.wizard_id.request_ids.action_assign(self.volunteer_id)
        return {"type": "ir.actions.act_window_close"}
