# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.timebank_award import AWARD_TYPES


class TimebankCommendationWizard(models.TransientModel):
    """Rank a year's volunteers and sub-branches, propose the three award
    lists of the yearly commendation, and record the awards."""

    _name = "timebank.commendation.wizard"
    _description = "Yearly Commendation"

    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year - 1,
    )
    district_id = fields.Many2one(
        "timebank.node",
        domain="[('kind', '=', 'district')]",
        help="Only the services of this district; leave empty for every district.",
    )
    top_count = fields.Integer(
        string="Number per List",
        required=True,
        default=10,
    )
    line_ids = fields.One2many(
        "timebank.commendation.wizard.line", "wizard_id", string="Proposals"
    )

    @api.constrains("year", "top_count")
    def _check_figures(self):
        for wizard in self:
            if wizard.top_count < 1 or not 2000 <= wizard.year <= 2100:
                raise UserError(
                    self.env._(
                        "Give a year between 2000 and 2100 and at least one "
                        "award per list."
                    )
                )

    def _period_domain(self, field):
        start = datetime(self.year, 1, 1)
        domain = [(field, ">=", start), (field, "<", start.replace(year=self.year + 1))]
        if self.district_id:
            domain.append(("node_id", "child_of", self.district_id.id))
        return domain

    def _rank_volunteers(self):
        """Volunteers by weighted hours of confirmed services, then average
        satisfaction: [(volunteer, hours, avg_score, followups)]."""
        self.ensure_one()
        hours = dict(
            self.env["timebank.service.record"]._read_group(
                [*self._period_domain("date_start"), ("state", "=", "confirmed")],
                ["volunteer_id"],
                ["weighted_hours:sum"],
            )
        )
        scores = {
            volunteer: (score, count)
            for volunteer, score, count in self.env["timebank.followup"]._read_group(
                [
                    *self._period_domain("service_date"),
                    ("state", "=", "done"),
                    ("score", ">", 0),
                    ("volunteer_id", "in", [v.id for v in hours]),
                ],
                ["volunteer_id"],
                ["score:avg", "__count"],
            )
        }
        rows = [
            (volunteer, total, *scores.get(volunteer, (0.0, 0)))
            for volunteer, total in hours.items()
        ]
        rows.sort(key=lambda r: (-r[1], -r[2], r[0].name or "", r[0].id))
        return rows

    def _rank_nodes(self, kind):
        """Sub-branches of ``kind`` by hours served, recipients reached and
        satisfaction: [(node, hours, recipients, avg_score, followups)]."""
        self.ensure_one()
        served = {
            node: (total, recipients)
            for node, total, recipients in self.env[
                "timebank.service.record"
            ]._read_group(
                [
                    *self._period_domain("date_start"),
                    ("state", "=", "confirmed"),
                    ("node_id.kind", "=", kind),
                ],
                ["node_id"],
                ["weighted_hours:sum", "recipient_id:count_distinct"],
            )
        }
        scores = {
            node: (score, count)
            for node, score, count in self.env["timebank.followup"]._read_group(
                [
                    *self._period_domain("service_date"),
                    ("state", "=", "done"),
                    ("score", ">", 0),
                    ("node_id", "in", [n.id for n in served]),
                ],
                ["node_id"],
                ["score:avg", "__count"],
            )
        }
        rows = [
            (node, total, recipients, *scores.get(node, (0.0, 0)))
            for node, (total, recipients) in served.items()
        ]
        rows.sort(key=lambda r: (-r[1], -r[2], -r[3], r[0].complete_name or ""))
        return rows

    def _prepare_line_values(self):
        self.ensure_one()
        values = []
        volunteers = [
            row for row in self._rank_volunteers() if row[0].state == "active"
        ]
        for sequence, (volunteer, total, score, count) in enumerate(
            volunteers[: self.top_count], 1
        ):
            values.append(
                {
                    "award_type": "volunteer",
                    "sequence": sequence,
                    "volunteer_id": volunteer.id,
                    "weighted_hours": total,
                    "avg_score": score,
                    "followup_count": count,
                }
            )
        for award_type, kind in (
            ("organisation", "village"),
            ("participation", "social"),
        ):
            for sequence, (node, total, recipients, score, count) in enumerate(
                self._rank_nodes(kind)[: self.top_count], 1
            ):
                values.append(
                    {
                        "award_type": award_type,
                        "sequence": sequence,
                        "node_id": node.id,
                        "weighted_hours": total,
                        "recipient_count": recipients,
                        "avg_score": score,
                        "followup_count": count,
                    }
                )
        return values

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_propose(self):
        self.ensure_one()
        self.line_ids = [Command.clear()] + [
            Command.create(vals) for vals in self._prepare_line_values()
        ]
        return self._reopen()

    def action_record(self):
        """Record the (adjusted) lists as draft awards, ranked by line order."""
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Propose the award lists first."))
        vals_list = []
        for award_type in ("organisation", "participation", "volunteer"):
            lines = self.line_ids.filtered(
                lambda line, t=award_type: line.award_type == t
            )
            for rank, line in enumerate(
                lines.sorted(lambda li: (li.sequence, li.id)), 1
            ):
                vals_list.append(line._prepare_award_values(rank))
        awards = self.env["timebank.award"].create(vals_list)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Awards %(year)s", year=self.year),
            "res_model": "timebank.award",
            "view_mode": "list,form",
            "domain": [("id", "in", awards.ids)],
        }


class TimebankCommendationWizardLine(models.TransientModel):
    _name = "timebank.commendation.wizard.line"
    _description = "Yearly Commendation Proposal"
    _order = "award_type, sequence, id"

    wizard_id = fields.Many2one(
        "timebank.commendation.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer(string="Order", default=100)
    award_type = fields.Selection(AWARD_TYPES, required=True)
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        string="Awarded Volunteer",
        domain="[('state', '=', 'active')]",
    )
    node_id = fields.Many2one("timebank.node", string="Organisation")
    weighted_hours = fields.Float(digits=(16, 2))
    recipient_count = fields.Integer(string="Recipients Reached")
    avg_score = fields.Float(string="Average Satisfaction", digits=(16, 2))
    followup_count = fields.Integer(string="Follow-ups")

    def _prepare_award_values(self, rank):
        self.ensure_one()
        return {
            "year": self.wizard_id.year,
            "award_type": self.award_type,
            "volunteer_id": self.volunteer_id.id,
            "node_id": self.node_id.id,
            "rank": rank,
            "weighted_hours": self.weighted_hours,
            "recipient_count": self.recipient_count,
            "avg_score": self.avg_score,
            "followup_count": self.followup_count,
        }
