# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import hmac
import json
import os
from hashlib import sha256

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config, float_repr

# name of the option in the server's configuration file, and of the
# environment variable read when the option is not set
LEDGER_KEY_OPTION = "timebank_ledger_key"
LEDGER_KEY_ENV = "TIMEBANK_LEDGER_KEY"

BUCKETS = [
    ("unsettled", "Unsettled"),
    ("goods", "Goods-exchangeable"),
    ("reserve", "Service Reserve"),
]
KINDS = [
    ("deposit", "Deposit"),
    ("reversal", "Reversal"),
    ("settlement", "Settlement"),
    ("redemption", "Goods Redemption"),
    ("withdrawal", "Service Withdrawal"),
    ("adjustment", "Adjustment"),
]


class TimebankLedgerLine(models.Model):
    """One signed movement of weighted hours in one bucket of a time account.

    Lines are append-only: they are inserted only by
    ``timebank.account._post_lines`` and never written or deleted, by anyone.
    Each line carries a sha256 hash chained to the previous line of the same
    account, so that a line altered or removed behind the ORM's back (in SQL)
    is detected by ``timebank.account.action_verify_chain``.

    When the server is given a ledger key (``timebank_ledger_key`` in its
    configuration file, or the ``TIMEBANK_LEDGER_KEY`` environment variable),
    the hash is an HMAC-SHA256 with that key. The key is kept outside the
    database, so whoever can write the database but not read the server's
    configuration cannot forge a line whose hash verifies, even by rewriting
    the whole chain and the account row.
    """

    _name = "timebank.ledger.line"
    _description = "Time Bank Ledger Line"
    _order = "account_id, sequence desc"
    _rec_name = "sequence"

    account_id = fields.Many2one(
        "timebank.account",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer", required=True, readonly=True, index=True
    )
    sequence = fields.Integer(
        required=True,
        readonly=True,
        help="Position of the line in its account's chain (1, 2, 3, ...).",
    )
    date = fields.Datetime(required=True, readonly=True, index=True)
    hours = fields.Float(
        digits=(16, 2),
        required=True,
        readonly=True,
        aggregator="sum",
        help="Signed weighted hours: positive is a credit, negative a debit.",
    )
    bucket = fields.Selection(BUCKETS, required=True, readonly=True, index=True)
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    name = fields.Char(string="Description", readonly=True)
    res_model = fields.Char(
        string="Source Model", required=True, readonly=True, index=True
    )
    res_id = fields.Many2oneReference(
        string="Source Record",
        model_field="res_model",
        required=True,
        readonly=True,
        index=True,
    )
    service_date = fields.Datetime(
        string="Service Start",
        readonly=True,
        help="Start of the service a deposit or reversal comes from: it decides "
        "the settlement period of the line.",
    )
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)
    running_balance = fields.Float(
        digits=(16, 2),
        compute="_compute_running_balance",
        help="Balance of the account (all buckets) after this line.",
    )
    running_bucket_balance = fields.Float(
        string="Bucket Balance",
        digits=(16, 2),
        compute="_compute_running_balance",
        help="Balance of this line's bucket after this line.",
    )

    _sql_constraints = [
        (
            "source_uniq",
            "unique(res_model, res_id, kind, bucket)",
            "This source document has already been posted to the ledger.",
        ),
        (
            "account_sequence_uniq",
            "unique(account_id, sequence)",
            "Two ledger lines of an account cannot share a sequence number.",
        ),
        ("hours_nonzero", "CHECK(hours <> 0)", "A ledger line cannot be zero."),
    ]

    def init(self):
        # the settlement's candidate lines of an account, read from the index
        # alone (service_date decides the period): no lookup of the records
        # (id: the settlement items' anti-join; res_id: lines without a
        # service_date; both needed for an index-only scan)
        self.env.cr.execute(
            """
            DROP INDEX IF EXISTS timebank_ledger_line_settlement_candidate_index;
            CREATE INDEX IF NOT EXISTS timebank_ledger_line_settlement_candidates_index
                ON timebank_ledger_line (account_id)
                INCLUDE (id, hours, service_date, res_id)
             WHERE bucket = 'unsettled' AND kind IN ('deposit', 'reversal')
               AND res_model = 'timebank.service.record'
            """
        )

    def _compute_running_balance(self):
        """Running balances from one window-function query for all accounts."""
        ids = [line_id for line_id in self.ids if line_id]
        balances = {}
        if ids:
            self.env["timebank.ledger.line"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, total, bucket_total FROM (
                        SELECT id,
                               SUM(hours) OVER (
                                   PARTITION BY account_id
                                   ORDER BY sequence
                               ) AS total,
                               SUM(hours) OVER (
                                   PARTITION BY account_id, bucket
                                   ORDER BY sequence
                               ) AS bucket_total
                          FROM timebank_ledger_line
                         WHERE account_id IN (
                               SELECT account_id FROM timebank_ledger_line
                                WHERE id = ANY(%(ids)s))
                    ) AS running
                    WHERE id = ANY(%(ids)s)
                    """,
                    ids=ids,
                )
            )
            balances = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for line in self:
            total, bucket_total = balances.get(line.id, (0.0, 0.0))
            line.running_balance = total
            line.running_bucket_balance = bucket_total

    @api.model
    def _ledger_key(self):
        """The ledger key of this server ("" when none is configured)."""
        return config.get(LEDGER_KEY_OPTION) or os.environ.get(LEDGER_KEY_ENV) or ""

    @api.model
    def _hash_values(self, values, previous_hash, key=None):
        """Hash of a line's fields chained to the previous line's hash.

        ``values`` holds the hashed fields as plain Python values (as stored);
        the same function is used when posting and when verifying.

        :param key: the ledger key to seal with; ``None`` takes the server's
            (:meth:`_ledger_key`), ``""`` gives the plain sha256.
        :return: hex digest: HMAC-SHA256 with the key, or sha256 without.
        """
        if key is None:
            key = self._ledger_key()
        record = {
            "account_id": values["account_id"],
            "sequence": values["sequence"],
            "date": fields.Datetime.to_string(values["date"]),
            "hours": float_repr(values["hours"], 2),
            "bucket": values["bucket"],
            "kind": values["kind"],
            "res_model": values["res_model"],
            "res_id": values["res_id"],
            "name": values["name"] or "",
        }
        if values.get("service_date"):
            # hashed when set (lines posted before the field existed have none)
            record["service_date"] = fields.Datetime.to_string(values["service_date"])
        current = json.dumps(
            record, sort_keys=True, ensure_ascii=True, separators=(",", ":")
        )
        message = ((previous_hash or "") + current).encode()
        if key:
            return hmac.new(key.encode(), message, sha256).hexdigest()
        return sha256(message).hexdigest()

    # Append-only: the ORM never creates or changes a line, for anyone; only
    # timebank.account._post_lines() inserts them, in SQL, under the row lock.
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Ledger lines cannot be created directly: they are posted by "
                "confirming a service, a settlement or a redemption."
            )
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Ledger lines cannot be modified. Post a reversing entry to "
                "correct a mistake."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(
            self.env._(
                "Ledger lines cannot be deleted. Post a reversing entry to "
                "correct a mistake."
            )
        )

    def action_open_source(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
