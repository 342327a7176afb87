# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.tools import SQL


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
    followup_due = fields.Boolean(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Confirmed, and the satisfaction follow-up is not created yet.",
    )

    @api.depends("followup_ids")
    def _compute_followup_count(self):
        for record in self:
            record.followup_count = len(record.followup_ids)

    def _action_confirm(self):
        """Once deposited, each confirmed record is due a satisfaction
        follow-up (回访). The follow-ups and their to-do activities are created
        by a background job started right away (``_cron_schedule_followups``),
        so that confirming a batch stays a constant number of queries: the
        deposit is the critical path, the call-back happens days later."""
        res = super()._action_confirm()
        if self:
            # one statement whatever the batch size, like the deposit itself
            self.env.cr.execute(
                SQL(
                    "UPDATE timebank_service_record SET followup_due = TRUE "
                    "WHERE id = ANY(%s)",
                    self.ids,
                )
            )
            self.invalidate_recordset(["followup_due"])
            self.env.ref(
                "timebank_volunteer.ir_cron_timebank_followup_schedule"
            )._trigger()
        return res

    @api.model
    def _cron_schedule_followups(self, batch_size=1000):
        """Create the follow-ups due for confirmed services, in batches;
        returns the follow-ups created."""
        followups = self.env["timebank.followup"]
        while True:
            records = self.sudo().search(
                [("followup_due", "=", True)], order="id", limit=batch_size
            )
            if not records:
                return followups
            # sudo: a background job; the services were confirmed by users
            # allowed to, and only their follow-ups are created
            to_follow = records.filtered(lambda r: r.state == "confirmed")
            followups |= self.env["timebank.followup"]._create_for_records(to_follow)
            records.write({"followup_due": False})
            if self.env.context.get("cron_id"):
                remaining = self.sudo().search_count([("followup_due", "=", True)])
                self.env["ir.cron"]._notify_progress(
                    done=len(records), remaining=remaining
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit

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
