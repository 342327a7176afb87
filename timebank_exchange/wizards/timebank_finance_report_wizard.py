# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TimebankFinanceReportWizard(models.TransientModel):
    """Pick a period (and a node) and print the finance report (资金收支报表)."""

    _name = "timebank.finance.report.wizard"
    _description = "Finance Report"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    node_id = fields.Many2one(
        "timebank.node",
        help="Only the contributions and spending of this node and the nodes "
        "below it; leave empty for every node you can see.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model
    def _default_date_from(self):
        return date(fields.Date.context_today(self).year, 1, 1)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._("The start of the period must not be after its end.")
                )

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "timebank_exchange.action_report_timebank_finance"
        ).report_action(self)

    def _node_domain(self):
        domain = [("company_id", "=", self.company_id.id)]
        if self.node_id:
            domain.append(("node_id", "child_of", self.node_id.id))
        return domain

    def _get_finance_data(self):
        """Figures of the report, read with the user's access rights."""
        self.ensure_one()
        Contribution = self.env["timebank.contribution"]
        Spending = self.env["timebank.spending"]
        sources = dict(
            Contribution._fields["source_category"]._description_selection(self.env)
        )
        purposes = dict(Spending._fields["purpose"]._description_selection(self.env))
        funds = dict(
            self.env["timebank.fund.report"]
            ._fields["fund_purpose"]
            ._description_selection(self.env)
        )
        period = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]

        received = dict.fromkeys(sources, None)
        for source, kind, amount in Contribution._read_group(
            [*self._node_domain(), *period, ("state", "=", "received")],
            ["source_category", "kind"],
            ["amount:sum"],
        ):
            row = received[source] or {"money": 0.0, "in_kind": 0.0}
            row[kind] += amount
            received[source] = row
        contributions = [
            {
                "source": sources[source],
                "money": row["money"],
                "in_kind": row["in_kind"],
                "total": row["money"] + row["in_kind"],
            }
            for source, row in received.items()
            if row
        ]

        spent = dict(
            Spending._read_group(
                [*self._node_domain(), *period, ("state", "=", "posted")],
                ["purpose"],
                ["amount:sum"],
            )
        )
        spending = [
            {"purpose": purposes[purpose], "amount": spent[purpose]}
            for purpose in purposes
            if purpose in spent
        ]

        balances = [
            {
                "source": sources[source],
                "fund": funds[fund],
                "received": amount_in,
                "spent": amount_out,
                "balance": amount,
            }
            for source, fund, amount_in, amount_out, amount in self.env[
                "timebank.fund.report"
            ]._read_group(
                [*self._node_domain(), ("date", "<=", self.date_to)],
                ["source_category", "fund_purpose"],
                ["amount_in:sum", "amount_out:sum", "amount:sum"],
                order="source_category, fund_purpose",
            )
        ]

        restricted_contributions = Contribution.search(
            [
                *self._node_domain(),
                ("date", "<=", self.date_to),
                ("state", "=", "received"),
                ("kind", "=", "money"),
                ("restricted_purpose", "!=", False),
            ],
            order="date, id",
        )
        spent_by_contribution = dict(
            Spending._read_group(
                [
                    ("contribution_id", "in", restricted_contributions.ids),
                    ("state", "=", "posted"),
                    ("date", "<=", self.date_to),
                ],
                ["contribution_id"],
                ["amount:sum"],
            )
        )
        restricted = [
            {
                "name": contribution.name,
                "contributor": contribution.partner_id.display_name,
                "source": sources[contribution.source_category],
                "purpose": purposes[contribution.restricted_purpose],
                "amount": contribution.amount,
                "spent": spent_by_contribution.get(contribution, 0.0),
                "remaining": contribution.amount
                - spent_by_contribution.get(contribution, 0.0),
            }
            for contribution in restricted_contributions
        ]
        return {
            "contributions": contributions,
            "contributions_money": sum(r["money"] for r in contributions),
            "contributions_in_kind": sum(r["in_kind"] for r in contributions),
            "contributions_total": sum(r["total"] for r in contributions),
            "spending": spending,
            "spending_total": sum(r["amount"] for r in spending),
            "balances": balances,
            "balance_total": sum(r["balance"] for r in balances),
            "restricted": restricted,
            "restricted_remaining": sum(r["remaining"] for r in restricted),
        }
