# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import random

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class TimebankFollowupSample(models.Model):
    """A town branch's periodic satisfaction check (R3, 抽样回访): a random
    sample of the recipients of the town served in a period, each called
    back once."""

    _name = "timebank.followup.sample"
    _description = "Time Bank Satisfaction Check Sample"
    _inherit = ["mail.thread"]
    _order = "date_to desc, id desc"

    name = fields.Char(required=True, tracking=True)
    town_id = fields.Many2one(
        "timebank.node",
        string="Branch",
        required=True,
        index=True,
        tracking=True,
        domain="[('kind', '=', 'town')]",
        default=lambda self: self._default_town_id(),
    )
    date_from = fields.Date(required=True, tracking=True)
    date_to = fields.Date(required=True, tracking=True)
    size = fields.Integer(
        string="Sample Size", required=True, default=10, tracking=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("drawn", "In Progress"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    followup_ids = fields.One2many(
        "timebank.followup", "sample_id", string="Follow-ups", readonly=True
    )
    drawn_count = fields.Integer(compute="_compute_progress")
    done_count = fields.Integer(compute="_compute_progress")
    average_score = fields.Float(compute="_compute_progress", digits=(16, 2))

    @api.model
    def _default_town_id(self):
        towns = self.env.user.timebank_node_ids.filtered(lambda n: n.kind == "town")
        return towns[:1].id

    @api.depends("followup_ids.state", "followup_ids.score")
    def _compute_progress(self):
        for sample in self:
            done = sample.followup_ids.filtered(lambda f: f.state == "done")
            scores = done.filtered("score").mapped("score")
            sample.drawn_count = len(sample.followup_ids)
            sample.done_count = len(done)
            sample.average_score = sum(scores) / len(scores) if scores else 0.0

    @api.constrains("date_from", "date_to", "size", "town_id")
    def _check_values(self):
        for sample in self:
            sample.town_id._check_user_scope(sample)
            if sample.date_to < sample.date_from:
                raise ValidationError(
                    self.env._("The period of a sample must end after it starts.")
                )
            if sample.size <= 0:
                raise ValidationError(
                    self.env._("The sample size must be a positive number.")
                )
            if sample.town_id.kind != "town":
                raise ValidationError(self.env._("Samples are drawn by a town branch."))
            sample.town_id._check_user_scope(sample)

    def _check_action_rights(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_supervisor"):
            raise AccessError(
                self.env._("Only branch supervisors draw satisfaction samples.")
            )
        self.check_access("write")

    def action_draw(self):
        """Draw the sample: recipients of the town (and only of the town)
        served in the period, each at most once, at random."""
        self._check_action_rights()
        for sample in self:
            if sample.state != "draft":
                raise UserError(
                    self.env._("%(sample)s was already drawn.", sample=sample.name)
                )
            served = sample._get_served_records()
            if not served:
                raise UserError(
                    self.env._(
                        "No recipient of %(town)s was served between %(start)s "
                        "and %(end)s.",
                        town=sample.town_id.complete_name,
                        start=sample.date_from,
                        end=sample.date_to,
                    )
                )
            recipient_ids = sorted(served)
            drawn = random.sample(recipient_ids, min(sample.size, len(recipient_ids)))
            self.env["timebank.followup"].with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True
            ).create(
                [
                    {
                        "kind": "sample",
                        "sample_id": sample.id,
                        "record_id": served[recipient_id],
                        "user_id": self.env.user.id,
                        "date_deadline": sample.date_to
                        if sample.date_to >= fields.Date.context_today(self)
                        else fields.Date.context_today(self),
                    }
                    for recipient_id in drawn
                ]
            )
            sample.state = "drawn"
        return True

    def _get_served_records(self):
        """{recipient id: latest confirmed service record id} for the
        recipients registered under the town who were served in the period
        (one grouped query)."""
        self.ensure_one()
        start = fields.Datetime.to_datetime(self.date_from)
        end = fields.Datetime.to_datetime(fields.Date.add(self.date_to, days=1))
        # sudo: the services may have been recorded by any sub-branch; the
        # recipients themselves are limited to the town below
        groups = (
            self.env["timebank.service.record"]
            .sudo()
            ._read_group(
                [
                    ("state", "=", "confirmed"),
                    ("date_start", ">=", start),
                    ("date_start", "<", end),
                    ("recipient_id.node_id", "child_of", self.town_id.id),
                ],
                ["recipient_id"],
                ["id:max"],
            )
        )
        return {recipient.id: record_id for recipient, record_id in groups}

    def action_done(self):
        self._check_action_rights()
        if any(sample.state != "drawn" for sample in self):
            raise UserError(self.env._("Only samples in progress can be closed."))
        pending = self.followup_ids.filtered(lambda f: f.state == "todo")
        if pending:
            raise UserError(
                self.env._(
                    "%(count)s follow-up(s) of the sample are still to do.",
                    count=len(pending),
                )
            )
        self.write({"state": "done"})
        return True

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_followup_action"
        )
        action["domain"] = [("sample_id", "=", self.id)]
        action["context"] = {"default_sample_id": self.id}
        return action
