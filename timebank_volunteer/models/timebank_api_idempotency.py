# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models
from odoo.tools import SQL


class TimebankApiIdempotency(models.Model):
    """The stored answer to a write of the 12349 platform API sent with an
    ``Idempotency-Key`` header: a retry with the same key and the same request
    gets this answer again instead of a second write; the same key with
    another request is refused (409)."""

    _name = "timebank.api.idempotency"
    _description = "Time Bank API Idempotency Key"
    _order = "id desc"

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="cascade"
    )
    key = fields.Char(required=True, readonly=True)
    request_hash = fields.Char(
        required=True,
        readonly=True,
        help="SHA-256 of the method, path and body of the first request.",
    )
    response_status = fields.Integer(readonly=True)
    response_body = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "user_key_unique",
            "unique(user_id, key)",
            "An idempotency key can be used only once per user.",
        )
    ]

    def _claim(self, user_id, key, request_hash):
        """Take ``key`` of ``user_id`` for a new request: the new row, whose
        answer the caller writes once it has one, or an empty recordset when
        the key is already stored (the caller replays its answer or refuses).

        Two requests with the same key may be in flight at once. A search
        then a ``create`` is not enough: at REPEATABLE READ, the second one
        does not see the row the first one commits after its snapshot, runs
        the write again and fails on the unique constraint. ``INSERT ... ON
        CONFLICT DO NOTHING`` instead waits for the first one and, once it has
        committed, fails with a serialization error: Odoo retries the whole
        request, which then finds the stored answer."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO timebank_api_idempotency
                       (user_id, key, request_hash, create_uid, write_uid,
                        create_date, write_date)
                VALUES (%(user)s, %(key)s, %(hash)s, %(uid)s, %(uid)s,
                        now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (user_id, key) DO NOTHING
                RETURNING id
                """,
                user=user_id,
                key=key,
                hash=request_hash,
                uid=self.env.uid,
            ),
            # a serialization failure is expected here and retried by Odoo
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()
