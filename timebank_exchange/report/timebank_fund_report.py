# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.timebank_contribution import PURPOSES, SOURCE_CATEGORIES

FUND_PURPOSES = [("general", "General Fund"), *PURPOSES]


class TimebankFundReport(models.Model):
    """Money funds by source and purpose: received money contributions (+) and
    posted spending (-), one row each.

    ``fund_purpose`` is the fund a row belongs to: the restricted purpose of
    the contribution, or ``general`` for unrestricted money (spending charged
    to the general fund lands there whatever it paid for; ``purpose`` keeps
    what it paid for).  Summing ``amount`` by source and fund purpose gives the
    fund balances.  Contributions in kind are goods, not money: they are
    reported with the contributions, not here.
    """

    _name = "timebank.fund.report"
    _description = "Fund Balance Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "name"
    _depends = {
        "timebank.contribution": [
            "name",
            "source_category",
            "restricted_purpose",
            "date",
            "node_id",
            "company_id",
            "kind",
            "amount",
            "state",
        ],
        "timebank.spending": [
            "name",
            "source_category",
            "purpose",
            "date",
            "node_id",
            "company_id",
            "contribution_id",
            "amount",
            "state",
        ],
        "res.company": ["currency_id"],
    }

    name = fields.Char(string="Reference", readonly=True)
    line_type = fields.Selection(
        [("contribution", "Contribution"), ("spending", "Spending")],
        string="Movement",
        readonly=True,
    )
    source_category = fields.Selection(SOURCE_CATEGORIES, readonly=True)
    fund_purpose = fields.Selection(FUND_PURPOSES, string="Fund", readonly=True)
    purpose = fields.Selection(PURPOSES, string="Spent on", readonly=True)
    date = fields.Date(readonly=True)
    node_id = fields.Many2one("timebank.node", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    contribution_id = fields.Many2one("timebank.contribution", readonly=True)
    spending_id = fields.Many2one("timebank.spending", readonly=True)
    amount_in = fields.Monetary(string="Income", readonly=True)
    amount_out = fields.Monetary(string="Spent", readonly=True)
    amount = fields.Monetary(string="Balance", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                    SELECT
                        c.id * 2 AS id,
                        c.name AS name,
                        'contribution' AS line_type,
                        c.source_category AS source_category,
                        COALESCE(c.restricted_purpose, 'general') AS fund_purpose,
                        NULL AS purpose,
                        c.date AS date,
                        c.node_id AS node_id,
                        c.company_id AS company_id,
                        rc.currency_id AS currency_id,
                        c.id AS contribution_id,
                        NULL::integer AS spending_id,
                        c.amount AS amount_in,
                        0.0 AS amount_out,
                        c.amount AS amount
                    FROM timebank_contribution c
                    JOIN res_company rc ON rc.id = c.company_id
                    WHERE c.state = 'received' AND c.kind = 'money'
                    UNION ALL
                    SELECT
                        s.id * 2 + 1 AS id,
                        s.name AS name,
                        'spending' AS line_type,
                        s.source_category AS source_category,
                        COALESCE(c.restricted_purpose, 'general') AS fund_purpose,
                        s.purpose AS purpose,
                        s.date AS date,
                        s.node_id AS node_id,
                        s.company_id AS company_id,
                        rc.currency_id AS currency_id,
                        s.contribution_id AS contribution_id,
                        s.id AS spending_id,
                        0.0 AS amount_in,
                        s.amount AS amount_out,
                        -s.amount AS amount
                    FROM timebank_spending s
                    JOIN res_company rc ON rc.id = s.company_id
                    LEFT JOIN timebank_contribution c ON c.id = s.contribution_id
                    WHERE s.state = 'posted'
                )
                """,
                view=SQL.identifier(self._table),
            )
        )
