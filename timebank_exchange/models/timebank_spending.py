# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, format_amount

from .timebank_contribution import PURPOSES, SOURCE_CATEGORIES


class TimebankSpending(models.Model):
    """Money spent from the time bank's funds (资金使用), by purpose.

    A spending is charged to one source category.  It draws either on one
    restricted contribution (chosen explicitly; its restricted purpose must be
    the spending's purpose) or on the general fund of its source, i.e. the
    received money contributions of that source without a restricted purpose
    anywhere in the spending node's district (time bank), oldest first.
    Posting locks the contributions involved, checks what is left of them and
    records the use in their ``amount_spent``; a posting that does not fit is
    refused and nothing is posted.
    """

    _name = "timebank.spending"
    _description = "Fund Spending"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.spending"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    description = fields.Char(
        required=True, tracking=True, help="What the money was spent on."
    )
    purpose = fields.Selection(PURPOSES, required=True, index=True, tracking=True)
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    node_id = fields.Many2one(
        "timebank.node",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        help="Node of the time bank the money was spent for.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    contribution_id = fields.Many2one(
        "timebank.contribution",
        string="Restricted Contribution",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'received'), ('kind', '=', 'money'), "
        "('restricted_purpose', '=', purpose)]",
        help="Restricted contribution this spending draws on; leave empty to draw "
        "on the general fund of the source category.",
    )
    source_category = fields.Selection(
        SOURCE_CATEGORIES,
        string="Charged Source",
        compute="_compute_source_category",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Payee", tracking=True, check_company=True
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Goods Receipt",
        index="btree_not_null",
        check_company=True,
        domain="[('picking_type_code', '=', 'incoming')]",
        help="Receipt of the goods this spending bought, e.g. exchange goods.",
    )
    donation_id = fields.Many2one(
        "timebank.donation",
        string="Supplies Received",
        index="btree_not_null",
        check_company=True,
        help="Supplies recorded as a donation that this spending paid for.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    note = fields.Text()

    @api.depends("contribution_id")
    def _compute_source_category(self):
        for spending in self:
            if spending.contribution_id:
                spending.source_category = spending.contribution_id.source_category
            else:
                spending.source_category = spending.source_category

    @api.constrains("amount")
    def _check_amount(self):
        for spending in self:
            if spending.currency_id.compare_amounts(spending.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The amount of spending %(name)s must be greater than zero.",
                        name=spending.name,
                    )
                )

    def write(self, vals):
        locked_fields = {
            "purpose",
            "amount",
            "contribution_id",
            "source_category",
            "company_id",
            "date",
        }
        if vals.keys() & locked_fields and self.filtered(lambda s: s.state == "posted"):
            raise UserError(
                self.env._(
                    "A posted spending cannot be changed: cancel it and record it "
                    "again."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(spending.state == "posted" for spending in self):
            raise UserError(
                self.env._("A posted spending cannot be deleted; cancel it instead.")
            )

    def action_post(self):
        """Post the spending against its funds, under a lock of those funds."""
        not_draft = self.filtered(lambda s: s.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Spending %(name)s is not a draft: it cannot be posted again.",
                    name=not_draft[0].name,
                )
            )
        self.check_access("write")
        funds = self._lock_funds()
        for spending in self.sorted("id"):
            spending._use_funds(funds)
        self.write({"state": "posted"})
        return True

    def action_cancel(self):
        posted = self.filtered(lambda s: s.state == "posted")
        if posted:
            posted.check_access("write")
            funds = posted._lock_funds()
            for spending in posted.sorted("id", reverse=True):
                spending._release_funds(funds)
        self.filtered(lambda s: s.state != "cancel").write({"state": "cancel"})
        return True

    def action_draft(self):
        if self.filtered(lambda s: s.state != "cancel"):
            raise UserError(
                self.env._("Only cancelled spending can be set back to draft.")
            )
        self.write({"state": "draft"})
        return True

    def _general_fund_domain(self, company, district, source_category):
        return [
            ("company_id", "=", company.id),
            ("node_id", "child_of", district.id),
            ("source_category", "=", source_category),
            ("kind", "=", "money"),
            ("state", "=", "received"),
            ("restricted_purpose", "=", False),
        ]

    def _lock_funds(self):
        """Lock every contribution these spendings may draw on; return them.

        The general fund of a source belongs to the whole time bank (the
        district head bank and every node below it), also when the user only
        sees some nodes: it is searched as superuser, only to lock and update
        ``amount_spent`` (never returned to the client).  The restricted
        contributions were chosen by the user, so their access is checked.
        """
        Contribution = self.env["timebank.contribution"]
        self.contribution_id.check_access("read")
        general = Contribution
        for company, district, source_category in {
            (s.company_id, s.node_id.district_id, s.source_category)
            for s in self
            if not s.contribution_id
        }:
            general |= Contribution.sudo().search(
                self._general_fund_domain(company, district, source_category),
                order="date, id",
            )
        funds = (self.contribution_id.sudo() | general.sudo()).sorted("id")
        funds._lock_for_spending()
        return funds

    def _use_funds(self, funds):
        self.ensure_one()
        rounding = self.currency_id.rounding
        contribution = self.contribution_id.sudo()
        if contribution:
            self._check_restricted_contribution(contribution)
            contribution.amount_spent += self.amount
            return
        general = funds.filtered_domain(
            self._general_fund_domain(
                self.company_id, self.node_id.district_id, self.source_category
            )
        ).sorted(lambda c: (c.date, c.id))
        available = sum(general.mapped("amount")) - sum(general.mapped("amount_spent"))
        if float_compare(self.amount, available, precision_rounding=rounding) > 0:
            sources = dict(
                self._fields["source_category"]._description_selection(self.env)
            )
            raise UserError(
                self.env._(
                    "Spending %(name)s (%(amount)s) exceeds the general fund of "
                    "source %(category)s: only %(available)s is left. Restricted "
                    "funds can only be used by choosing their contribution.",
                    name=self.name,
                    amount=self._format_amount(self.amount),
                    category=sources[self.source_category],
                    available=self._format_amount(available),
                )
            )
        to_use = self.amount
        for fund in general:
            if float_is_zero(to_use, precision_rounding=rounding):
                break
            take = min(fund.amount - fund.amount_spent, to_use)
            if float_compare(take, 0.0, precision_rounding=rounding) > 0:
                fund.amount_spent += take
                to_use -= take

    def _release_funds(self, funds):
        """Give back what a cancelled posting used (general fund: newest first)."""
        self.ensure_one()
        rounding = self.currency_id.rounding
        if self.contribution_id:
            self.contribution_id.sudo().amount_spent -= self.amount
            return
        general = funds.filtered_domain(
            self._general_fund_domain(
                self.company_id, self.node_id.district_id, self.source_category
            )
        ).sorted(lambda c: (c.date, c.id), reverse=True)
        to_release = self.amount
        for fund in general:
            if float_is_zero(to_release, precision_rounding=rounding):
                break
            give = min(fund.amount_spent, to_release)
            if float_compare(give, 0.0, precision_rounding=rounding) > 0:
                fund.amount_spent -= give
                to_release -= give

    def _check_restricted_contribution(self, contribution):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        if contribution.state != "received" or contribution.kind != "money":
            raise UserError(
                self.env._(
                    "Contribution %(contribution)s is not money received: spending "
                    "%(name)s cannot draw on it.",
                    contribution=contribution.name,
                    name=self.name,
                )
            )
        if contribution.restricted_purpose != self.purpose:
            raise UserError(
                self.env._(
                    "Contribution %(contribution)s is restricted to %(restricted)s: "
                    "it cannot pay for %(purpose)s.",
                    contribution=contribution.name,
                    restricted=purposes.get(
                        contribution.restricted_purpose, self.env._("no purpose")
                    ),
                    purpose=purposes[self.purpose],
                )
            )
        if self.source_category != contribution.source_category:
            raise UserError(
                self.env._(
                    "Spending %(name)s is charged to another source than its "
                    "contribution %(contribution)s.",
                    name=self.name,
                    contribution=contribution.name,
                )
            )
        remaining = contribution.amount - contribution.amount_spent
        if (
            float_compare(
                self.amount, remaining, precision_rounding=self.currency_id.rounding
            )
            > 0
        ):
            raise UserError(
                self.env._(
                    "Spending %(name)s (%(amount)s) exceeds what is left of the "
                    "restricted contribution %(contribution)s: %(remaining)s.",
                    name=self.name,
                    amount=self._format_amount(self.amount),
                    contribution=contribution.name,
                    remaining=self._format_amount(remaining),
                )
            )

    def _format_amount(self, amount):
        return format_amount(self.env, amount, self.currency_id)
