# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models, tools
from odoo.tools import SQL

HOUR_VALUE_PARAM = "timebank_exchange.guarantee_hour_value"
DEFAULT_HOUR_VALUE = 20.0
# funds that may honour stored hours: unrestricted money and money restricted
# to exchange goods or purchased services; training, equipment and award funds
# may not be spent on anything else
GUARANTEE_FUNDS = ("general", "goods", "service")


class TimebankGuaranteeReport(models.Model):
    """Guarantee indicator (兑付保障): can a node honour the hours it stores?

    One row per head bank, branch and sub-branch, for the subtree below it
    (the node and all its descendants):

    * liabilities: the stored hours of the volunteers' accounts of the subtree,
      all three buckets. Unsettled hours are owed too: settlement only splits
      them into goods-exchangeable and service-reserve hours;
    * their value: hours x the configured yuan per hour
      (``timebank_exchange.guarantee_hour_value``, read when the view is
      queried, so a new setting applies at once);
    * funds: money received minus spending posted at the nodes of the subtree
      (as in the fund balances), in total and the part available to honour
      hours (general fund and funds restricted to exchange goods or purchased
      services). Donated goods in stock are not counted (conservative);
    * coverage: available funds / value of the liabilities, in percent.

    Rows of a branch and of its district overlap (the district row contains
    the branch): filter on one level before summing.
    """

    _name = "timebank.guarantee.report"
    _description = "Guarantee Indicator"
    _auto = False
    _order = "node_id"
    _rec_name = "node_id"
    _depends = {
        "timebank.account": [
            "node_id",
            "balance_unsettled",
            "balance_goods",
            "balance_reserve",
        ],
        "timebank.node": ["parent_path", "kind", "district_id", "active"],
        "timebank.contribution": [
            "node_id",
            "kind",
            "state",
            "amount",
            "restricted_purpose",
        ],
        "timebank.spending": ["node_id", "state", "amount", "contribution_id"],
    }

    node_id = fields.Many2one("timebank.node", string="Bank Node", readonly=True)
    level = fields.Selection(
        [
            ("district", "Head Bank"),
            ("town", "Branch"),
            ("sub_branch", "Sub-branch"),
        ],
        readonly=True,
    )
    district_id = fields.Many2one("timebank.node", readonly=True)
    volunteer_count = fields.Integer(string="Accounts", readonly=True)
    hours_unsettled = fields.Float(
        string="Unsettled Hours", digits=(16, 2), readonly=True
    )
    hours_goods = fields.Float(
        string="Goods-exchangeable Hours", digits=(16, 2), readonly=True
    )
    hours_reserve = fields.Float(
        string="Service Reserve Hours", digits=(16, 2), readonly=True
    )
    hours_total = fields.Float(string="Stored Hours", digits=(16, 2), readonly=True)
    hour_value = fields.Float(
        string="Yuan per Hour", digits=(16, 2), readonly=True, aggregator="max"
    )
    liability_value = fields.Float(
        string="Value of Stored Hours (yuan)", digits=(16, 2), readonly=True
    )
    fund_balance = fields.Float(
        string="Fund Balance (yuan)", digits=(16, 2), readonly=True
    )
    fund_available = fields.Float(
        string="Funds Available for Hours (yuan)", digits=(16, 2), readonly=True
    )
    shortfall = fields.Float(
        string="Shortfall (yuan)",
        digits=(16, 2),
        readonly=True,
        help="Value of the stored hours not covered by the available funds.",
    )
    coverage = fields.Float(
        string="Coverage (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="min",
        help="Available funds / value of the stored hours x 100; empty when "
        "no hours are stored.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(view)s AS (
                    WITH rate AS (
                        SELECT COALESCE((
                            SELECT CASE WHEN value ~ '^[0-9]+(\\.[0-9]+)?$'
                                        THEN value::numeric END
                              FROM ir_config_parameter WHERE key = %(param)s
                        ), %(default)s::numeric) AS value
                    ),
                    nodes AS (
                        SELECT id, kind, district_id, parent_path
                          FROM timebank_node
                         WHERE kind IN ('district', 'town', 'village', 'social')
                           AND active
                    ),
                    hours AS (
                        SELECT n.id AS node_id,
                               COUNT(a.id) AS volunteer_count,
                               SUM(a.balance_unsettled) AS unsettled,
                               SUM(a.balance_goods) AS goods,
                               SUM(a.balance_reserve) AS reserve
                          FROM nodes n
                          JOIN timebank_node an
                            ON an.parent_path LIKE n.parent_path || %(descendants)s
                          JOIN timebank_account a ON a.node_id = an.id
                         GROUP BY n.id
                    ),
                    moves AS (
                        SELECT c.node_id,
                               COALESCE(c.restricted_purpose, 'general') AS fund,
                               c.amount AS amount
                          FROM timebank_contribution c
                         WHERE c.state = 'received' AND c.kind = 'money'
                        UNION ALL
                        SELECT s.node_id,
                               COALESCE(c.restricted_purpose, 'general') AS fund,
                               -s.amount AS amount
                          FROM timebank_spending s
                          LEFT JOIN timebank_contribution c
                            ON c.id = s.contribution_id
                         WHERE s.state = 'posted'
                    ),
                    funds AS (
                        SELECT n.id AS node_id,
                               SUM(m.amount) AS balance,
                               COALESCE(SUM(m.amount)
                                   FILTER (WHERE m.fund IN %(funds)s), 0)
                                   AS available
                          FROM nodes n
                          JOIN timebank_node mn
                            ON mn.parent_path LIKE n.parent_path || %(descendants)s
                          JOIN moves m ON m.node_id = mn.id
                         GROUP BY n.id
                    ),
                    figures AS (
                        SELECT n.id AS node_id,
                               CASE WHEN n.kind IN ('district', 'town')
                                    THEN n.kind ELSE 'sub_branch' END AS level,
                               n.district_id,
                               COALESCE(h.volunteer_count, 0) AS volunteer_count,
                               COALESCE(h.unsettled, 0) AS hours_unsettled,
                               COALESCE(h.goods, 0) AS hours_goods,
                               COALESCE(h.reserve, 0) AS hours_reserve,
                               COALESCE(h.unsettled + h.goods + h.reserve, 0)
                                   AS hours_total,
                               rate.value AS hour_value,
                               ROUND(COALESCE(h.unsettled + h.goods + h.reserve, 0)
                                     * rate.value, 2) AS liability_value,
                               COALESCE(f.balance, 0) AS fund_balance,
                               COALESCE(f.available, 0) AS fund_available
                          FROM nodes n
                          CROSS JOIN rate
                          LEFT JOIN hours h ON h.node_id = n.id
                          LEFT JOIN funds f ON f.node_id = n.id
                    )
                    SELECT node_id AS id, *,
                           GREATEST(liability_value - fund_available, 0)
                               AS shortfall,
                           CASE WHEN liability_value > 0
                                THEN ROUND(fund_available * 100
                                           / liability_value, 1)
                           END AS coverage
                      FROM figures
                )
                """,
                view=SQL.identifier(self._table),
                param=HOUR_VALUE_PARAM,
                default=DEFAULT_HOUR_VALUE,
                funds=GUARANTEE_FUNDS,
                descendants="%",
            )
        )
