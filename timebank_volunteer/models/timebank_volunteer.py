# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# fields only the lifecycle actions (action_review, ..., action_reapply) write
LIFECYCLE_FIELDS = {"state", "review_user_id", "review_date", "activation_date"}
# Context key that lets create/write change LIFECYCLE_FIELDS; its value must be
# LIFECYCLE_WRITE_TOKEN, a Python object that no JSON-RPC request can carry.
LIFECYCLE_WRITE_KEY = "timebank_volunteer_lifecycle_write"
LIFECYCLE_WRITE_TOKEN = object()


class TimebankVolunteer(models.Model):
    _name = "timebank.volunteer"
    _description = "Time Bank Volunteer"
    _inherit = ["timebank.person.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="restrict", index=True
    )
    name = fields.Char(related="partner_id.name", store=True, readonly=False)
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
        tracking=True,
        domain="[('kind', '=', 'station'), ('parent_id', '=', node_id)]",
    )
    state = fields.Selection(
        [
            ("applied", "Applied"),
            ("reviewed", "Reviewed"),
            ("trained", "Trained"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("withdrawn", "Withdrawn"),
        ],
        default="applied",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    active = fields.Boolean(default=True)
    source = fields.Selection(
        [
            ("social_org", "Social Organisation"),
            ("party_veteran", "Veteran Party Member"),
            ("building_head", "Building Head"),
            ("resident", "Resident"),
            ("retired", "Retired Cadre / Staff"),
            ("other", "Other"),
        ],
        default="resident",
        required=True,
        tracking=True,
    )
    organisation = fields.Char(
        help="Name of the social organisation or work unit the volunteer comes from."
    )
    occupation = fields.Char()
    skill_ids = fields.Many2many("timebank.skill", string="Skills")
    wish_ids = fields.Many2many(
        "timebank.service.wish",
        string="Willing to Do",
        help="Kinds of service the volunteer is willing to give.",
    )
    availability = fields.Selection(
        [
            ("weekdays", "Weekdays"),
            ("weekends", "Weekends"),
            ("anytime", "Any Time"),
            ("on_call", "On Call"),
        ],
        default="anytime",
    )
    availability_note = fields.Char(
        string="Available Hours", help="e.g. weekday mornings 8:00-11:00"
    )
    training_ids = fields.Many2many(
        "timebank.training",
        "timebank_training_volunteer_rel",
        "volunteer_id",
        "training_id",
        string="Trainings Attended",
        readonly=True,
    )
    training_count = fields.Integer(compute="_compute_training_count")
    review_user_id = fields.Many2one(
        "res.users", string="Reviewed By", readonly=True, copy=False
    )
    review_date = fields.Date(readonly=True, copy=False)
    activation_date = fields.Date(readonly=True, copy=False)

    _sql_constraints = [
        (
            "partner_uniq",
            "unique(partner_id)",
            "This person is already registered as a volunteer.",
        ),
    ]

    @api.depends("training_ids")
    def _compute_training_count(self):
        for volunteer in self:
            volunteer.training_count = len(volunteer.training_ids)

    def _lifecycle_write_allowed(self):
        """Lifecycle fields are written by the ``action_*`` methods (through
        ``_with_lifecycle_write``) and by the superuser only: demo data, data
        migrations and tests that need a volunteer in a given state run as
        the superuser (``sudo()`` / ``SUPERUSER_ID``); no user, administrator
        included, can activate or reinstate a volunteer by writing ``state``."""
        return (
            self.env.su
            or self.env.context.get(LIFECYCLE_WRITE_KEY) is LIFECYCLE_WRITE_TOKEN
        )

    def _with_lifecycle_write(self):
        return self.with_context(**{LIFECYCLE_WRITE_KEY: LIFECYCLE_WRITE_TOKEN})

    def _refuse_lifecycle_fields(self):
        raise UserError(
            self.env._(
                "The state of a volunteer changes only through the review, "
                "training, activation, suspension and withdrawal steps."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._lifecycle_write_allowed() and any(
            vals.get("state", "applied") != "applied"
            or any(vals.get(fname) for fname in LIFECYCLE_FIELDS - {"state"})
            for vals in vals_list
        ):
            self._refuse_lifecycle_fields()
        return super().create(vals_list)

    def write(self, vals):
        if LIFECYCLE_FIELDS.intersection(vals) and not self._lifecycle_write_allowed():
            self._refuse_lifecycle_fields()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_served(self):
        if any(v.state not in ("applied", "withdrawn") for v in self):
            raise UserError(
                self.env._(
                    "Only applications and withdrawn volunteers can be deleted; "
                    "withdraw or archive the volunteer instead."
                )
            )

    # ------------------------------------------------------------------
    # Lifecycle: applied -> reviewed -> trained -> active, suspended, withdrawn.
    # Operators of the sub-branch review, train, activate and withdraw (R4);
    # suspending and reinstating a volunteer is the branch supervisor's call.
    # ------------------------------------------------------------------
    def _check_transition(self, from_states, action_label, group=None):
        group = group or "timebank_volunteer.group_timebank_operator"
        if not self.env.su and not self.env.user.has_group(group):
            raise AccessError(
                self.env._(
                    "You are not allowed to %(action)s volunteers.",
                    action=action_label,
                )
            )
        self.check_access("write")
        wrong = self.filtered(lambda v: v.state not in from_states)
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Cannot %(action)s %(names)s: the volunteer is %(state)s.",
                    action=action_label,
                    names=", ".join(wrong.mapped("name")),
                    state=states[wrong[0].state],
                )
            )

    def action_review(self):
        self._check_transition(("applied",), self.env._("review"))
        self._with_lifecycle_write().write(
            {
                "state": "reviewed",
                "review_user_id": self.env.user.id,
                "review_date": fields.Date.context_today(self),
            }
        )
        return True

    def action_train(self):
        self._check_transition(("reviewed",), self.env._("mark as trained"))
        untrained = self.filtered(lambda v: not v.training_ids)
        if untrained:
            raise UserError(
                self.env._(
                    "%(names)s attended no training session yet: record the "
                    "training first.",
                    names=", ".join(untrained.mapped("name")),
                )
            )
        self._with_lifecycle_write().write({"state": "trained"})
        return True

    def action_activate(self):
        self._check_transition(("trained",), self.env._("activate"))
        self._with_lifecycle_write().write(
            {"state": "active", "activation_date": fields.Date.context_today(self)}
        )
        return True

    def action_suspend(self):
        self._check_transition(
            ("active",),
            self.env._("suspend"),
            group="timebank_volunteer.group_timebank_supervisor",
        )
        self._with_lifecycle_write().write({"state": "suspended"})
        return True

    def action_reinstate(self):
        self._check_transition(
            ("suspended",),
            self.env._("reinstate"),
            group="timebank_volunteer.group_timebank_supervisor",
        )
        self._with_lifecycle_write().write({"state": "active"})
        return True

    def action_withdraw(self):
        self._check_transition(
            ("applied", "reviewed", "trained", "active", "suspended"),
            self.env._("withdraw"),
        )
        self._with_lifecycle_write().write({"state": "withdrawn"})
        return True

    def action_reapply(self):
        self._check_transition(("withdrawn",), self.env._("reopen the application of"))
        self._with_lifecycle_write().write(
            {"state": "applied", "review_user_id": False, "review_date": False}
        )
        return True

    def action_view_trainings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_training_action"
        )
        action["domain"] = [("id", "in", self.training_ids.ids)]
        return action

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for Volunteers"),
                "template": "/timebank_volunteer/static/xls/timebank_volunteer.xlsx",
            },
            {
                "label": self.env._("Import Template for Volunteers (Chinese headers)"),
                "template": "/timebank_volunteer/static/xls/"
                "timebank_volunteer_zh_CN.xlsx",
            },
        ]
