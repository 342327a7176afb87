# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


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
