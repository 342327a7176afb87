# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TimebankTraining(models.Model):
    _name = "timebank.training"
    _description = "Time Bank Volunteer Training Session"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(string="Topic", required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    duration = fields.Float(string="Duration (hours)", default=2.0)
    node_id = fields.Many2one(
        "timebank.node",
        string="Organised By",
        required=True,
        index=True,
        tracking=True,
        help="The node that organised the session; the session is seen by the "
        "staff of this node and of the nodes above it.",
    )
    trainer = fields.Char()
    location = fields.Char()
    attendee_ids = fields.Many2many(
        "timebank.volunteer",
        "timebank_training_volunteer_rel",
        "training_id",
        "volunteer_id",
        string="Attendees",
    )
    attendee_count = fields.Integer(compute="_compute_attendee_count")
    note = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "duration_positive",
            "CHECK(duration >= 0)",
            "The duration cannot be negative.",
        ),
    ]

    @api.depends("attendee_ids")
    def _compute_attendee_count(self):
        for training in self:
            training.attendee_count = len(training.attendee_ids)

    @api.constrains("node_id")
    def _check_node_scope(self):
        self.node_id._check_user_scope(self)

    @api.constrains("duration")
    def _check_duration(self):
        for training in self:
            if training.duration > 24:
                raise ValidationError(
                    self.env._(
                        "A training session of %(hours)s hours is not plausible.",
                        hours=training.duration,
                    )
                )
