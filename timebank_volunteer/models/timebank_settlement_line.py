# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError


class TimebankSettlementLine(models.Model):
    """The settlement of one account in one run (the settlement report).

    Written only by the run, in SQL: at preview (``pending``, with the
    expected parts) and when its account is posted (``done``, with the
    posted parts, which are the source document of the three ledger lines).
    ``skipped`` marks an account whose unsettled lines net below zero: they
    are left for a later run.
    """

    _name = "timebank.settlement.line"
    _description = "Time Bank Settlement Line"
    _order = "run_id desc, account_id"
    _rec_name = "account_id"

    run_id = fields.Many2one(
        "timebank.settlement.run",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    account_id = fields.Many2one(
        "timebank.account", required=True, readonly=True, index=True
    )
    volunteer_id = fields.Many2one("timebank.volunteer", readonly=True, index=True)
    node_id = fields.Many2one(
        "timebank.node", string="Sub-branch", readonly=True, index=True
    )
    date_from = fields.Date(string="Period Start", readonly=True)
    date_to = fields.Date(string="Period End", readonly=True)
    goods_ratio = fields.Float(
        string="Goods-exchangeable Share (%)",
        digits=(5, 2),
        readonly=True,
        aggregator="avg",
    )
    hours_total = fields.Float(
        string="Settled Hours", digits=(16, 2), readonly=True, aggregator="sum"
    )
    hours_goods = fields.Float(
        string="Goods-exchangeable Hours",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
    )
    hours_reserve = fields.Float(
        string="Service Reserve Hours",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Posted"), ("skipped", "Carried Over")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    date_done = fields.Datetime(string="Posted on", readonly=True)
    item_ids = fields.One2many(
        "timebank.settlement.item",
        "settlement_line_id",
        string="Settled Ledger Lines",
        readonly=True,
    )

    _sql_constraints = [
        (
            "run_account_uniq",
            "unique(run_id, account_id)",
            "An account is settled once per settlement run.",
        ),
        (
            "split_check",
            "CHECK(hours_goods + hours_reserve = hours_total)",
            "The goods-exchangeable and reserve parts must add up to the "
            "settled hours.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("Settlement lines are created by previewing a settlement run.")
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("Settlement lines cannot be modified."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(line.state != "pending" for line in self):
            raise UserError(self.env._("A posted settlement line cannot be deleted."))

    def action_open_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_ledger_line_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        return action


class TimebankSettlementItem(models.Model):
    """A ledger line of the ``unsettled`` bucket taken by a settlement.

    The UNIQUE ``ledger_line_id`` is the database's guarantee that a
    service's hours (its deposit line, or its reversal) are settled at most
    once, whatever the runs, their periods or their scopes.
    """

    _name = "timebank.settlement.item"
    _description = "Time Bank Settled Ledger Line"
    _log_access = False
    _order = "id"

    settlement_line_id = fields.Many2one(
        "timebank.settlement.line",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    ledger_line_id = fields.Many2one(
        "timebank.ledger.line", required=True, readonly=True, ondelete="restrict"
    )
    account_id = fields.Many2one(
        "timebank.account", required=True, readonly=True, index=True
    )
    hours = fields.Float(digits=(16, 2), readonly=True)

    _sql_constraints = [
        (
            "ledger_line_uniq",
            "unique(ledger_line_id)",
            "These hours have already been settled.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("Settled ledger lines are recorded by the settlement run.")
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("Settled ledger lines cannot be modified."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(self.env._("Settled ledger lines cannot be deleted."))
