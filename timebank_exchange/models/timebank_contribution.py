# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_is_zero

from .timebank_donation import DONOR_CATEGORIES

# 政府投一点、社会帮一点、企业捐一点、居民筹一点 (R11): the same keys as the
# donor categories of donated supplies, so in-kind contributions inherit them.
SOURCE_CATEGORIES = DONOR_CATEGORIES

# 购买服务、兑换物品、志愿者装备、教育培训、表彰奖励 (R11)
PURPOSES = [
    ("service", "Purchased Services"),
    ("goods", "Exchange Goods"),
    ("equipment", "Volunteer Equipment"),
    ("training", "Training"),
    ("award", "Awards"),
]


class TimebankContribution(models.Model):
    """A contribution to the time bank's funds (资金筹集), in money or in kind.

    Money contributions feed the funds that spending draws on: the general fund
    of their source category, or, when ``restricted_purpose`` is set, a fund
    that only spending of that purpose may use.  Contributions in kind are the
    donated supplies received at an outlet (``timebank.donation``); they are
    valued from the donation's received value and reported beside the money,
    but they are goods on a shelf, not money that spending can draw on.

    ``amount_spent`` is the part of a received money contribution that posted
    spending uses.  It is only written by ``timebank.spending`` while it holds
    a row lock on the contribution (see ``_lock_for_spending``), so two
    concurrent postings cannot both use the same remainder.
    """

    _name = "timebank.contribution"
    _description = "Funding Contribution"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.contribution"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    source_category = fields.Selection(
        SOURCE_CATEGORIES,
        compute="_compute_source_category",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        index=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contributor",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    node_id = fields.Many2one(
        "timebank.node",
        compute="_compute_node_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        help="Node of the time bank that receives the contribution.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        [("money", "Money"), ("in_kind", "In Kind")],
        required=True,
        default="money",
        tracking=True,
    )
    donation_id = fields.Many2one(
        "timebank.donation",
        string="Donated Supplies",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'received')]",
        help="The received donated supplies this contribution in kind stands for.",
    )
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Money received, or the received value of the donated supplies.",
    )
    restricted_purpose = fields.Selection(
        PURPOSES,
        index=True,
        tracking=True,
        help="When set, the contribution may only be spent on this purpose.",
    )
    amount_spent = fields.Monetary(
        default=0.0,
        readonly=True,
        copy=False,
        help="Part of this contribution used by posted spending.",
    )
    amount_remaining = fields.Monetary(
        compute="_compute_amount_remaining",
        help="Part of this money contribution that spending can still use.",
    )
    spending_ids = fields.One2many(
        "timebank.spending", "contribution_id", readonly=True
    )
    state = fields.Selection(
        [
            ("pledged", "Pledged"),
            ("received", "Collected"),
            ("cancel", "Cancelled"),
        ],
        default="pledged",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_received = fields.Date(string="Collection Date", readonly=True, copy=False)
    note = fields.Text()

    _sql_constraints = [
        (
            "amount_spent_within_amount",
            "CHECK (amount_spent >= 0 AND amount_spent <= GREATEST(amount, 0))",
            "A contribution cannot be spent beyond its amount.",
        ),
    ]

    @api.depends("donation_id")
    def _compute_source_category(self):
        for contribution in self:
            if contribution.donation_id:
                contribution.source_category = contribution.donation_id.donor_category
            else:
                contribution.source_category = contribution.source_category

    @api.depends("donation_id")
    def _compute_partner_id(self):
        for contribution in self:
            if contribution.donation_id:
                contribution.partner_id = contribution.donation_id.partner_id
            else:
                contribution.partner_id = contribution.partner_id

    @api.depends("donation_id")
    def _compute_node_id(self):
        for contribution in self:
            if contribution.donation_id:
                contribution.node_id = contribution.donation_id.node_id
            else:
                contribution.node_id = contribution.node_id

    @api.depends("kind", "donation_id")
    def _compute_amount(self):
        for contribution in self:
            if contribution.kind == "in_kind":
                contribution.amount = contribution.donation_id.amount_received
            else:
                contribution.amount = contribution.amount

    @api.depends("amount", "amount_spent", "kind", "state")
    def _compute_amount_remaining(self):
        for contribution in self:
            if contribution.kind == "money" and contribution.state == "received":
                contribution.amount_remaining = (
                    contribution.amount - contribution.amount_spent
                )
            else:
                contribution.amount_remaining = 0.0

    @api.constrains("amount", "kind", "state")
    def _check_amount(self):
        for contribution in self:
            if (
                contribution.kind == "money"
                and contribution.currency_id.compare_amounts(contribution.amount, 0.0)
                <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The amount of contribution %(name)s must be greater than "
                        "zero.",
                        name=contribution.name,
                    )
                )
            if contribution.amount < 0:
                raise ValidationError(
                    self.env._(
                        "The value of contribution %(name)s cannot be negative.",
                        name=contribution.name,
                    )
                )

    @api.constrains("kind", "donation_id", "restricted_purpose")
    def _check_kind(self):
        for contribution in self:
            if contribution.kind == "in_kind":
                if not contribution.donation_id:
                    raise ValidationError(
                        self.env._(
                            "Contribution %(name)s is in kind: link the donated "
                            "supplies it stands for.",
                            name=contribution.name,
                        )
                    )
                if contribution.restricted_purpose:
                    raise ValidationError(
                        self.env._(
                            "Contribution %(name)s is in kind: donated goods are "
                            "not a fund that can be restricted to a purpose.",
                            name=contribution.name,
                        )
                    )
            elif contribution.donation_id:
                raise ValidationError(
                    self.env._(
                        "Contribution %(name)s is in money: it cannot stand for "
                        "donated supplies.",
                        name=contribution.name,
                    )
                )

    @api.constrains("donation_id", "state")
    def _check_donation_counted_once(self):
        donations = self.filtered(lambda c: c.state != "cancel").donation_id
        if not donations:
            return
        # the other contribution may be in a node this user does not see; only
        # the count is used
        counts = self.sudo()._read_group(
            [("donation_id", "in", donations.ids), ("state", "!=", "cancel")],
            ["donation_id"],
            ["__count"],
        )
        for donation, count in counts:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "Donated supplies %(donation)s are already counted in "
                        "another contribution.",
                        donation=donation.name,
                    )
                )

    def write(self, vals):
        locked_fields = {
            "source_category",
            "kind",
            "amount",
            "restricted_purpose",
            "donation_id",
            "company_id",
        }
        if vals.keys() & locked_fields and self.filtered(
            lambda c: c.state == "received"
        ):
            raise UserError(
                self.env._(
                    "A received contribution cannot be changed: cancel it and "
                    "record it again."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_received(self):
        if any(contribution.state == "received" for contribution in self):
            raise UserError(
                self.env._(
                    "A received contribution cannot be deleted; cancel it instead."
                )
            )

    def action_receive(self):
        """Record the money (or the goods) as received: it becomes a fund."""
        not_pledged = self.filtered(lambda c: c.state != "pledged")
        if not_pledged:
            raise UserError(
                self.env._(
                    "Contribution %(name)s is not pledged: only pledged "
                    "contributions can be received.",
                    name=not_pledged[0].name,
                )
            )
        in_kind = self.filtered(lambda c: c.kind == "in_kind")
        not_received = in_kind.donation_id.filtered(lambda d: d.state != "received")
        if not_received:
            raise UserError(
                self.env._(
                    "Donated supplies %(donation)s have not been received into "
                    "stock yet: receive them first.",
                    donation=not_received[0].name,
                )
            )
        for contribution in in_kind:
            # the value of what actually came into stock
            contribution.amount = contribution.donation_id.amount_received
        self.write(
            {"state": "received", "date_received": fields.Date.context_today(self)}
        )
        return True

    def action_cancel(self):
        self.check_access("write")
        self._lock_for_spending()
        spent = self.filtered(
            lambda c: (
                not float_is_zero(
                    c.amount_spent, precision_rounding=c.currency_id.rounding
                )
            )
        )
        if spent:
            raise UserError(
                self.env._(
                    "Contribution %(name)s is already used by posted spending: "
                    "cancel that spending first.",
                    name=spent[0].name,
                )
            )
        self.write({"state": "cancel"})
        return True

    def action_pledge(self):
        if self.filtered(lambda c: c.state != "cancel"):
            raise UserError(
                self.env._("Only cancelled contributions can be set back to pledged.")
            )
        self.write({"state": "pledged", "date_received": False})
        return True

    def _lock_for_spending(self):
        """Lock these contributions until the end of the transaction.

        Rows are locked in id order so that two postings never deadlock.  The
        cache is dropped afterwards: the figures must be read again under the
        lock.  Every posting then writes ``amount_spent`` of the rows it locked,
        so a concurrent transaction that read them before fails to lock them
        (serialization failure) instead of using a stale remainder.
        """
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                self.ids,
            )
        )
        self.invalidate_recordset(["amount", "amount_spent", "state"])
