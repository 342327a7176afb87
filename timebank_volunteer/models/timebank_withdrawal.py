# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare


class TimebankWithdrawal(models.Model):
    """A withdrawal of service-reserve hours as free service (服务支取).

    Flow: draft -> applied (a hold on the estimated weighted hours is placed
    under the account lock, so the same reserve cannot be promised twice)
    -> done (the linked service record was confirmed: its real weighted
    hours are debited from the reserve and the hold is consumed, in the
    same transaction as the serving volunteer's deposit) or cancelled (the
    hold is released). A done withdrawal whose service is cancelled is
    refunded by a reversing ledger line (refunded).

    Applying also creates the service request that dispatches the need
    (``_prepare_service_request_values``, see
    ``timebank_service_request_withdrawal.py``); completing that request links
    its delivered ``timebank.service.record`` here. Staff may also link a
    delivered record directly.
    """

    _name = "timebank.withdrawal"
    _description = "Time Bank Service Withdrawal"
    _inherit = ["mail.thread", "timebank.document.mixin"]
    _sequence_code = "timebank.withdrawal"
    _state_fields = frozenset({"state", "hours_debited"})
    _order = "id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        required=True,
        index=True,
        tracking=True,
        help="Whose service reserve is used.",
    )
    account_id = fields.Many2one(
        "timebank.account",
        compute="_compute_account_id",
        store=True,
        precompute=True,
        index=True,
    )
    node_id = fields.Many2one(related="volunteer_id.node_id", store=True, index=True)
    beneficiary_id = fields.Many2one(
        "timebank.beneficiary",
        domain="[('volunteer_id', '=', volunteer_id)]",
        tracking=True,
        help="Leave empty when the volunteer is served personally.",
    )
    relation = fields.Selection(related="beneficiary_id.relation")
    recipient_id = fields.Many2one(
        "timebank.recipient",
        string="Person Served",
        compute="_compute_recipient_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
    )
    service_type_id = fields.Many2one(
        "timebank.service.type", required=True, tracking=True
    )
    estimated_hours = fields.Float(
        string="Estimated Weighted Hours",
        digits=(16, 2),
        required=True,
        tracking=True,
        help="Held on the service reserve when the withdrawal is applied.",
    )
    date_planned = fields.Datetime(string="Wanted on")
    note = fields.Text(string="Service Needed")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("applied", "Applied"),
            ("done", "Debited"),
            ("cancelled", "Cancelled"),
            ("refunded", "Refunded"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    hold_ids = fields.One2many("timebank.hold", "withdrawal_id", readonly=True)
    hold_hours = fields.Float(
        string="Held Hours", digits=(16, 2), compute="_compute_hold_hours"
    )
    available_reserve = fields.Float(related="account_id.available_reserve")
    service_record_id = fields.Many2one(
        "timebank.service.record",
        string="Delivered Service",
        copy=False,
        index=True,
        tracking=True,
        domain="[('recipient_id', '=', recipient_id), ('state', '!=', 'cancelled')]",
    )
    hours_debited = fields.Float(
        string="Debited Hours", digits=(16, 2), readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "service_record_uniq",
            "unique(service_record_id)",
            "A service can be paid by one withdrawal only.",
        ),
        (
            "estimated_positive",
            "CHECK(estimated_hours > 0)",
            "The estimated hours must be positive.",
        ),
    ]

    @api.depends("volunteer_id")
    def _compute_account_id(self):
        for withdrawal in self:
            withdrawal.account_id = withdrawal.volunteer_id.account_id

    @api.depends("beneficiary_id")
    def _compute_recipient_id(self):
        for withdrawal in self:
            if withdrawal.beneficiary_id:
                withdrawal.recipient_id = withdrawal.beneficiary_id.recipient_id

    @api.depends("hold_ids.state", "hold_ids.hours")
    def _compute_hold_hours(self):
        for withdrawal in self:
            withdrawal.hold_hours = sum(
                withdrawal.hold_ids.filtered(lambda h: h.state == "active").mapped(
                    "hours"
                )
            )

    @api.constrains("volunteer_id", "beneficiary_id", "recipient_id")
    def _check_beneficiary(self):
        for withdrawal in self:
            withdrawal._check_beneficiary_allowed()

    def _check_beneficiary_allowed(self):
        allowed = self.env["timebank.beneficiary"]._get_allowed_relations()
        for withdrawal in self:
            beneficiary = withdrawal.beneficiary_id
            if not beneficiary:
                if (
                    withdrawal.recipient_id.partner_id
                    != withdrawal.volunteer_id.partner_id
                ):
                    raise ValidationError(
                        self.env._(
                            "%(person)s is not a registered beneficiary of "
                            "%(volunteer)s: register the family member first.",
                            person=withdrawal.recipient_id.name,
                            volunteer=withdrawal.volunteer_id.name,
                        )
                    )
                continue
            if (
                beneficiary.volunteer_id != withdrawal.volunteer_id
                or beneficiary.recipient_id != withdrawal.recipient_id
                or not beneficiary.active
                or beneficiary.relation not in allowed
            ):
                raise ValidationError(
                    self.env._(
                        "%(person)s is not an allowed beneficiary of %(volunteer)s.",
                        person=withdrawal.recipient_id.name,
                        volunteer=withdrawal.volunteer_id.name,
                    )
                )

    @api.constrains("service_record_id", "state")
    def _check_service_record(self):
        for withdrawal in self.filtered("service_record_id"):
            record = withdrawal.service_record_id
            if withdrawal.state not in ("applied", "done", "refunded"):
                raise ValidationError(
                    self.env._(
                        "Apply the withdrawal %(withdrawal)s before linking the "
                        "delivered service.",
                        withdrawal=withdrawal.name,
                    )
                )
            if record.recipient_id != withdrawal.recipient_id:
                raise ValidationError(
                    self.env._(
                        "The service %(record)s was not delivered to %(person)s.",
                        record=record.name,
                        person=withdrawal.recipient_id.name,
                    )
                )
            if record.volunteer_id == withdrawal.volunteer_id:
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s cannot serve a withdrawal of their own reserve.",
                        volunteer=record.volunteer_id.name,
                    )
                )

    def write(self, vals):
        locked = {
            "volunteer_id",
            "beneficiary_id",
            "recipient_id",
            "estimated_hours",
        }
        if locked.intersection(vals) and any(w.state != "draft" for w in self):
            raise UserError(
                self.env._(
                    "An applied withdrawal cannot change its volunteer, person or "
                    "hours; cancel it and apply again."
                )
            )
        if (
            "service_record_id" in vals
            and any(w.state != "applied" for w in self)
            and not self._state_write_allowed()
        ):
            raise UserError(
                self.env._(
                    "The delivered service can be linked only to an applied "
                    "withdrawal, and not changed once it is debited."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        if any(w.state not in ("draft", "cancelled") for w in self) or self.hold_ids:
            raise UserError(
                self.env._("Only draft withdrawals without holds can be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_action_rights(self):
        if self.env.su:
            return
        if not self.env.user.has_group("timebank_volunteer.group_timebank_operator"):
            raise AccessError(
                self.env._("You are not allowed to process service withdrawals.")
            )
        self.check_access("write")

    def action_apply(self):
        """Apply: hold the estimated hours on the service reserve."""
        self._check_action_rights()
        self._check_state(("draft",), self.env._("Applying"))
        self._action_apply()
        return True

    def _action_apply(self):
        self._check_beneficiary_allowed()
        missing = self.filtered(lambda w: not w.account_id)
        if missing:
            raise UserError(
                self.env._(
                    "%(volunteer)s has no time account, hence no service reserve.",
                    volunteer=missing[0].volunteer_id.name,
                )
            )
        self.flush_recordset()
        self.env["timebank.account"]._place_holds(self)
        self._with_state_write().write({"state": "applied"})

    def action_cancel(self):
        """Cancel an open withdrawal and release its hold."""
        self._check_action_rights()
        self._check_state(("draft", "applied"), self.env._("Cancelling"))
        self._action_cancel()
        return True

    def _action_cancel(self):
        self.env["timebank.account"]._release_holds(self.hold_ids)
        # a service not confirmed yet is no longer paid by this withdrawal
        self._with_state_write().write(
            {"state": "cancelled", "service_record_id": False}
        )

    def _action_debit(self):
        """Debit the real weighted hours of the confirmed services.

        Batch: locks the accounts once (id order), consumes the holds, checks
        that each service fits in the reserve minus the other active holds,
        then posts one ``withdrawal`` line per withdrawal through
        ``_post_lines`` (which refuses a second posting of a withdrawal).
        """
        withdrawals = self.filtered(lambda w: w.state == "applied")
        if not withdrawals:
            return
        # the service may have been edited while it was a draft
        withdrawals._check_service_record()
        Account = self.env["timebank.account"]
        lock_state = withdrawals.account_id._lock_for_holds()
        lock_state.update(Account._release_holds(withdrawals.hold_ids, "consumed"))
        vals_list = []
        for withdrawal in withdrawals:
            real = withdrawal.service_record_id.weighted_hours
            reserve, held = lock_state[withdrawal.account_id.id]
            if float_compare(real, reserve - held, precision_digits=2) > 0:
                raise UserError(
                    self.env._(
                        "The service %(record)s took %(real).2f weighted hours, "
                        "more than the %(hold).2f hours held and the "
                        "%(available).2f hours available in the service reserve "
                        "of %(volunteer)s. Correct the service or ask the "
                        "volunteer to pay the difference otherwise.",
                        record=withdrawal.service_record_id.name,
                        real=real,
                        hold=withdrawal.estimated_hours,
                        available=reserve - held,
                        volunteer=withdrawal.volunteer_id.name,
                    )
                )
            lock_state[withdrawal.account_id.id][0] = reserve - real
            vals_list.append(
                {
                    "account_id": withdrawal.account_id.id,
                    "hours": -real,
                    "bucket": "reserve",
                    "kind": "withdrawal",
                    "res_model": self._name,
                    "res_id": withdrawal.id,
                    "name": self.env._(
                        "%(withdrawal)s: %(record)s for %(person)s",
                        withdrawal=withdrawal.name,
                        record=withdrawal.service_record_id.name,
                        person=withdrawal.recipient_id.name,
                    ),
                }
            )
        Account._post_lines(vals_list)
        for withdrawal in withdrawals:
            withdrawal._with_state_write().write(
                {
                    "state": "done",
                    "hours_debited": withdrawal.service_record_id.weighted_hours,
                }
            )

    def _action_refund(self):
        """The paid service was cancelled: give the hours back (reversal)."""
        done = self.filtered(lambda w: w.state == "done" and w.hours_debited)
        self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": withdrawal.account_id.id,
                    "hours": withdrawal.hours_debited,
                    "bucket": "reserve",
                    "kind": "reversal",
                    "res_model": self._name,
                    "res_id": withdrawal.id,
                    "name": self.env._(
                        "Refund of %(withdrawal)s", withdrawal=withdrawal.name
                    ),
                }
                for withdrawal in done
            ]
        )
        done._with_state_write().write({"state": "refunded"})

    def _prepare_service_request_values(self):
        """Values of the service request paid by this withdrawal: the need is
        dispatched like any other, at the node of the person served, and its
        delivered service record comes back here as ``service_record_id``."""
        self.ensure_one()
        start = self.date_planned or fields.Datetime.now()
        coefficient = self.service_type_id.coefficient or 1.0
        return {
            "recipient_id": self.recipient_id.id,
            "service_type_id": self.service_type_id.id,
            "date_start": start,
            "date_end": start + timedelta(hours=self.estimated_hours / coefficient),
            "channel": "station",
            "note": self.note or False,
            "withdrawal_id": self.id,
        }


class TimebankServiceRecord(models.Model):
    _inherit = "timebank.service.record"  # pylint: disable=consider-merging-classes-inherited

    withdrawal_ids = fields.One2many(
        "timebank.withdrawal", "service_record_id", string="Paid by Withdrawal"
    )

    def _action_confirm(self):
        """Deposit for the serving volunteer, then debit the paying reserve.

        One transaction: if the debit is refused, the deposit is too.
        """
        result = super()._action_confirm()
        if self:
            # sudo: confirming the service is allowed (checked by
            # action_confirm); the withdrawal of another node it pays for
            # must follow, and nothing is returned to the user
            withdrawals = (
                self.env["timebank.withdrawal"]
                .sudo()
                .search(
                    [("service_record_id", "in", self.ids), ("state", "=", "applied")]
                )
            )
            withdrawals._action_debit()
        return result

    def _action_cancel(self):
        # lock the records first, like the cancellation itself: a concurrent
        # cancel then waits and gets the state message, not a unique key error
        self.env.flush_all()
        self._lock_rows()
        # sudo: see _action_confirm
        withdrawals = (
            self.env["timebank.withdrawal"]
            .sudo()
            .search([("service_record_id", "in", self.ids)])
        )
        withdrawals.filtered(lambda w: w.state == "done")._action_refund()
        withdrawals.filtered(lambda w: w.state == "applied").write(
            {"service_record_id": False}
        )
        return super()._action_cancel()
