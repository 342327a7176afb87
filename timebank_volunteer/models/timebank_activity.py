# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class TimebankActivity(models.Model):
    """A volunteer activity or project organised by a sub-branch (集体活动 /
    特色项目): many volunteers, many recipients; its attendance produces one
    draft service record per attending volunteer in one step."""

    _name = "timebank.activity"
    _description = "Time Bank Volunteer Activity"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        [("activity", "Group Activity"), ("project", "Featured Project")],
        string="Type",
        required=True,
        default="activity",
        tracking=True,
    )
    node_id = fields.Many2one(
        "timebank.node",
        string="Sub-branch",
        required=True,
        index=True,
        tracking=True,
        domain="[('kind', 'in', ('village', 'social'))]",
    )
    station_id = fields.Many2one(
        "timebank.node",
        index=True,
        domain="[('kind', '=', 'station'), ('parent_id', '=', node_id)]",
    )
    service_type_id = fields.Many2one(
        "timebank.service.type", required=True, tracking=True
    )
    date_start = fields.Datetime(string="Start", required=True, tracking=True)
    date_end = fields.Datetime(string="End", required=True, tracking=True)
    duration = fields.Float(
        string="Duration (hours)",
        compute="_compute_duration",
        store=True,
        digits=(16, 2),
    )
    state = fields.Selection(
        [
            ("draft", "Planned"),
            ("done", "Records Created"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    description = fields.Text()
    attendance_ids = fields.One2many(
        "timebank.activity.attendance", "activity_id", string="Volunteers", copy=True
    )
    recipient_ids = fields.Many2many("timebank.recipient", string="Recipients")
    record_ids = fields.One2many(
        "timebank.service.record", "activity_id", string="Service Records"
    )
    volunteer_count = fields.Integer(compute="_compute_counts")
    record_count = fields.Integer(compute="_compute_counts")

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for activity in self:
            if activity.date_start and activity.date_end:
                seconds = (activity.date_end - activity.date_start).total_seconds()
                activity.duration = round(seconds / 3600.0, 2)
            else:
                activity.duration = 0.0

    @api.depends("attendance_ids", "record_ids")
    def _compute_counts(self):
        for activity in self:
            activity.volunteer_count = len(activity.attendance_ids.filtered("attended"))
            activity.record_count = len(activity.record_ids)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for activity in self:
            if activity.date_end <= activity.date_start:
                raise ValidationError(
                    self.env._(
                        "%(activity)s: the end must be after the start.",
                        activity=activity.name,
                    )
                )

    @api.constrains("node_id")
    def _check_node(self):
        for activity in self:
            activity.node_id._check_user_scope(activity)

    def _check_action_rights(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_operator"):
            raise AccessError(
                self.env._("You are not allowed to credit volunteer activities.")
            )
        self.check_access("write")

    def action_distribute_recipients(self):
        """Give the attending volunteers without a recipient one of the
        activity's recipients, in turn."""
        self._check_action_rights()
        for activity in self:
            if not activity.recipient_ids:
                continue
            lines = activity.attendance_ids.filtered(
                lambda a: a.attended and not a.recipient_id
            )
            recipients = activity.recipient_ids
            for index, line in enumerate(lines):
                line.recipient_id = recipients[index % len(recipients)]
        return True

    def action_create_records(self):
        """One draft service record per attending volunteer, in one batch."""
        self._check_action_rights()
        if any(activity.state != "draft" for activity in self):
            raise UserError(
                self.env._("Service records were already created for this activity.")
            )
        vals_list = []
        lines = self.env["timebank.activity.attendance"]
        for activity in self:
            attending = activity.attendance_ids.filtered("attended")
            if not attending:
                raise UserError(
                    self.env._(
                        "%(activity)s: mark who attended first.",
                        activity=activity.name,
                    )
                )
            for line in attending:
                vals_list.append(line._prepare_service_record_values())
                lines |= line
        records = self.env["timebank.service.record"].create(vals_list)
        for line, record in zip(lines, records, strict=True):
            line.record_id = record
        self.write({"state": "done"})
        return True

    def action_cancel(self):
        self._check_action_rights()
        if any(activity.state == "done" for activity in self):
            raise UserError(
                self.env._(
                    "The service records of this activity exist: cancel them instead."
                )
            )
        self.write({"state": "cancelled"})
        return True

    def action_view_records(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_service_record_action"
        )
        action["domain"] = [("activity_id", "=", self.id)]
        return action


class TimebankActivityAttendance(models.Model):
    _name = "timebank.activity.attendance"
    _description = "Time Bank Volunteer Activity Attendance"
    _order = "activity_id, id"

    activity_id = fields.Many2one(
        "timebank.activity", required=True, index=True, ondelete="cascade"
    )
    node_id = fields.Many2one(
        related="activity_id.node_id", store=True, index=True, string="Sub-branch"
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        required=True,
        index=True,
        domain="[('state', '=', 'active')]",
    )
    attended = fields.Boolean(default=True)
    duration = fields.Float(
        string="Hours",
        compute="_compute_duration",
        store=True,
        readonly=False,
        digits=(16, 2),
        help="Hours credited to this volunteer; the whole activity by default.",
    )
    recipient_id = fields.Many2one(
        "timebank.recipient",
        string="Served Recipient",
        help="The person this volunteer served; needed when the activity has "
        "several recipients.",
    )
    record_id = fields.Many2one(
        "timebank.service.record", string="Service Record", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "volunteer_uniq",
            "unique(activity_id, volunteer_id)",
            "A volunteer is listed only once per activity.",
        ),
    ]

    @api.depends("activity_id.duration")
    def _compute_duration(self):
        for line in self:
            line.duration = line.activity_id.duration

    @api.constrains("duration")
    def _check_duration(self):
        for line in self:
            if line.duration <= 0 or line.duration > line.activity_id.duration:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s: the hours credited must be more than 0 and "
                        "at most the length of the activity (%(hours).2f).",
                        volunteer=line.volunteer_id.name,
                        hours=line.activity_id.duration,
                    )
                )

    def _prepare_service_record_values(self):
        self.ensure_one()
        activity = self.activity_id
        recipient = self.recipient_id
        if not recipient and len(activity.recipient_ids) == 1:
            recipient = activity.recipient_ids
        if not recipient:
            raise UserError(
                self.env._(
                    "%(activity)s: choose the recipient served by %(volunteer)s.",
                    activity=activity.name,
                    volunteer=self.volunteer_id.name,
                )
            )
        return {
            "volunteer_id": self.volunteer_id.id,
            "recipient_id": recipient.id,
            "service_type_id": activity.service_type_id.id,
            "date_start": activity.date_start,
            "date_end": activity.date_start + timedelta(hours=self.duration),
            "note": activity.name,
            "activity_id": activity.id,
        }
