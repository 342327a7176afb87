# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

DEFAULT_FOLLOWUP_DAYS = 3
LOW_SCORE = 2


class TimebankFollowup(models.Model):
    """A satisfaction follow-up (满意度回访): someone calls the elderly person
    back after a confirmed service (or for a town's periodic check, R3) and
    records whether he or she was reached, a 1-5 score and a comment."""

    _name = "timebank.followup"
    _description = "Time Bank Satisfaction Follow-up"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, date_deadline, id desc"

    kind = fields.Selection(
        [("service", "After a Service"), ("sample", "Periodic Check")],
        required=True,
        default="service",
        readonly=True,
    )
    record_id = fields.Many2one(
        "timebank.service.record",
        string="Service Record",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    recipient_id = fields.Many2one(
        related="record_id.recipient_id", store=True, index=True, precompute=True
    )
    volunteer_id = fields.Many2one(
        related="record_id.volunteer_id", store=True, index=True, precompute=True
    )
    service_type_id = fields.Many2one(
        related="record_id.service_type_id", store=True, index=True, precompute=True
    )
    node_id = fields.Many2one(
        "timebank.node",
        string="Sub-branch",
        related="record_id.recipient_id.node_id",
        store=True,
        index=True,
        precompute=True,
    )
    station_id = fields.Many2one(
        "timebank.node",
        related="record_id.station_id",
        store=True,
        index=True,
        precompute=True,
    )
    town_id = fields.Many2one(
        "timebank.node",
        string="Branch",
        related="record_id.recipient_id.node_id.parent_id",
        store=True,
        index=True,
        precompute=True,
    )
    service_date = fields.Datetime(
        related="record_id.date_start", store=True, precompute=True
    )
    sample_id = fields.Many2one(
        "timebank.followup.sample", index="btree_not_null", ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
    )
    date_deadline = fields.Date(string="Due Date", index=True)
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="todo",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    reached = fields.Selection(
        [("reached", "Reached"), ("not_reached", "Not Reached")], tracking=True
    )
    score = fields.Integer(
        string="Satisfaction Score",
        aggregator="avg",
        tracking=True,
        help="1 (very dissatisfied) to 5 (very satisfied).",
    )
    comment = fields.Text()
    is_low_score = fields.Boolean(
        string="Low Score",
        compute="_compute_is_low_score",
        store=True,
        precompute=True,
    )
    date_done = fields.Datetime(readonly=True, copy=False)
    done_user_id = fields.Many2one(
        "res.users", string="Followed up by", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "sample_recipient_uniq",
            "unique(sample_id, recipient_id)",
            "A recipient can be drawn only once in a sample.",
        ),
    ]

    @api.depends("record_id.name", "recipient_id.name")
    def _compute_display_name(self):
        for followup in self:
            followup.display_name = self.env._(
                "Follow-up of %(record)s (%(recipient)s)",
                record=followup.record_id.name or "",
                recipient=followup.recipient_id.name or "",
            )

    @api.depends("score")
    def _compute_is_low_score(self):
        for followup in self:
            followup.is_low_score = 0 < followup.score <= LOW_SCORE

    @api.constrains("score")
    def _check_score(self):
        for followup in self:
            if followup.score and not 1 <= followup.score <= 5:
                raise ValidationError(
                    self.env._(
                        "The satisfaction score must be between 1 and 5, not "
                        "%(score)s.",
                        score=followup.score,
                    )
                )
            if followup.score and followup.reached == "not_reached":
                raise ValidationError(
                    self.env._("A recipient who was not reached cannot give a score.")
                )

    # ------------------------------------------------------------------
    # Creation after confirmation
    # ------------------------------------------------------------------

    @api.model
    def _get_deadline(self):
        days = (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value
            .get_param("timebank_volunteer.followup_days", DEFAULT_FOLLOWUP_DAYS)
        )
        try:
            days = int(float(days))
        except ValueError:
            days = DEFAULT_FOLLOWUP_DAYS
        return fields.Date.context_today(self) + timedelta(days=days)

    @api.model
    def _create_for_records(self, records):
        """One follow-up per confirmed record, assigned to the dispatcher of
        its request (the head bank follows up what it dispatched, R2) or to
        whoever confirmed it; created in one batch, with one activity each."""
        deadline = self._get_deadline()
        # sudo: created for records that were confirmed (a right checked by
        # the confirmation itself), by the background job or a test
        followups = (
            self.sudo()
            # no per-record tracking or auto-subscription of the assigned
            # user: the to-do activities below subscribe them in one batch
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "record_id": record.id,
                        "user_id": (
                            record.request_id.dispatcher_id
                            or record.confirm_user_id
                            or self.env.user
                        ).id,
                        "date_deadline": deadline,
                    }
                    for record in records
                ]
            )
        )
        followups._schedule_activities(
            self.env._("Satisfaction follow-up"), deadline=deadline
        )
        return followups.sudo(False)

    def _schedule_activities(self, summary, deadline=None, users=None):
        """Create the to-do activities of these follow-ups in one batch
        (``users``: {follow-up id: users}, default the assigned user)."""
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "mail.mail_activity_data_todo"
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for followup in self:
            targets = users.get(followup.id) if users is not None else followup.user_id
            for user in targets or []:
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_model": self._name,
                        "res_id": followup.id,
                        "res_name": followup.display_name,
                        "activity_type_id": activity_type_id,
                        "user_id": user.id,
                        # given rather than computed after the insert
                        "user_tz": user.tz,
                        "date_done": False,
                        "date_deadline": deadline
                        or followup.date_deadline
                        or fields.Date.context_today(self),
                        "summary": summary,
                    }
                )
        if not vals_list:
            return self.env["mail.activity"]
        # sudo: the activities belong to follow-ups the current user has just
        # created or written (access checked then); it skips checking again,
        # per follow-up, that the user may write them. Quick update: no
        # e-mail per activity. Both keep a batch confirmation to a constant,
        # small number of queries; the activities show in the assignees'
        # activity menu.
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
            .sudo(False)
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_action_rights(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_operator"):
            raise AccessError(
                self.env._("You are not allowed to record satisfaction follow-ups.")
            )
        self.check_access("write")

    def action_done(self):
        self._check_action_rights()
        if any(followup.state != "todo" for followup in self):
            raise UserError(self.env._("Only follow-ups to do can be recorded."))
        for followup in self:
            if not followup.reached:
                raise UserError(
                    self.env._(
                        "%(followup)s: say whether the recipient was reached.",
                        followup=followup.display_name,
                    )
                )
            if followup.reached == "reached" and not followup.score:
                raise UserError(
                    self.env._(
                        "%(followup)s: give the satisfaction score (1 to 5).",
                        followup=followup.display_name,
                    )
                )
        self.write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "done_user_id": self.env.user.id,
            }
        )
        # the to-do activities of these follow-ups are done; sudo: they may be
        # assigned to a colleague
        self.sudo().activity_ids.action_feedback(
            feedback=self.env._("Follow-up recorded.")
        )
        self._alert_low_scores()
        return True

    def _alert_low_scores(self):
        low = self.filtered("is_low_score")
        if not low:
            return
        supervisors = low.node_id._get_branch_supervisors()
        low._schedule_activities(
            self.env._("Low satisfaction score: please check the service"),
            deadline=fields.Date.context_today(self),
            users={f.id: supervisors.get(f.node_id.id) for f in low},
        )

    def action_cancel(self):
        self._check_action_rights()
        if any(followup.state == "done" for followup in self):
            raise UserError(self.env._("A recorded follow-up cannot be cancelled."))
        self.write({"state": "cancelled"})
        self.sudo().activity_ids.unlink()  # sudo: see action_done
        return True

    def action_reset(self):
        self._check_action_rights()
        if any(followup.state != "cancelled" for followup in self):
            raise UserError(self.env._("Only cancelled follow-ups can be reopened."))
        self.write({"state": "todo"})
        return True
