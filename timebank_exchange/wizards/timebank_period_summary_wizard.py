# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

SECTION_KINDS = ("town", "village", "social")
HANDED_OVER = ("done", "partial_return", "returned")


class TimebankPeriodSummaryWizard(models.TransientModel):
    """Pick a period and a node and print its summary for the evaluation
    phase (阶段总结), R13: one section per town or sub-branch below the node,
    and a total."""

    _name = "timebank.period.summary.wizard"
    _description = "Period Summary"

    date_from = fields.Date(
        string="Period Start",
        required=True,
        default=lambda self: self._default_date_from(),
    )
    date_to = fields.Date(
        string="Period End", required=True, default=fields.Date.context_today
    )
    node_id = fields.Many2one(
        "timebank.node",
        required=True,
        domain="[('kind', '!=', 'station')]",
        help="The summary covers this node and every node below it, with a "
        "section per town or sub-branch directly below it.",
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
            "timebank_exchange.action_report_timebank_period_summary"
        ).report_action(self)

    def _datetime_domain(self, field):
        start = datetime.combine(self.date_from, time.min)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min)
        return [
            (field, ">=", start),
            (field, "<", end),
            ("node_id", "child_of", self.node_id.id),
        ]

    def _date_domain(self, field="date"):
        return [
            (field, ">=", self.date_from),
            (field, "<=", self.date_to),
            ("node_id", "child_of", self.node_id.id),
        ]

    @api.model
    def _empty_row(self, name):
        return {
            "name": name,
            "services": 0,
            "hours": 0.0,
            "categories": defaultdict(float),
            "recipient_set": set(),
            "followups": 0,
            "scored": 0,
            "score_sum": 0,
            "redemptions": 0,
            "redeemed_hours": 0.0,
            "goods": 0.0,
            "contributions": 0.0,
            "spending": 0.0,
        }

    def _get_summary_data(self):
        """Figures of the report, read with the user's access rights: one
        grouped query per figure, spread over the sections in memory."""
        self.ensure_one()
        sections = self.node_id.child_ids.filtered(lambda n: n.kind in SECTION_KINDS)
        rows = {section: self._empty_row(section.name) for section in sections}
        total = self._empty_row(self.env._("Grand Total"))
        section_cache = {}

        def rows_of(node):
            if node not in section_cache:
                section_cache[node] = next(
                    (
                        rows[section]
                        for section in sections
                        if (node.parent_path or "").startswith(section.parent_path)
                    ),
                    None,
                )
            return [row for row in (section_cache[node], total) if row is not None]

        categories = self._add_services(rows_of)
        self._add_followups(rows_of)
        self._add_redemptions(rows_of)
        self._add_money(rows_of)
        self._finish_rows([*rows.values(), total], categories)
        return {"sections": list(rows.values()), "total": total}

    def _add_services(self, rows_of):
        Record = self.env["timebank.service.record"]
        services = [*self._datetime_domain("date_start"), ("state", "=", "confirmed")]
        categories = self.env["timebank.service.category"]
        for node, category, count, hours in Record._read_group(
            services, ["node_id", "category_id"], ["__count", "weighted_hours:sum"]
        ):
            categories |= category
            for row in rows_of(node):
                row["services"] += count
                row["hours"] += hours
                row["categories"][category] += hours
        for node, recipient in Record._read_group(
            services, ["node_id", "recipient_id"]
        ):
            for row in rows_of(node):
                row["recipient_set"].add(recipient)
        return categories

    def _add_followups(self, rows_of):
        Followup = self.env["timebank.followup"]
        followups = [*self._datetime_domain("service_date"), ("state", "=", "done")]
        for node, count in Followup._read_group(followups, ["node_id"], ["__count"]):
            for row in rows_of(node):
                row["followups"] += count
        for node, count, score in Followup._read_group(
            [*followups, ("score", ">", 0)], ["node_id"], ["__count", "score:sum"]
        ):
            for row in rows_of(node):
                row["scored"] += count
                row["score_sum"] += score

    def _add_redemptions(self, rows_of):
        redemptions = [
            *self._date_domain(),
            ("company_id", "=", self.company_id.id),
            ("state", "in", HANDED_OVER),
        ]
        for node, count, hours, returned in self.env["timebank.redemption"]._read_group(
            redemptions,
            ["node_id"],
            ["__count", "total_hours:sum", "returned_hours:sum"],
        ):
            for row in rows_of(node):
                row["redemptions"] += count
                row["redeemed_hours"] += hours - returned
        for node, quantity, returned in self.env[
            "timebank.redemption.line"
        ]._read_group(
            [("redemption_id", "any", redemptions)],
            ["node_id"],
            ["quantity:sum", "qty_returned:sum"],
        ):
            for row in rows_of(node):
                row["goods"] += quantity - returned

    def _add_money(self, rows_of):
        money = [*self._date_domain(), ("company_id", "=", self.company_id.id)]
        for node, amount in self.env["timebank.contribution"]._read_group(
            [*money, ("state", "=", "received")], ["node_id"], ["amount:sum"]
        ):
            for row in rows_of(node):
                row["contributions"] += amount
        for node, amount in self.env["timebank.spending"]._read_group(
            [*money, ("state", "=", "posted")], ["node_id"], ["amount:sum"]
        ):
            for row in rows_of(node):
                row["spending"] += amount

    def _finish_rows(self, rows, categories):
        """Recipients by priority group (the recipients' groups are read in
        one query), average satisfaction, hours by category."""
        Recipient = self.env["timebank.recipient"]
        groups = Recipient.union(*rows[-1]["recipient_set"]).priority_group_ids.sorted()
        for row in rows:
            recipients = Recipient.union(*row["recipient_set"])
            row["recipients"] = len(recipients)
            row["groups"] = [
                (
                    group.name,
                    len(
                        recipients.filtered(
                            lambda r, g=group: g in r.priority_group_ids
                        )
                    ),
                )
                for group in groups
            ]
            row["avg_score"] = (
                row["score_sum"] / row["scored"] if row["scored"] else 0.0
            )
            row["categories"] = [
                (category.name, row["categories"].get(category, 0.0))
                for category in categories.sorted()
            ]
