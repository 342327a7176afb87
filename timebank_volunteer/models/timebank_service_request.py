# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

DEFAULT_OVERDUE_HOURS = 4.0
OPEN_STATES = ("assigned", "accepted")
WAITING_STATES = ("new", "declined")
# priority points: emergencies first, then urgent needs, then the priority groups
PRIORITY_EMERGENCY = 1000
PRIORITY_URGENT = 200
PRIORITY_GROUP = 100
PRIORITY_PER_EXTRA_GROUP = 10
# matching points
SCORE_SKILL = 40
SCORE_WISH = 30
SCORE_STATION = 25
SCORE_NODE = 15
SCORE_TOWN = 5
SCORE_AVAILABLE = 10
SCORE_UNAVAILABLE = -20
SCORE_BUSY = -40
SCORE_PER_OPEN = -10
SCORE_PER_RATING_POINT = 5


class TimebankServiceRequest(models.Model):
    """A need of an elderly person (服务需求), taken on the 12349 hotline or at
    a station, dispatched (派单) to a volunteer who accepts it (接单).

    Flow: new -> assigned -> accepted -> done, which creates the draft
    service record; a request may be cancelled, and a volunteer may decline
    it, which sends it back to the queue to be dispatched again.
    """

    _name = "timebank.service.request"
    _description = "Time Bank Service Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.service.request"
    _order = "priority desc, date_request, id"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    recipient_id = fields.Many2one(
        "timebank.recipient", required=True, index=True, tracking=True
    )
    service_type_id = fields.Many2one(
        "timebank.service.type", required=True, index=True, tracking=True
    )
    category_id = fields.Many2one(
        related="service_type_id.category_id", store=True, index=True
    )
    node_id = fields.Many2one(
        "timebank.node",
        string="Sub-branch",
        compute="_compute_node_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
        domain="[('kind', 'in', ('village', 'social'))]",
    )
    station_id = fields.Many2one(
        "timebank.node",
        compute="_compute_node_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        domain="[('kind', '=', 'station'), ('parent_id', '=', node_id)]",
    )
    town_id = fields.Many2one(
        "timebank.node",
        string="Branch",
        compute="_compute_town_id",
        store=True,
        index=True,
    )
    date_request = fields.Datetime(
        string="Received",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the need was received (the phone call, the visit).",
    )
    date_start = fields.Datetime(string="Wanted From", required=True, tracking=True)
    date_end = fields.Datetime(string="Wanted Until", required=True, tracking=True)
    channel = fields.Selection(
        [
            ("hotline", "Hotline 12349"),
            ("station", "Service Station"),
            ("walk_in", "Walk-in"),
            ("family", "Family"),
            ("online", "Online"),
        ],
        required=True,
        default="hotline",
        tracking=True,
    )
    urgency = fields.Selection(
        [
            ("normal", "Normal"),
            ("urgent", "Urgent"),
            ("emergency", "Emergency"),
        ],
        required=True,
        default="normal",
        tracking=True,
    )
    is_emergency = fields.Boolean(
        string="Emergency", compute="_compute_priority", store=True
    )
    priority = fields.Integer(
        compute="_compute_priority",
        store=True,
        index=True,
        aggregator="max",
        help="Emergencies (1000) first, then urgent needs (200), then "
        "recipients in priority groups (100, plus 10 per further group).",
    )
    note = fields.Text(string="Notes")
    state = fields.Selection(
        [
            ("new", "New"),
            ("assigned", "Assigned"),
            ("accepted", "Accepted"),
            ("done", "Done"),
            ("declined", "Declined"),
            ("cancelled", "Cancelled"),
        ],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
        group_expand="_group_expand_states",
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        index=True,
        tracking=True,
        readonly=True,
        copy=False,
    )
    declined_volunteer_ids = fields.Many2many(
        "timebank.volunteer",
        "timebank_service_request_declined_rel",
        "request_id",
        "volunteer_id",
        string="Declined by",
        readonly=True,
        copy=False,
    )
    dispatcher_id = fields.Many2one(
        "res.users", string="Dispatched by", readonly=True, copy=False
    )
    date_assigned = fields.Datetime(string="Dispatched", readonly=True, copy=False)
    date_accepted = fields.Datetime(string="Accepted", readonly=True, copy=False)
    date_done = fields.Datetime(string="Completed", readonly=True, copy=False)
    service_start = fields.Datetime(
        copy=False,
        help="When the service really took place; the wanted time window if empty.",
    )
    service_end = fields.Datetime(copy=False)
    record_id = fields.Many2one(
        "timebank.service.record",
        string="Service Record",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    decline_reason = fields.Char(readonly=True, copy=False)
    dispatch_delay_hours = fields.Float(
        string="Hours to Dispatch",
        compute="_compute_dispatch_delay_hours",
        store=True,
        aggregator="avg",
        digits=(16, 2),
    )
    dispatched_in_time = fields.Float(
        string="Dispatched in Time (%)",
        compute="_compute_dispatched_in_time",
        store=True,
        aggregator="avg",
        help="100 when the request was dispatched within the target hours of "
        "the settings, 0 otherwise: its average is the share dispatched in time.",
    )
    is_overdue = fields.Boolean(
        string="Waiting Too Long",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
    )
    overdue_alerted = fields.Boolean(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.model
    def _group_expand_states(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    @api.depends("recipient_id")
    def _compute_node_id(self):
        for request in self:
            request.node_id = request.recipient_id.node_id
            request.station_id = request.recipient_id.station_id

    @api.depends("node_id", "node_id.parent_id")
    def _compute_town_id(self):
        towns = self.node_id._get_town()
        for request in self:
            request.town_id = towns.get(request.node_id.id, False)

    @api.depends(
        "urgency",
        "service_type_id.is_emergency",
        "recipient_id.priority_group_ids",
    )
    def _compute_priority(self):
        for request in self:
            emergency = (
                request.urgency == "emergency" or request.service_type_id.is_emergency
            )
            groups = len(request.recipient_id.priority_group_ids)
            priority = PRIORITY_EMERGENCY if emergency else 0
            if request.urgency == "urgent":
                priority += PRIORITY_URGENT
            if groups:
                priority += PRIORITY_GROUP + PRIORITY_PER_EXTRA_GROUP * (groups - 1)
            request.is_emergency = emergency
            request.priority = priority

    @api.depends("date_request", "date_assigned")
    def _compute_dispatch_delay_hours(self):
        for request in self:
            if request.date_assigned and request.date_request:
                delta = request.date_assigned - request.date_request
                request.dispatch_delay_hours = max(delta.total_seconds(), 0) / 3600.0
            else:
                request.dispatch_delay_hours = 0.0

    @api.depends("date_assigned", "dispatch_delay_hours")
    def _compute_dispatched_in_time(self):
        target = self._get_overdue_hours()
        for request in self:
            if not request.date_assigned:
                request.dispatched_in_time = 0.0
            else:
                in_time = request.dispatch_delay_hours <= target
                request.dispatched_in_time = 100.0 if in_time else 0.0

    @api.model
    def _get_overdue_hours(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value
            .get_param("timebank_volunteer.dispatch_overdue_hours", "")
        )
        try:
            return float(value) if value not in ("", False) else DEFAULT_OVERDUE_HOURS
        except ValueError:
            return DEFAULT_OVERDUE_HOURS

    def _overdue_limit(self):
        return fields.Datetime.now() - timedelta(hours=self._get_overdue_hours())

    @api.depends("state", "date_request")
    def _compute_is_overdue(self):
        limit = self._overdue_limit()
        for request in self:
            request.is_overdue = bool(
                request.state in WAITING_STATES
                and request.date_request
                and request.date_request < limit
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on this field."))
        domain = [
            ("state", "in", WAITING_STATES),
            ("date_request", "<", self._overdue_limit()),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    # ------------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------------

    @api.constrains("node_id", "recipient_id")
    def _check_node(self):
        for request in self:
            request.node_id._check_user_scope(request)
            if not request.recipient_id.active:
                raise ValidationError(
                    self.env._(
                        "%(recipient)s is not a registered recipient.",
                        recipient=request.recipient_id.name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_window(self):
        for request in self:
            if request.date_end <= request.date_start:
                raise ValidationError(
                    self.env._(
                        "%(request)s: the end of the wanted time window must be "
                        "after its start.",
                        request=request.name,
                    )
                )

    @api.constrains("service_start", "service_end")
    def _check_service_times(self):
        for request in self:
            if (
                request.service_start
                and request.service_end
                and request.service_end <= request.service_start
            ):
                raise ValidationError(
                    self.env._(
                        "%(request)s: the end of the service must be after its start.",
                        request=request.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dispatched(self):
        if any(request.state not in ("new", "cancelled") for request in self):
            raise UserError(
                self.env._(
                    "Only new or cancelled service requests can be deleted; "
                    "cancel the others."
                )
            )

    # ------------------------------------------------------------------
    # Actions (public: callable over RPC, so they check state and rights)
    # ------------------------------------------------------------------

    def _check_action_rights(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_operator"):
            raise AccessError(
                self.env._("You are not allowed to dispatch service requests.")
            )
        self.check_access("write")

    def _check_volunteer(self, volunteer):
        """Raise a translated error if ``volunteer`` may not serve these
        requests: not active, not qualified for a request's service type, or
        outside the dispatcher's part of the time bank or the request's
        district."""
        volunteer.ensure_one()
        user = self.env.user
        if not self.env.su and not user.has_group(
            "timebank_volunteer.group_timebank_admin"
        ):
            # sudo: a volunteer outside the user's scope cannot be read; only
            # its node is read, to say so clearly
            node = volunteer.sudo().node_id
            in_scope = (
                self.env["timebank.node"]
                .sudo()
                .search_count(
                    [
                        ("id", "=", node.id),
                        ("id", "child_of", user.timebank_node_ids.ids),
                    ]
                )
            )
            if not in_scope:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s belongs to %(node)s, outside the part of the "
                        "time bank you work for: you cannot dispatch this "
                        "volunteer.",
                        volunteer=volunteer.sudo().name,
                        node=node.complete_name,
                    )
                )
        if volunteer.state != "active" or not volunteer.active:
            raise ValidationError(
                self.env._(
                    "%(volunteer)s is not an active volunteer and cannot be "
                    "dispatched.",
                    volunteer=volunteer.name,
                )
            )
        for request in self:
            if request.node_id.district_id != volunteer.node_id.district_id:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s does not serve in the district of %(request)s.",
                        volunteer=volunteer.name,
                        request=request.name,
                    )
                )
            if not request._is_qualified(volunteer):
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s is neither willing nor skilled to give "
                        "%(service)s (%(request)s).",
                        volunteer=volunteer.name,
                        service=request.service_type_id.name,
                        request=request.name,
                    )
                )
            if volunteer in request.declined_volunteer_ids:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s already declined %(request)s.",
                        volunteer=volunteer.name,
                        request=request.name,
                    )
                )

    def _is_qualified(self, volunteer):
        self.ensure_one()
        stype = self.service_type_id
        if not stype.wish_ids and not stype.skill_ids:
            return True
        return bool(
            (volunteer.wish_ids & stype.wish_ids)
            or (volunteer.skill_ids & stype.skill_ids)
        )

    def action_assign(self, volunteer):
        """Dispatch (派单) these requests to one volunteer; a volunteer may be
        offered several requests at once."""
        volunteer = self.env["timebank.volunteer"].browse(
            volunteer
            if isinstance(volunteer, int)
            else (volunteer or self.env["timebank.volunteer"]).ids
        )
        self._check_action_rights()
        self._check_state(WAITING_STATES, self.env._("Dispatching"))
        if not volunteer:
            raise UserError(self.env._("Choose the volunteer to dispatch to."))
        self._check_volunteer(volunteer)
        now = fields.Datetime.now()
        first = self.filtered(lambda r: not r.date_assigned)
        vals = {
            "state": "assigned",
            "volunteer_id": volunteer.id,
            "dispatcher_id": self.env.user.id,
            "decline_reason": False,
        }
        first.write(dict(vals, date_assigned=now))
        (self - first).write(vals)
        return True

    def action_accept(self):
        """The volunteer accepts (接单); staff record it on his or her behalf."""
        self._check_action_rights()
        self._check_state(("assigned",), self.env._("Accepting"))
        self.write({"state": "accepted", "date_accepted": fields.Datetime.now()})
        return True

    def action_decline(self, reason=None):
        """The volunteer declines: the request goes back to be dispatched again
        to someone else."""
        self._check_action_rights()
        self._check_state(OPEN_STATES, self.env._("Declining"))
        for request in self:
            request.write(
                {
                    "state": "declined",
                    "declined_volunteer_ids": [(4, request.volunteer_id.id)],
                    "volunteer_id": False,
                    "date_accepted": False,
                    "decline_reason": reason or False,
                }
            )
        return True

    def action_cancel(self):
        self._check_action_rights()
        self._check_state(
            ("new", "assigned", "accepted", "declined"), self.env._("Cancelling")
        )
        self.write({"state": "cancelled"})
        return True

    def action_reset(self):
        self._check_action_rights()
        self._check_state(("cancelled",), self.env._("Reopening"))
        self.write({"state": "new", "volunteer_id": False, "overdue_alerted": False})
        return True

    def action_done(self):
        """Complete the requests: one draft service record each, pre-filled
        and linked both ways, created in one batch."""
        self._check_action_rights()
        no_volunteer = self.filtered(lambda r: not r.volunteer_id)
        if no_volunteer:
            raise UserError(
                self.env._(
                    "%(requests)s cannot be completed: no volunteer was dispatched.",
                    requests=", ".join(no_volunteer.mapped("name")),
                )
            )
        self._check_state(("accepted",), self.env._("Completing"))
        records = self.env["timebank.service.record"].create(
            [request._prepare_service_record_values() for request in self]
        )
        now = fields.Datetime.now()
        for request, record in zip(self, records, strict=True):
            request.write({"state": "done", "date_done": now, "record_id": record.id})
        return True

    def _prepare_service_record_values(self):
        self.ensure_one()
        return {
            "volunteer_id": self.volunteer_id.id,
            "recipient_id": self.recipient_id.id,
            "service_type_id": self.service_type_id.id,
            "node_id": self.volunteer_id.node_id.id,
            "station_id": self.volunteer_id.station_id.id,
            "date_start": self.service_start or self.date_start,
            "date_end": self.service_end or self.date_end,
            "note": self.note,
            "request_id": self.id,
        }

    def action_open_dispatch_wizard(self):
        self._check_action_rights()
        self._check_state(WAITING_STATES, self.env._("Dispatching"))
        wizard = self.env["timebank.dispatch.wizard"].create(
            {"request_ids": [Command.set(self.ids)]}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispatch"),
            "res_model": "timebank.dispatch.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "timebank.service.record",
            "res_id": self.record_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _get_candidate_volunteers(self):
        """Active volunteers the current user may dispatch, in the districts
        of these requests (one search; record rules limit it to the user's
        part of the time bank)."""
        return self.env["timebank.volunteer"].search(
            [
                ("state", "=", "active"),
                ("node_id.district_id", "in", self.node_id.district_id.ids),
            ]
        )

    def _match_volunteers(self, limit=20):
        """Rank the volunteers for each request.

        Returns {request id: [(volunteer, score, [reasons])]} best first.
        Set-based: a constant number of queries whatever the number of
        volunteers (one search for the candidates, their skills and
        willingness prefetched, one grouped count of open assignments, one
        search of their overlapping assignments, one grouped average of
        their follow-up scores).
        """
        candidates = self._get_candidate_volunteers()
        if not candidates or not self:
            return {request.id: [] for request in self}
        # prefetch in batch: skills, willingness, nodes of all candidates
        candidates.mapped("skill_ids")
        candidates.mapped("wish_ids")
        towns = (candidates.node_id | self.node_id)._get_town()
        Request = self.env["timebank.service.request"].sudo()  # counts only
        open_counts = dict(
            Request._read_group(
                [("volunteer_id", "in", candidates.ids), ("state", "in", OPEN_STATES)],
                ["volunteer_id"],
                ["__count"],
            )
        )
        open_counts = {vol.id: count for vol, count in open_counts.items()}
        busy = defaultdict(list)
        for other in Request.search(
            [
                ("volunteer_id", "in", candidates.ids),
                ("state", "in", OPEN_STATES),
                ("date_start", "<", max(self.mapped("date_end"))),
                ("date_end", ">", min(self.mapped("date_start"))),
            ]
        ):
            busy[other.volunteer_id.id].append(other)
        ratings = self.env["timebank.volunteer"]._get_followup_ratings(candidates)
        result = {}
        for request in self:
            ranked = []
            for volunteer in candidates:
                if volunteer in request.declined_volunteer_ids:
                    continue
                if not request._is_qualified(volunteer):
                    continue
                score, reasons = request._score_volunteer(
                    volunteer,
                    towns,
                    open_counts.get(volunteer.id, 0),
                    [
                        other
                        for other in busy[volunteer.id]
                        if other != request
                        and other.date_start < request.date_end
                        and other.date_end > request.date_start
                    ],
                    ratings.get(volunteer.id),
                )
                ranked.append((volunteer, score, reasons))
            ranked.sort(key=lambda item: (-item[1], item[0].name or "", item[0].id))
            result[request.id] = ranked[:limit] if limit else ranked
        return result

    def _score_volunteer(self, volunteer, towns, open_count, overlapping, rating):
        """Score one volunteer for this request; every criterion adds points
        and a translated reason. No query: the data is passed in."""
        self.ensure_one()
        score = 0
        reasons = []
        stype = self.service_type_id
        skills = volunteer.skill_ids & stype.skill_ids
        wishes = volunteer.wish_ids & stype.wish_ids
        if skills:
            score += SCORE_SKILL
            reasons.append(
                self.env._(
                    "skilled: %(skills)s", skills=", ".join(skills.mapped("name"))
                )
            )
        if wishes:
            score += SCORE_WISH
            reasons.append(
                self.env._(
                    "willing: %(wishes)s", wishes=", ".join(wishes.mapped("name"))
                )
            )
        if not stype.skill_ids and not stype.wish_ids:
            reasons.append(self.env._("no particular skill needed"))
        if self.station_id and volunteer.station_id == self.station_id:
            score += SCORE_STATION
            reasons.append(self.env._("same station"))
        elif volunteer.node_id == self.node_id:
            score += SCORE_NODE
            reasons.append(self.env._("same village or community"))
        elif towns.get(volunteer.node_id.id) and towns.get(
            volunteer.node_id.id
        ) == towns.get(self.node_id.id):
            score += SCORE_TOWN
            reasons.append(self.env._("same town"))
        else:
            reasons.append(self.env._("from another town"))
        if overlapping:
            score += SCORE_BUSY
            reasons.append(
                self.env._(
                    "busy at that time (%(requests)s)",
                    requests=", ".join(r.name for r in overlapping),
                )
            )
        elif volunteer._is_available(self.date_start, self.date_end):
            score += SCORE_AVAILABLE
            reasons.append(self.env._("available in the time window"))
        else:
            score += SCORE_UNAVAILABLE
            reasons.append(self.env._("usually not available at that time"))
        if open_count:
            score += SCORE_PER_OPEN * open_count
            reasons.append(
                self.env._("%(count)s open assignment(s)", count=open_count),
            )
        else:
            reasons.append(self.env._("no open assignment"))
        if rating:
            score += round((rating - 3) * SCORE_PER_RATING_POINT)
            reasons.append(self.env._("rated %(rating).1f / 5", rating=rating))
        else:
            reasons.append(self.env._("not rated yet"))
        return score, reasons

    # ------------------------------------------------------------------
    # Cron: requests waiting too long
    # ------------------------------------------------------------------

    @api.model
    def _cron_alert_overdue(self):
        """Schedule one activity per request waiting too long for the
        supervisors of its town branch (batch create)."""
        requests = self.search(
            [("is_overdue", "=", True), ("overdue_alerted", "=", False)]
        )
        if not requests:
            return
        supervisors = requests.node_id._get_branch_supervisors()
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = []
        for request in requests:
            for user in supervisors.get(request.node_id.id, []):
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": request.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "date_deadline": today,
                        "summary": self.env._(
                            "Request waiting to be dispatched: %(request)s",
                            request=request.name,
                        ),
                    }
                )
        self.env["mail.activity"].create(vals_list)
        requests.write({"overdue_alerted": True})
