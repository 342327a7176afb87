# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.tools import SQL

STAT_COLUMNS = (
    "node_id, category_id, month, period, record_count, duration, weighted_hours, "
    "create_uid, create_date, write_uid, write_date"
)


class TimebankServiceStat(models.Model):
    """Confirmed services counted by sub-branch, category and month.

    The statistics behind the service pivot and graph at district and city
    scale: reading them does not scan every service record. They are kept in
    the same transaction as the ledger: confirming a batch of records inserts
    one row of positive deltas per (node, category, month) of the batch, and
    cancelling confirmed records one of negative deltas. Rows are only
    inserted, never updated, so concurrent confirmations never wait on each
    other here; a daily job folds the deltas of each group into one row.
    ``_rebuild`` recomputes everything from the records.
    """

    _name = "timebank.service.stat"
    _description = "Time Bank Service Statistics"
    _order = "month desc, node_id, category_id"
    _rec_name = "period"

    node_id = fields.Many2one(
        "timebank.node", readonly=True, index=True, ondelete="cascade"
    )
    category_id = fields.Many2one("timebank.service.category", readonly=True)
    month = fields.Date(
        string="First Day of Month", readonly=True, index=True, aggregator=False
    )
    period = fields.Char(string="Month", readonly=True, help="YYYY-MM, local time.")
    record_count = fields.Integer(string="Services", readonly=True)
    duration = fields.Float(string="Hours", digits=(16, 2), readonly=True)
    weighted_hours = fields.Float(digits=(16, 2), readonly=True)

    @api.model
    def _tz(self):
        return self.env.company.partner_id.tz or "Asia/Shanghai"

    def _select_deltas(self, record_ids, sign):
        """SQL of the delta rows of confirmed records (``sign`` 1 or -1)."""
        now = self.env.cr.now().replace(microsecond=0)
        local = SQL("(r.date_start AT TIME ZONE 'UTC' AT TIME ZONE %s)", self._tz())
        return SQL(
            """
            SELECT r.node_id, r.category_id,
                   date_trunc('month', %(local)s)::date,
                   to_char(%(local)s, 'YYYY-MM'),
                   %(sign)s * COUNT(*), %(sign)s * SUM(r.duration),
                   %(sign)s * SUM(r.weighted_hours),
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM timebank_service_record r
             WHERE %(where)s
             GROUP BY 1, 2, 3, 4
            """,
            local=local,
            sign=sign,
            uid=self.env.uid,
            now=now,
            where=SQL("r.id = ANY(%s)", record_ids)
            if record_ids is not None
            else SQL("r.state = 'confirmed'"),
        )

    @api.model
    def _add_records(self, record_ids, sign=1):
        """Count (``sign=1``) or uncount (``-1``) confirmed records: one INSERT."""
        if not record_ids:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO timebank_service_stat (%s) %s",
                SQL(STAT_COLUMNS),
                self._select_deltas(list(record_ids), sign),
            )
        )
        self.invalidate_model()

    @api.model
    def _rebuild(self):
        """Recompute the statistics of every confirmed record (repair, import)."""
        self.env.flush_all()
        self.env.cr.execute("LOCK TABLE timebank_service_stat IN EXCLUSIVE MODE")
        self.env.cr.execute("DELETE FROM timebank_service_stat")
        self.env.cr.execute(
            SQL(
                "INSERT INTO timebank_service_stat (%s) %s",
                SQL(STAT_COLUMNS),
                self._select_deltas(None, 1),
            )
        )
        self.invalidate_model()

    @api.model
    def _cron_compact(self):
        """Fold the delta rows of each (node, category, month) into one row.

        Rows inserted meanwhile by other transactions are not seen by the
        DELETE and stay as they are, to be folded next time.
        """
        self.env.flush_all()
        now = self.env.cr.now().replace(microsecond=0)
        self.env.cr.execute(
            SQL(
                """
                WITH groups AS (
                    SELECT node_id, category_id, month
                      FROM timebank_service_stat
                     GROUP BY 1, 2, 3 HAVING COUNT(*) > 1
                ), folded AS (
                    DELETE FROM timebank_service_stat s
                     USING groups g
                     WHERE s.node_id IS NOT DISTINCT FROM g.node_id
                       AND s.category_id IS NOT DISTINCT FROM g.category_id
                       AND s.month = g.month
                 RETURNING s.*
                )
                INSERT INTO timebank_service_stat (%(columns)s)
                SELECT node_id, category_id, month, MIN(period), SUM(record_count),
                       SUM(duration), SUM(weighted_hours),
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM folded
                 GROUP BY node_id, category_id, month
                HAVING SUM(record_count) <> 0 OR SUM(duration) <> 0
                       OR SUM(weighted_hours) <> 0
                """,
                columns=SQL(STAT_COLUMNS),
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_model()
