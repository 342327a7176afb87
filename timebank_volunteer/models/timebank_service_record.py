# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_round

DEFAULT_MAX_HOURS_PER_RECORD = 8.0
DEFAULT_MAX_HOURS_PER_DAY = 12.0
# fields that may change only while the record is a draft (or rejected)
LOCKED_FIELDS = {
    "volunteer_id",
    "recipient_id",
    "service_type_id",
    "node_id",
    "station_id",
    "date_start",
    "date_end",
    "duration",
    "coefficient",
    "weighted_hours",
}
# fields only the ``_action_*`` methods may write (``_with_state_write``);
# checked by this model's own create / write, not the mixin's ``_state_fields``
STATE_FIELDS = {"state", "confirm_user_id", "confirm_date", "reject_reason"}


class TimebankServiceRecord(models.Model):
    """One service done by one volunteer for one recipient (服务记录).

    Flow: draft -> submitted (uploaded by the sub-branch) -> confirmed, which
    deposits the weighted hours in the volunteer's time account (R8); a
    submitted record may be rejected (then reset to draft); any record may be
    cancelled, a confirmed one by a supervisor and with a reversing ledger
    line. Each public ``action_*`` checks state and rights itself because it
    is callable over RPC, then calls its private ``_action_*``.
    """

    _name = "timebank.service.record"
    _description = "Time Bank Service Record"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.service.record"
    _order = "date_start desc, id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        required=True,
        index=True,
        tracking=True,
        domain="[('state', '=', 'active')]",
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
    # indexed: the default order of the list (date_start desc) on millions
    # of records walks this index instead of sorting the table (city scale)
    date_start = fields.Datetime(
        string="Start", required=True, tracking=True, index=True
    )
    date_end = fields.Datetime(string="End", required=True, tracking=True)
    duration = fields.Float(
        string="Duration (hours)",
        digits=(16, 2),
        compute="_compute_duration",
        store=True,
        aggregator="sum",
        help="Real clock hours of the service (服务时长).",
    )
    coefficient = fields.Float(
        digits=(16, 2),
        compute="_compute_coefficient",
        store=True,
        readonly=True,
        precompute=True,
        help="Coefficient of the service category, frozen when the record is "
        "confirmed.",
    )
    weighted_hours = fields.Float(
        digits=(16, 2),
        compute="_compute_weighted_hours",
        store=True,
        aggregator="sum",
        help="Duration x coefficient (通用值): the hours deposited.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("confirmed", "Confirmed"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    note = fields.Text(
        help="What was done; attach photos or signed forms in the chatter."
    )
    reject_reason = fields.Char(readonly=True, copy=False)
    confirm_date = fields.Datetime(readonly=True, copy=False)
    confirm_user_id = fields.Many2one(
        "res.users", string="Confirmed by", readonly=True, copy=False
    )
    volunteer_balance = fields.Float(
        related="volunteer_id.balance_unsettled", string="Volunteer's Unsettled Hours"
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("volunteer_id")
    def _compute_node_id(self):
        for record in self:
            record.node_id = record.volunteer_id.node_id
            record.station_id = record.volunteer_id.station_id

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for record in self:
            if record.date_start and record.date_end:
                seconds = (record.date_end - record.date_start).total_seconds()
                record.duration = float_round(seconds / 3600.0, precision_digits=2)
            else:
                record.duration = 0.0

    @api.depends("service_type_id")
    def _compute_coefficient(self):
        # a confirmed record cannot change its type (see write), so its
        # coefficient, frozen by _action_confirm, is never recomputed
        for record in self:
            record.coefficient = record.service_type_id.category_id.coefficient

    @api.depends("duration", "coefficient")
    def _compute_weighted_hours(self):
        for record in self:
            record.weighted_hours = float_round(
                record.duration * record.coefficient, precision_digits=2
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.model
    def _get_param(self, key, default):
        value = (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value
            .get_param(f"timebank_volunteer.{key}", default)
        )
        return float(value or 0.0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        now = fields.Datetime.now()
        for record in self:
            if record.date_end <= record.date_start:
                raise ValidationError(
                    self.env._(
                        "%(record)s: the end of a service must be after its start.",
                        record=record.name,
                    )
                )
            if record.date_end > now:
                raise ValidationError(
                    self.env._(
                        "%(record)s: a service cannot be recorded before it has "
                        "ended (its end is in the future).",
                        record=record.name,
                    )
                )

    def _lock_volunteers(self):
        """Serialize the overlap and per-day checks of one volunteer.

        The checks search the volunteer's other services; two transactions
        recording services for the same volunteer at once would each miss
        the other's. A row lock alone is not enough at REPEATABLE READ (the
        second transaction, once the lock is released, still reads its old
        snapshot), so the volunteer rows are locked in id order and rewritten
        unchanged: the second transaction then waits for the first and fails
        with a serialization error when it commits; Odoo retries the request,
        whose checks now see the first service.
        """
        volunteer_ids = sorted(set(self.volunteer_id.ids))
        if not volunteer_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE timebank_volunteer v
                   SET write_date = v.write_date
                  FROM (SELECT id FROM timebank_volunteer
                         WHERE id = ANY(%s)
                         ORDER BY id
                           FOR NO KEY UPDATE) AS locked
                 WHERE v.id = locked.id
                """,
                volunteer_ids,
            )
        )

    @api.constrains("date_start", "date_end", "volunteer_id", "state")
    def _check_duration(self):
        max_record = self._get_param(
            "max_hours_per_record", DEFAULT_MAX_HOURS_PER_RECORD
        )
        max_day = self._get_param("max_hours_per_day", DEFAULT_MAX_HOURS_PER_DAY)
        tz = pytz.timezone(
            self.env.context.get("tz") or self.env.user.tz or "Asia/Shanghai"
        )
        # sudo: the volunteer may have services recorded in other nodes; only
        # their durations are summed, nothing is returned to the user
        Record = self.sudo()
        active = self.filtered(lambda r: r.state not in ("rejected", "cancelled"))
        active._lock_volunteers()
        for record in active:
            if max_record and float_compare(record.duration, max_record, 2) > 0:
                raise ValidationError(
                    self.env._(
                        "%(record)s lasts %(duration).2f hours, more than the maximum "
                        "of %(max).2f hours per service.",
                        record=record.name,
                        duration=record.duration,
                        max=max_record,
                    )
                )
            if not max_day:
                continue
            day = pytz.utc.localize(record.date_start).astimezone(tz).date()
            day_start = tz.localize(datetime.combine(day, time.min)).astimezone(
                pytz.utc
            )
            day_start = day_start.replace(tzinfo=None)
            day_end = day_start + timedelta(days=1)
            same_day = Record.search(
                [
                    ("volunteer_id", "=", record.volunteer_id.id),
                    ("date_start", ">=", day_start),
                    ("date_start", "<", day_end),
                    ("state", "not in", ("rejected", "cancelled")),
                ]
            )
            total = sum(same_day.mapped("duration"))
            if float_compare(total, max_day, 2) > 0:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s would serve %(total).2f hours on %(day)s, more "
                        "than the maximum of %(max).2f hours per day.",
                        volunteer=record.volunteer_id.name,
                        total=total,
                        day=day,
                        max=max_day,
                    )
                )

    @api.constrains("date_start", "date_end", "volunteer_id", "state")
    def _check_overlap(self):
        Record = self.sudo()  # see _check_duration: other nodes' services count
        active = self.filtered(lambda r: r.state not in ("rejected", "cancelled"))
        active._lock_volunteers()
        for record in active:
            other = Record.search(
                [
                    ("id", "!=", record.id),
                    ("volunteer_id", "=", record.volunteer_id.id),
                    ("date_start", "<", record.date_end),
                    ("date_end", ">", record.date_start),
                    ("state", "not in", ("rejected", "cancelled")),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s cannot be in two services at once: %(record)s "
                        "overlaps %(other)s (%(start)s - %(end)s).",
                        volunteer=record.volunteer_id.name,
                        record=record.name,
                        other=other.name,
                        start=other.date_start,
                        end=other.date_end,
                    )
                )

    @api.constrains("volunteer_id", "recipient_id", "node_id", "station_id", "state")
    def _check_scope(self):
        self.filtered(lambda r: r.state in ("draft", "submitted"))._check_user_nodes()

    def _check_user_nodes(self):
        """Raise a translated ValidationError unless the current user may
        record these services.

        The record's sub-branch is where the service is recorded: the
        volunteer's sub-branch or the recipient's (a volunteer may serve an
        elderly person of a neighbouring village). The record's sub-branch
        and station, and the sub-branches of the volunteer and of the
        recipient, must all be within the user's nodes
        (``timebank.node._check_user_scope``): record rules are checked
        before a write only, so without this an operator could name people
        of another village or move a record to a sibling village. The
        district administrator and the superuser may use any node.
        """
        # sudo: the nodes of the people named, also when they are outside the
        # user's read scope (then refused, by name only); set-based, so that
        # confirming a batch costs the same number of queries at any size
        records = self.sudo()
        nodes = (
            records.node_id
            | records.station_id
            | records.volunteer_id.node_id
            | records.recipient_id.node_id
        )
        nodes.with_env(self.env)._check_user_scope(records)
        for record in records:
            node, station = record.node_id, record.station_id
            volunteer_node = record.volunteer_id.node_id
            recipient_node = record.recipient_id.node_id
            if node.kind not in ("village", "social") or node not in (
                volunteer_node | recipient_node
            ):
                raise ValidationError(
                    self.env._(
                        "%(record)s must be recorded in the sub-branch of the "
                        "volunteer (%(volunteer_node)s) or of the recipient "
                        "(%(recipient_node)s), not in %(node)s.",
                        record=record.name,
                        volunteer_node=volunteer_node.complete_name,
                        recipient_node=recipient_node.complete_name,
                        node=node.complete_name,
                    )
                )
            if station and (station.kind != "station" or station.parent_id != node):
                raise ValidationError(
                    self.env._(
                        "The service station %(station)s of %(record)s is not a "
                        "station of the sub-branch %(node)s.",
                        station=station.complete_name,
                        record=record.name,
                        node=node.complete_name,
                    )
                )

    @api.constrains("volunteer_id", "recipient_id")
    def _check_people(self):
        for record in self.filtered(lambda r: r.state in ("draft", "submitted")):
            record._check_people_active()

    def _check_people_active(self):
        # sudo: only whether the people are active is read; whether the user
        # may name them at all is checked by _check_user_nodes, with a clear
        # message instead of an access error
        for record in self.sudo():
            if record.volunteer_id.state != "active":
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s is not an active volunteer and cannot serve.",
                        volunteer=record.volunteer_id.name,
                    )
                )
            if not record.recipient_id.active:
                raise ValidationError(
                    self.env._(
                        "%(recipient)s is not a registered recipient.",
                        recipient=record.recipient_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _refuse_state_fields(self):
        raise UserError(
            self.env._(
                "The state of a service record and who confirmed it change only "
                "through its actions (submit, confirm, reject, reset, cancel)."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._state_write_allowed():
            for vals in vals_list:
                if vals.get("state", "draft") != "draft" or any(
                    vals.get(fname) for fname in STATE_FIELDS - {"state"}
                ):
                    self._refuse_state_fields()
        return super().create(vals_list)

    def write(self, vals):
        if STATE_FIELDS.intersection(vals) and not self._state_write_allowed():
            self._refuse_state_fields()
        if LOCKED_FIELDS.intersection(vals) and any(
            record.state not in ("draft", "rejected") for record in self
        ):
            raise UserError(
                self.env._(
                    "Only draft or rejected service records can be changed; "
                    "reject or cancel the record first."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        if any(record.state not in ("draft", "rejected") for record in self):
            raise UserError(
                self.env._(
                    "Only draft or rejected service records can be deleted; "
                    "cancel the others."
                )
            )

    # ------------------------------------------------------------------
    # Actions (public: callable over RPC, so they check state and rights)
    # ------------------------------------------------------------------

    def _check_action_rights(self, group="timebank_volunteer.group_timebank_operator"):
        if self.env.su:
            return
        if not self.env.user.has_group(group):
            raise AccessError(
                self.env._("You are not allowed to do this on service records.")
            )
        self.check_access("write")

    def _lock_rows(self):
        """Lock the records' rows (id order: no deadlock between two batches)
        before reading their state for a transition that posts to the ledger.

        Two transactions confirming (or cancelling) the same record then run
        one after the other: the second waits for the first, fails with a
        serialization error once it commits (the row changed since the
        second's snapshot), and Odoo retries the request, which now reads the
        new state and is refused with a translated message instead of
        tripping over a unique index.
        """
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_service_record WHERE id = ANY(%s) "
                "ORDER BY id FOR NO KEY UPDATE",
                self.ids,
            )
        )
        self.invalidate_recordset()

    def action_submit(self):
        self._check_action_rights()
        self._check_state(("draft",), self.env._("Submitting"))
        self._check_people_active()
        self._action_submit()
        return True

    def _action_submit(self):
        self._with_state_write().write({"state": "submitted"})

    def action_confirm(self):
        """Confirm (deposit) a batch with a constant number of SQL queries."""
        self._check_action_rights()
        self._action_confirm()
        return True

    def _action_confirm(self):
        """Deposit the weighted hours of submitted records.

        Set-based: one query locks the records (``_lock_rows``), one reads
        states, people and the weighted hours at the current coefficient of
        each category, one call to
        ``timebank.account._post_lines`` posts the deposits (it refuses
        before writing anything), one UPDATE freezes coefficients and weighted
        hours on the records. The number of queries does not depend on the
        size of the batch.
        """
        if not self:
            return
        self.env.flush_all()
        self._lock_rows()
        # one query: state, people and weighted hours at today's coefficients
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id, r.name, r.state, v.state, rc.active, v.id, rc.id,
                       c.coefficient, round(r.duration * c.coefficient, 2),
                       r.date_start
                  FROM timebank_service_record r
                  JOIN timebank_volunteer v ON v.id = r.volunteer_id
                  JOIN timebank_recipient rc ON rc.id = r.recipient_id
                  JOIN timebank_service_type t ON t.id = r.service_type_id
                  JOIN timebank_service_category c ON c.id = t.category_id
                 WHERE r.id = ANY(%s)
                 ORDER BY r.id
                """,
                self.ids,
            )
        )
        rows = self.env.cr.fetchall()
        if not self.env.su:
            # the people may have moved since the record was saved
            self._check_user_nodes()
        for (
            _id,
            name,
            state,
            volunteer_state,
            recipient_active,
            volunteer,
            recipient,
            *_,
        ) in rows:
            if state != "submitted":
                raise UserError(
                    self.env._(
                        "Only submitted service records can be confirmed: "
                        "%(record)s is not.",
                        record=name,
                    )
                )
            if volunteer_state != "active":
                raise UserError(
                    self.env._(
                        "%(volunteer)s is not an active volunteer and cannot serve.",
                        volunteer=self.env["timebank.volunteer"].browse(volunteer).name,
                    )
                )
            if not recipient_active:
                raise UserError(
                    self.env._(
                        "%(recipient)s is not a registered recipient.",
                        recipient=self.env["timebank.recipient"].browse(recipient).name,
                    )
                )
        # deposit first: _post_lines raises before writing anything
        volunteers = self.env["timebank.volunteer"].browse(
            sorted({row[5] for row in rows})
        )
        accounts = self.env["timebank.account"]._ensure_accounts(volunteers)
        account_of = dict(zip(volunteers.ids, accounts.ids, strict=True))
        self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": account_of[row[5]],
                    "hours": row[8],
                    "bucket": "unsettled",
                    "kind": "deposit",
                    "res_model": self._name,
                    "res_id": row[0],
                    "name": row[1],
                    "service_date": row[9],
                }
                for row in rows
            ]
        )
        now = self.env.cr.now().replace(microsecond=0)
        self.env.cr.execute(
            SQL(
                """
                UPDATE timebank_service_record r
                   SET state = 'confirmed',
                       coefficient = v.coefficient,
                       weighted_hours = v.weighted_hours,
                       confirm_date = %(now)s,
                       confirm_user_id = %(uid)s,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                  FROM unnest(%(ids)s::int[], %(coefficients)s::numeric[],
                              %(weighted)s::numeric[])
                    AS v(id, coefficient, weighted_hours)
                 WHERE r.id = v.id
                """,
                now=now,
                uid=self.env.uid,
                ids=[row[0] for row in rows],
                coefficients=[row[7] for row in rows],
                weighted=[row[8] for row in rows],
            )
        )
        self.env["timebank.service.stat"]._add_records([row[0] for row in rows])
        self.invalidate_recordset()

    def action_reject(self, reason=None):
        self._check_action_rights()
        self._check_state(("submitted",), self.env._("Rejecting"))
        self._action_reject(reason)
        return True

    def _action_reject(self, reason=None):
        self._with_state_write().write(
            {"state": "rejected", "reject_reason": reason or False}
        )

    def action_reset_draft(self):
        self._check_action_rights()
        self._check_state(("rejected",), self.env._("Resetting to draft"))
        self._with_state_write().write({"state": "draft", "reject_reason": False})
        return True

    def action_cancel(self):
        if any(record.state == "confirmed" for record in self):
            # cancelling deposited hours is a correction: supervisors only
            self._check_action_rights("timebank_volunteer.group_timebank_supervisor")
        else:
            self._check_action_rights()
        self._check_state(
            ("draft", "submitted", "rejected", "confirmed"), self.env._("Cancelling")
        )
        self._action_cancel()
        return True

    def _action_cancel(self):
        """Cancel; a confirmed record gets a reversing ledger line (never an edit).

        The reversal is the opposite of what the record's own ledger lines
        put in each account (deposits minus earlier reversals), not of its
        ``weighted_hours``: the ledger is the truth for what was deposited.
        """
        if not self:
            return
        self.env.flush_all()
        self._lock_rows()
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if confirmed:
            self.env["timebank.service.stat"]._add_records(confirmed.ids, -1)
            # sudo: sums of the lines of these records only, whose rights
            # action_cancel checked; the lines may be in any account
            posted = (
                self.env["timebank.ledger.line"]
                .sudo()
                ._read_group(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", confirmed.ids),
                        ("kind", "in", ("deposit", "reversal")),
                        ("bucket", "=", "unsettled"),
                    ],
                    ["res_id", "account_id"],
                    ["hours:sum"],
                )
            )
            names = dict(zip(confirmed.ids, confirmed.mapped("name"), strict=True))
            starts = dict(
                zip(confirmed.ids, confirmed.mapped("date_start"), strict=True)
            )
            self.env["timebank.account"]._post_lines(
                [
                    {
                        "account_id": account.id,
                        "hours": -hours,
                        "bucket": "unsettled",
                        "kind": "reversal",
                        "res_model": self._name,
                        "res_id": res_id,
                        "name": self.env._(
                            "Cancellation of %(record)s", record=names[res_id]
                        ),
                        "service_date": starts[res_id],
                    }
                    for res_id, account, hours in posted
                ]
            )
        self._with_state_write().write({"state": "cancelled"})

    def action_open_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_ledger_line_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        return action
