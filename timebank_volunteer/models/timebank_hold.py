# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_round


class TimebankHold(models.Model):
    """A hold (冻结) on service-reserve hours promised to a withdrawal.

    Holds are placed and released only by ``timebank.account._place_holds``
    and ``_release_holds``, under the account row lock, which also keep the
    account's ``hold_hours`` equal to the sum of its active holds.
    """

    _name = "timebank.hold"
    _description = "Time Bank Reserve Hold"
    _order = "id desc"
    _rec_name = "withdrawal_id"

    account_id = fields.Many2one(
        "timebank.account", required=True, readonly=True, index=True
    )
    volunteer_id = fields.Many2one(
        related="account_id.volunteer_id", store=True, index=True
    )
    node_id = fields.Many2one(related="account_id.node_id", store=True, index=True)
    withdrawal_id = fields.Many2one(
        "timebank.withdrawal", required=True, readonly=True, index=True
    )
    hours = fields.Float(digits=(16, 2), required=True, readonly=True)
    state = fields.Selection(
        [("active", "Active"), ("consumed", "Debited"), ("released", "Released")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )

    _sql_constraints = [
        ("hours_positive", "CHECK(hours > 0)", "A hold is a positive number of hours."),
    ]

    def write(self, vals):
        if not self.env.context.get("timebank_hold_update"):
            raise UserError(self.env._("Holds change only through their withdrawal."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(self.env._("Holds cannot be deleted; cancel the withdrawal."))


class TimebankAccount(models.Model):
    _inherit = "timebank.account"

    hold_hours = fields.Float(
        string="Held Reserve Hours",
        digits=(16, 2),
        readonly=True,
        default=0.0,
        help="Service-reserve hours promised to open withdrawals (sum of the "
        "active holds).",
    )
    available_reserve = fields.Float(
        string="Available Reserve Hours",
        digits=(16, 2),
        compute="_compute_available_reserve",
        help="Service reserve minus the active holds.",
    )
    hold_ids = fields.One2many(
        "timebank.hold",
        "account_id",
        string="Active Holds",
        domain=[("state", "=", "active")],
        readonly=True,
    )

    _sql_constraints = [
        (
            "hold_hours_check",
            "CHECK(hold_hours >= 0 AND hold_hours <= balance_reserve)",
            "The held hours cannot exceed the service reserve.",
        ),
    ]

    @api.depends("balance_reserve", "hold_hours")
    def _compute_available_reserve(self):
        for account in self:
            account.available_reserve = account.balance_reserve - account.hold_hours

    def write(self, vals):
        if "hold_hours" in vals:
            raise UserError(
                self.env._("Held hours change only by placing or releasing a hold.")
            )
        return super().write(vals)

    def _lock_for_holds(self):
        """Lock the accounts (id order) and return their reserve and held hours.

        ``FOR NO KEY UPDATE`` like ``_post_lines``; because placing or
        releasing a hold also UPDATEs ``hold_hours`` on the locked row, a
        concurrent transaction that waited on the lock fails with a
        serialization error instead of deciding on a stale sum (Odoo
        retries it for RPC requests, and it then sees the new hold).
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT id, balance_reserve, hold_hours FROM timebank_account
                 WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE
                """,
                self.ids,
            )
        )
        state = {row[0]: [row[1], row[2]] for row in self.env.cr.fetchall()}
        self.invalidate_recordset()
        return state

    def _update_hold_hours(self, deltas):
        ids = sorted(deltas)
        self.env.cr.execute(
            SQL(
                """
                UPDATE timebank_account a SET hold_hours = a.hold_hours + v.delta
                  FROM unnest(%s::int[], %s::numeric[]) AS v(id, delta)
                 WHERE a.id = v.id
                """,
                ids,
                [float_round(deltas[i], 2) for i in ids],
            )
        )
        self.browse(ids).invalidate_recordset(["hold_hours", "available_reserve"])

    @api.model
    def _place_holds(self, withdrawals):
        """Hold the estimated hours of ``withdrawals`` on their accounts.

        Checks, under the account lock, that each estimate fits in the
        reserve minus the active holds (including the earlier withdrawals
        of the same batch). Raises before writing anything.
        """
        accounts = withdrawals.account_id
        state = accounts._lock_for_holds()
        deltas = {}
        for withdrawal in withdrawals:
            account_state = state[withdrawal.account_id.id]
            available = account_state[0] - account_state[1]
            if (
                float_compare(withdrawal.estimated_hours, available, precision_digits=2)
                > 0
            ):
                raise UserError(
                    self.env._(
                        "%(volunteer)s has %(available).2f service-reserve hours "
                        "available (reserve %(reserve).2f minus %(held).2f hours "
                        "held): %(hours).2f hours cannot be promised.",
                        volunteer=withdrawal.volunteer_id.name,
                        available=available,
                        reserve=account_state[0],
                        held=account_state[1],
                        hours=withdrawal.estimated_hours,
                    )
                )
            account_state[1] += withdrawal.estimated_hours
            deltas[withdrawal.account_id.id] = (
                deltas.get(withdrawal.account_id.id, 0.0) + withdrawal.estimated_hours
            )
        self._update_hold_hours(deltas)
        # sudo: holds are written only here, after the withdrawal's rights
        # were checked by its action; users only read them
        return (
            self.env["timebank.hold"]
            .sudo()
            .create(
                [
                    {
                        "account_id": withdrawal.account_id.id,
                        "withdrawal_id": withdrawal.id,
                        "hours": withdrawal.estimated_hours,
                    }
                    for withdrawal in withdrawals
                ]
            )
            .sudo(False)
        )

    @api.model
    def _release_holds(self, holds, state="released"):
        """Release active holds (under the account lock); return the lock state."""
        holds = holds.filtered(lambda h: h.state == "active")
        lock_state = holds.account_id._lock_for_holds()
        deltas = {}
        for hold in holds:
            deltas[hold.account_id.id] = (
                deltas.get(hold.account_id.id, 0.0) - hold.hours
            )
            lock_state[hold.account_id.id][1] -= hold.hours
        if deltas:
            self._update_hold_hours(deltas)
            holds.sudo().with_context(timebank_hold_update=True).write(
                {"state": state}
            )  # sudo: see _place_holds
        return lock_state


class TimebankVolunteer(models.Model):
    _inherit = "timebank.volunteer"  # pylint: disable=consider-merging-classes-inherited

    hold_hours = fields.Float(
        related="account_id.hold_hours", string="Held Reserve Hours"
    )
    available_reserve = fields.Float(
        related="account_id.available_reserve", string="Available Reserve Hours"
    )
