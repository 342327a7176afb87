# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models


class TimebankServiceRecord(models.Model):
    _inherit = "timebank.service.record"

    request_id = fields.Many2one(
        "timebank.service.request",
        string="Service Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    activity_id = fields.Many2one(
        "timebank.activity",
        string="Volunteer Activity",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    followup_ids = fields.One2many(
        "timebank.followup", "record_id", string="Follow-ups"
    )
    followup_count = fields.Integer(compute="_compute_followup_count")

    @api.depends("followup_ids")
    def _compute_followup_count(self):
        for record in self:
            record.followup_count = len(record.followup_ids)

    def _action_confirm(self):
        """Once deposited, a satisfaction follow-up is scheduled for each
        confirmed record, in one batch."""
        res = super()._action_confirm()
        if self:
            self.env["timebank.followup"]._create_for_records(self)
        return res

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_followup_action"
        )
        action["domain"] = [("record_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.service.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
        }
