# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import logging
import time as systime
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

DEFAULT_GOODS_RATIO = 50.0
DEFAULT_CADENCE = "half_year"
DEFAULT_BATCH_SIZE = 1000
CENT = Decimal("0.01")


def split_hours(total, ratio):
    """Split ``total`` hours into (goods, reserve) without losing a cent.

    ``goods = round_half_up(total x ratio / 100, 2)`` and
    ``reserve = total - goods``, computed in ``Decimal`` so that
    ``goods + reserve == total`` exactly, whatever the ratio.
    """
    total = Decimal(str(total)).quantize(CENT, rounding=ROUND_HALF_UP)
    goods = (total * Decimal(str(ratio)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return float(total), float(goods), float(total - goods)


def last_closed_period(cadence, today):
    """The last half-year or year that has fully ended before ``today``."""
    if cadence == "year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if today.month <= 6:
        return date(today.year - 1, 7, 1), date(today.year - 1, 12, 31)
    return date(today.year, 1, 1), date(today.year, 6, 30)


class TimebankSettlementRun(models.Model):
    """A settlement (结算) of one period for one node of the bank and below.

    Flow: draft -> previewed (one ``timebank.settlement.line`` per account
    with the hours to settle and the two parts) -> running (posting, in
    batches of accounts, by a background job) -> done. A run can be
    cancelled only before anything is posted (draft or previewed).

    What is settled. For each account in scope, the ledger lines of the
    ``unsettled`` bucket that come from service records (deposits and
    reversals) whose service started on or before the end of the period
    (in the run's time zone) and that no settlement has taken yet. Lines
    of earlier periods that were confirmed late are therefore carried over
    into the next run instead of being stranded.

    The same hours are never settled twice, by construction and by the
    database:

    * each settled ledger line is recorded in ``timebank.settlement.item``
      with a UNIQUE ``ledger_line_id``: a second settlement of the same
      line is refused by PostgreSQL;
    * each account of a run posts with ``res_model='timebank.settlement.line'``
      and ``res_id=line.id``: the ledger's unique key
      ``(res_model, res_id, kind, bucket)`` refuses a second posting;
    * two runs of overlapping periods for the same node are refused by an
      exclusion constraint, and for nested nodes by ``_check_overlap``.

    Crash safety: ``_process_batch`` posts a batch of whole accounts in one
    transaction (lock the accounts, record the items, post the three ledger
    lines per account, mark the settlement lines done); in the background
    job each batch is committed on its own. A run killed half-way has whole
    accounts done and the others pending; processing it again only takes
    the pending lines.
    """

    _name = "timebank.settlement.run"
    _description = "Time Bank Settlement Run"
    _inherit = ["timebank.document.mixin"]
    _order = "date_from desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    node_id = fields.Many2one(
        "timebank.node",
        string="Scope",
        required=True,
        index=True,
        default=lambda self: self._default_node_id(),
        help="The node whose accounts (and those of its descendants) are settled.",
    )
    date_from = fields.Date(
        string="Period Start",
        required=True,
        default=lambda self: self._default_period()[0],
    )
    date_to = fields.Date(
        string="Period End",
        required=True,
        default=lambda self: self._default_period()[1],
    )
    goods_ratio = fields.Float(
        string="Goods-exchangeable Share (%)",
        digits=(5, 2),
        required=True,
        readonly=True,
        default=lambda self: self._get_goods_ratio(),
        help="Share of the settled hours that may be exchanged for goods; the "
        "rest goes to the service reserve. Copied from the settings when the "
        "run is created, so that the history stays exact.",
    )
    tz = fields.Char(
        string="Time Zone",
        required=True,
        readonly=True,
        default=lambda self: (
            self.env.context.get("tz") or self.env.user.tz or "Asia/Shanghai"
        ),
        help="Services are assigned to a period by their local start date.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("previewed", "Previewed"),
            ("running", "Posting"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    line_ids = fields.One2many(
        "timebank.settlement.line", "run_id", string="Accounts", readonly=True
    )
    line_count = fields.Integer(string="Accounts to Settle", readonly=True, copy=False)
    done_count = fields.Integer(string="Accounts Done", readonly=True, copy=False)
    progress = fields.Float(compute="_compute_progress", digits=(5, 1))
    hours_total = fields.Float(
        string="Settled Hours", digits=(16, 2), readonly=True, copy=False
    )
    hours_goods = fields.Float(
        string="Goods-exchangeable Hours", digits=(16, 2), readonly=True, copy=False
    )
    hours_reserve = fields.Float(
        string="Service Reserve Hours", digits=(16, 2), readonly=True, copy=False
    )
    pending_record_ids = fields.Many2many(
        "timebank.service.record",
        string="Unconfirmed Services",
        compute="_compute_pending_record_ids",
        help="Draft or submitted services of the period in the scope.",
    )
    pending_record_count = fields.Integer(compute="_compute_pending_record_ids")
    pending_warning = fields.Char(compute="_compute_pending_record_ids")
    settle_anyway = fields.Boolean(
        copy=False,
        help="Settle although services of the period are still unconfirmed. "
        "Their hours stay unsettled and are taken by the next run.",
    )
    date_done = fields.Datetime(readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users",
        string="Started by",
        readonly=True,
        copy=False,
    )

    _sql_constraints = [
        (
            "date_check",
            "CHECK(date_from <= date_to)",
            "The period must end after it starts.",
        ),
        (
            "ratio_check",
            "CHECK(goods_ratio >= 0 AND goods_ratio <= 100)",
            "The goods-exchangeable share is a percentage between 0 and 100.",
        ),
        # the database refuses two live runs of overlapping periods for one
        # node; nested nodes are checked by _check_overlap
        (
            "period_overlap_excl",
            "EXCLUDE USING gist (int4range(node_id, node_id, '[]') WITH &&, "
            "daterange(date_from, date_to, '[]') WITH &&) "
            "WHERE (state <> 'cancelled')",
            "A settlement run already covers this period for this node.",
        ),
    ]

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.model
    def _get_param(self, key, default):
        return (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value
            .get_param(f"timebank_volunteer.{key}", default)
        )

    @api.model
    def _get_goods_ratio(self):
        return float(self._get_param("settlement_goods_ratio", DEFAULT_GOODS_RATIO))

    @api.model
    def _default_period(self):
        cadence = self._get_param("settlement_cadence", DEFAULT_CADENCE)
        return last_closed_period(cadence, fields.Date.context_today(self))

    @api.model
    def _default_node_id(self):
        nodes = self.env.user.timebank_node_ids
        return nodes.district_id[:1] or nodes[:1]

    @api.depends("node_id", "date_from", "date_to")
    def _compute_name(self):
        for run in self:
            run.name = "%s %s - %s" % (
                run.node_id.name or "",
                run.date_from or "",
                run.date_to or "",
            )

    @api.depends("line_count", "done_count")
    def _compute_progress(self):
        for run in self:
            run.progress = (
                100.0 * run.done_count / run.line_count if run.line_count else 0.0
            )

    @api.depends("node_id", "date_to", "state")
    def _compute_pending_record_ids(self):
        Record = self.env["timebank.service.record"]
        for run in self:
            records = Record.browse()
            if run.node_id and run.date_to and run.state in ("draft", "previewed"):
                records = Record.search(
                    [
                        ("node_id", "child_of", run.node_id.id),
                        ("date_start", "<", run._utc_end()),
                        ("state", "in", ("draft", "submitted")),
                    ]
                )
            run.pending_record_ids = records
            run.pending_record_count = len(records)
            run.pending_warning = (
                self.env._(
                    "%(count)s service(s) of this period are not confirmed yet. "
                    "Confirm or reject them first, or tick 'Settle Anyway': their "
                    "hours will then be settled by the next run.",
                    count=len(records),
                )
                if records
                else False
            )

    def _utc_end(self):
        """First instant after the period's last local day, as naive UTC."""
        self.ensure_one()
        tz = pytz.timezone(self.tz or "Asia/Shanghai")
        local = tz.localize(
            datetime.combine(self.date_to + timedelta(days=1), time.min)
        )
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.constrains("node_id", "date_from", "date_to", "state")
    def _check_overlap(self):
        for run in self.filtered(lambda r: r.state != "cancelled"):
            self._check_period(run.node_id, run.date_from, run.date_to, run.ids)

    @api.model
    def _check_period(self, node, date_from, date_to, exclude_ids=()):
        """Refuse a period not over yet, or overlapping another live run of
        the same node, an ancestor or a descendant (their accounts overlap).

        Called before the INSERT/UPDATE too, so that the user gets this
        message rather than the database's exclusion constraint.
        """
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if not (node and date_from and date_to):
            return
        if date_to >= fields.Date.context_today(self):
            raise ValidationError(
                self.env._(
                    "A period can be settled only after it has ended "
                    "(%(date)s is not over yet).",
                    date=date_to,
                )
            )
        other = self.sudo().search(  # sudo: runs of other scopes count too
            [
                ("id", "not in", list(exclude_ids)),
                ("state", "!=", "cancelled"),
                ("date_from", "<=", date_to),
                ("date_to", ">=", date_from),
                "|",
                ("node_id", "child_of", node.id),
                ("node_id", "parent_of", node.id),
            ],
            limit=1,
        )
        if other:
            raise ValidationError(
                self.env._(
                    "The period %(date_from)s - %(date_to)s is already settled or "
                    "being settled for %(node)s by the run %(other)s.",
                    date_from=date_from,
                    date_to=date_to,
                    node=other.node_id.display_name,
                    other=other.name,
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Node = self.env["timebank.node"]
        defaults = self.default_get(["node_id", "date_from", "date_to"])
        for vals in vals_list:
            values = dict(defaults, **vals)
            self._check_period(
                Node.browse(values.get("node_id")),
                values.get("date_from"),
                values.get("date_to"),
            )
        return super().create(vals_list)

    def write(self, vals):
        if {"node_id", "date_from", "date_to", "goods_ratio", "tz"}.intersection(
            vals
        ) and any(run.state not in ("draft", "previewed") for run in self):
            raise UserError(
                self.env._("The period of a started settlement cannot be changed.")
            )
        if {"node_id", "date_from", "date_to"}.intersection(vals):
            for run in self:
                self._check_period(
                    self.env["timebank.node"].browse(
                        vals.get("node_id", run.node_id.id)
                    ),
                    vals.get("date_from", run.date_from),
                    vals.get("date_to", run.date_to),
                    run.ids,
                )
        result = super().write(vals)
        if {"node_id", "date_from", "date_to"}.intersection(vals):
            previewed = self.filtered(lambda r: r.state == "previewed")
            previewed.line_ids.unlink()
            previewed.write({"state": "draft", "line_count": 0})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(run.state not in ("draft", "cancelled") for run in self):
            raise UserError(
                self.env._("Only draft or cancelled settlement runs can be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_admin(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_admin"):
            raise AccessError(
                self.env._("Only district administrators run settlements.")
            )
        self.check_access("write")

    def action_preview(self):
        """Compute, per account, the hours to settle and the two parts."""
        self._check_admin()
        self._check_state(("draft", "previewed"), self.env._("Previewing"))
        for run in self:
            run._action_preview()
        return True

    def action_confirm(self):
        """Start posting: the background job settles the accounts in batches."""
        self._check_admin()
        self._check_state(("previewed",), self.env._("Confirming"))
        for run in self:
            if run.pending_record_ids and not run.settle_anyway:
                raise UserError(
                    self.env._(
                        "Services of this period are not confirmed yet: "
                        "%(records)s. Confirm or reject them, or tick 'Settle "
                        "Anyway' (their hours will be settled by the next run).",
                        records=", ".join(run.pending_record_ids[:20].mapped("name")),
                    )
                )
        self.write({"state": "running", "user_id": self.env.uid})
        self.env.ref("timebank_volunteer.ir_cron_timebank_settlement")._trigger()
        return True

    def action_process_now(self):
        """Post the remaining accounts in this request (small runs, tests).

        One transaction: either every remaining account is posted or none.
        """
        self._check_admin()
        self._check_state(("running",), self.env._("Posting"))
        for run in self:
            run._process_batches(commit=False)
        return True

    def action_cancel(self):
        self._check_admin()
        self._check_state(("draft", "previewed"), self.env._("Cancelling"))
        self.line_ids.unlink()
        self.write({"state": "cancelled", "line_count": 0})
        return True

    def action_reset_draft(self):
        self._check_admin()
        self._check_state(("cancelled",), self.env._("Resetting to draft"))
        self.write({"state": "draft"})
        return True

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_settlement_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _candidate_query(self, account_ids=None):
        """SQL of the ledger lines this run would settle (not yet settled).

        A line's period is the start of its service, carried on the line
        (``service_date``, hashed with it) so that the lines of a district are
        read from one index without looking up their records; lines posted
        before that field existed look the start up on the record.

        :param account_ids: restrict to these accounts (a batch), else the
            accounts of the run's scope.
        """
        self.ensure_one()
        if account_ids is None:
            scope = SQL(
                "a.node_id IN (SELECT id FROM timebank_node WHERE parent_path LIKE %s)",
                self.node_id.parent_path + "%",
            )
        else:
            scope = SQL("a.id = ANY(%s)", account_ids)
        return SQL(
            """
            SELECT l.id AS ledger_line_id, l.account_id, l.hours
              FROM timebank_ledger_line l
              JOIN timebank_account a ON a.id = l.account_id
             WHERE %(scope)s
               AND l.bucket = 'unsettled'
               AND l.kind IN ('deposit', 'reversal')
               AND l.res_model = 'timebank.service.record'
               AND (l.service_date < %(end)s
                    OR l.service_date IS NULL
                       AND EXISTS (SELECT 1 FROM timebank_service_record r
                                    WHERE r.id = l.res_id
                                      AND r.date_start < %(end)s))
               AND NOT EXISTS (SELECT 1 FROM timebank_settlement_item i
                                WHERE i.ledger_line_id = l.id)
            """,
            scope=scope,
            end=self._utc_end(),
        )

    def _action_preview(self):
        """One INSERT ... SELECT of the lines of every account in scope."""
        self.ensure_one()
        self.env.flush_all()
        self.line_ids.unlink()
        self.env.flush_all()
        now = self.env.cr.now().replace(microsecond=0)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO timebank_settlement_line (
                    run_id, account_id, volunteer_id, node_id, date_from, date_to,
                    goods_ratio, hours_total, hours_goods, hours_reserve, state,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(run)s, c.account_id, a.volunteer_id, a.node_id,
                       %(date_from)s, %(date_to)s, %(ratio)s, c.total,
                       round(c.total * %(ratio)s / 100.0, 2),
                       c.total - round(c.total * %(ratio)s / 100.0, 2),
                       'pending', %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (SELECT account_id, SUM(hours) AS total
                          FROM (%(candidates)s) AS cand
                         GROUP BY account_id) AS c
                  JOIN timebank_account a ON a.id = c.account_id
                 ORDER BY c.account_id
                """,
                run=self.id,
                date_from=self.date_from,
                date_to=self.date_to,
                ratio=self.goods_ratio,
                uid=self.env.uid,
                now=now,
                candidates=self._candidate_query(),
            )
        )
        # PostgreSQL's round() on numeric rounds half away from zero, which
        # is half-up for the positive totals settled; _process_batch
        # recomputes the parts with split_hours anyway
        self.env["timebank.settlement.line"].invalidate_model()
        self.invalidate_recordset()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*), COALESCE(SUM(hours_total), 0),
                       COALESCE(SUM(hours_goods), 0), COALESCE(SUM(hours_reserve), 0)
                  FROM timebank_settlement_line WHERE run_id = %s
                """,
                self.id,
            )
        )
        count, total, goods, reserve = self.env.cr.fetchone()
        self.write(
            {
                "state": "previewed",
                "line_count": count,
                "done_count": 0,
                "hours_total": total,
                "hours_goods": goods,
                "hours_reserve": reserve,
            }
        )

    @api.model
    def _cron_process(self, batch_size=DEFAULT_BATCH_SIZE, time_limit=120):
        """Background job: post running runs batch by batch.

        Inside the cron job only (``cron_id`` in the context), each batch is
        committed on its own, so a crash loses at most the batch in progress
        (rolled back entirely) and the job resumes with the pending lines.
        """
        commit = bool(self.env.context.get("cron_id"))
        deadline = systime.monotonic() + time_limit
        for run in self.search([("state", "=", "running")], order="id"):
            run._process_batches(
                batch_size=batch_size, commit=commit, deadline=deadline
            )
            if systime.monotonic() > deadline:
                break

    def _process_batches(
        self, batch_size=DEFAULT_BATCH_SIZE, commit=False, deadline=None
    ):
        """Post the pending lines of the run, ``batch_size`` accounts at a time.

        :param commit: commit after each batch (only inside the cron job or
            a script that owns its cursor).
        :param deadline: ``time.monotonic()`` value after which to stop
            (the job is then triggered again).
        :return: number of accounts posted by this call.
        """
        self.ensure_one()
        posted = 0
        while True:
            done = self._process_batch(batch_size)
            posted += done
            remaining = self.line_count - self.done_count
            self.env["ir.cron"]._notify_progress(done=posted, remaining=remaining)
            if commit:
                # only inside the cron job (or a script owning its cursor):
                # one batch of whole accounts = one transaction
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if not done or self.state == "done":
                break
            if deadline and systime.monotonic() > deadline:
                self.env.ref(
                    "timebank_volunteer.ir_cron_timebank_settlement"
                )._trigger()
                break
        return posted

    def _process_batch(self, batch_size):
        """Settle up to ``batch_size`` whole accounts in the current transaction.

        1. take the next pending settlement lines and lock them
           (``FOR UPDATE SKIP LOCKED``: two workers never take the same);
        2. lock their accounts in id order (``FOR NO KEY UPDATE``, like
           ``_post_lines``) and read the not yet settled ledger lines of the
           period from the locked state;
        3. record them as settlement items (unique per ledger line);
        4. post -total unsettled, +goods, +reserve through ``_post_lines``;
        5. mark the settlement lines done and count them on the run.

        :return: number of accounts processed (0 when nothing is pending).
        """
        self.ensure_one()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT id, account_id FROM timebank_settlement_line
                 WHERE run_id = %s AND state = 'pending'
                 ORDER BY account_id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                self.id,
                batch_size,
            )
        )
        rows = cr.fetchall()
        if not rows:
            self._finish_if_done()
            return 0
        line_of = {account_id: line_id for line_id, account_id in rows}
        account_ids = sorted(line_of)
        cr.execute(
            SQL(
                "SELECT id FROM timebank_account WHERE id = ANY(%s) "
                "ORDER BY id FOR NO KEY UPDATE",
                account_ids,
            )
        )
        cr.execute(self._candidate_query(account_ids))
        items = cr.fetchall()
        totals = defaultdict(Decimal)
        for _ledger_line_id, account_id, hours in items:
            totals[account_id] += Decimal(str(hours))
        # an account whose unsettled lines net below zero (a reversal of
        # hours settled before) is skipped: its lines stay for a later run
        skipped = {a for a, total in totals.items() if total < 0}
        items = [item for item in items if item[1] not in skipped]
        cr.execute(
            SQL(
                """
                INSERT INTO timebank_settlement_item
                       (settlement_line_id, ledger_line_id, account_id, hours)
                SELECT line_id, ledger_line_id, account_id, hours
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::numeric[])
                    AS v(line_id, ledger_line_id, account_id, hours)
                """,
                [line_of[item[1]] for item in items],
                [item[0] for item in items],
                [item[1] for item in items],
                [item[2] for item in items],
            )
        )
        name = self.env._("Settlement %(period)s", period=self.name)
        vals_list = []
        parts = {}
        for account_id in account_ids:
            if account_id in skipped:
                continue
            total, goods, reserve = split_hours(totals[account_id], self.goods_ratio)
            parts[line_of[account_id]] = (total, goods, reserve)
            for bucket, hours in (
                ("unsettled", -total),
                ("goods", goods),
                ("reserve", reserve),
            ):
                vals_list.append(
                    {
                        "account_id": account_id,
                        "hours": hours,
                        "bucket": bucket,
                        "kind": "settlement",
                        "res_model": "timebank.settlement.line",
                        "res_id": line_of[account_id],
                        "name": name,
                    }
                )
        self.env["timebank.account"]._post_lines(vals_list)
        line_ids = list(parts)
        now = cr.now().replace(microsecond=0)
        cr.execute(
            SQL(
                """
                UPDATE timebank_settlement_line s
                   SET hours_total = v.total, hours_goods = v.goods,
                       hours_reserve = v.reserve, state = 'done',
                       date_done = %(now)s, write_date = %(now)s,
                       write_uid = %(uid)s
                  FROM unnest(%(ids)s::int[], %(total)s::numeric[],
                              %(goods)s::numeric[], %(reserve)s::numeric[])
                    AS v(id, total, goods, reserve)
                 WHERE s.id = v.id
                """,
                now=now,
                uid=self.env.uid,
                ids=line_ids,
                total=[parts[i][0] for i in line_ids],
                goods=[parts[i][1] for i in line_ids],
                reserve=[parts[i][2] for i in line_ids],
            )
        )
        skipped_ids = [line_of[a] for a in skipped]
        if skipped_ids:
            cr.execute(
                SQL(
                    "UPDATE timebank_settlement_line SET state = 'skipped', "
                    "hours_total = 0, hours_goods = 0, hours_reserve = 0 "
                    "WHERE id = ANY(%s)",
                    skipped_ids,
                )
            )
        # the run's hours = the sums of its done lines: the preview's
        # figures are replaced by the first batch (done_count still 0), then
        # each batch adds its own lines (re-summing every done line of the
        # run at each batch made a district-wide run quadratic)
        cr.execute(
            SQL(
                """
                UPDATE timebank_settlement_run r
                   SET done_count = r.done_count + %(count)s,
                       hours_total = s.total + CASE WHEN r.done_count = 0
                                                    THEN 0 ELSE r.hours_total END,
                       hours_goods = s.goods + CASE WHEN r.done_count = 0
                                                    THEN 0 ELSE r.hours_goods END,
                       hours_reserve = s.reserve + CASE WHEN r.done_count = 0
                                                    THEN 0 ELSE r.hours_reserve END
                  FROM (SELECT COALESCE(SUM(hours_total), 0) AS total,
                               COALESCE(SUM(hours_goods), 0) AS goods,
                               COALESCE(SUM(hours_reserve), 0) AS reserve
                          FROM timebank_settlement_line
                         WHERE id = ANY(%(lines)s) AND state = 'done') AS s
                 WHERE r.id = %(run)s
                """,
                count=len(rows),
                lines=line_ids,
                run=self.id,
            )
        )
        self.env["timebank.settlement.line"].invalidate_model()
        self.invalidate_recordset()
        self._finish_if_done()
        return len(rows)

    def _finish_if_done(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM timebank_settlement_line "
                "WHERE run_id = %s AND state = 'pending' LIMIT 1",
                self.id,
            )
        )
        pending = self.env.cr.fetchone()
        if self.state == "running" and not pending:
            self.write({"state": "done", "date_done": fields.Datetime.now()})
            _logger.info("Settlement run %s done", self.id)
