# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models


class TimebankServiceRequest(models.Model):
    """A service request paid from a volunteer's service reserve (R10).

    Applying a withdrawal holds the estimated hours and creates this request;
    completing it links the delivered service record to the withdrawal, whose
    confirmation then debits the real weighted hours and releases the hold;
    cancelling it cancels the withdrawal and releases the hold.
    """

    _inherit = "timebank.service.request"  # pylint: disable=consider-merging-classes-inherited

    withdrawal_id = fields.Many2one(
        "timebank.withdrawal",
        string="Paid by Withdrawal",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The service reserve of this withdrawal pays for the service.",
    )
    paid_from_reserve = fields.Boolean(
        compute="_compute_paid_from_reserve",
        store=True,
        help="Free service paid from a volunteer's stored service reserve.",
    )

    @api.depends("withdrawal_id")
    def _compute_paid_from_reserve(self):
        for request in self:
            request.paid_from_reserve = bool(request.withdrawal_id)

    def action_done(self):
        result = super().action_done()
        paid = self.filtered(
            lambda r: r.withdrawal_id.state == "applied" and r.record_id
        )
        for request in paid:
            # sudo: the dispatcher completing the need may work for another
            # node than the paying volunteer; only the link is written, to the
            # withdrawal this very request was created for
            request.withdrawal_id.sudo().service_record_id = request.record_id
        return result

    def action_cancel(self):
        result = super().action_cancel()
        # sudo: see action_done; the hold of a need that will not be served
        # is released
        self.withdrawal_id.sudo().filtered(
            lambda w: w.state == "applied"
        )._action_cancel()
        return result


class TimebankWithdrawal(models.Model):
    _inherit = "timebank.withdrawal"

    request_ids = fields.One2many(
        "timebank.service.request", "withdrawal_id", string="Service Requests"
    )

    def _action_apply(self):
        result = super()._action_apply()
        # sudo: the person served may live under another sub-branch than the
        # operator applying for the volunteer; the request belongs there, to
        # be dispatched by that node's staff. Rights on the withdrawal were
        # checked by action_apply.
        self.env["timebank.service.request"].sudo().create(
            [withdrawal._prepare_service_request_values() for withdrawal in self]
        )
        return result
