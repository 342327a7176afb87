# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

LEDGER_SOURCE = "timebank.redemption.return"


class TimebankRedemptionReturn(models.Model):
    """Goods returned (退货) after a redemption was handed over.

    Each return is its own document: it brings the goods back into the
    outlet's stock with a return picking built by Inventory's own return
    wizard (``stock.return.picking``) and credits the hours of the returned
    goods with one ``reversal`` line in the goods bucket whose ledger key is
    this return, so that several partial returns of one order never collide.
    """

    _name = "timebank.redemption.return"
    _description = "Redeemed Goods Return"
    _inherit = ["mail.thread", "timebank.document.mixin"]
    _sequence_code = "timebank.redemption.return"
    _order = "date desc, id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    redemption_id = fields.Many2one(
        "timebank.redemption",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('state', 'in', ('done', 'partial_return'))]",
    )
    volunteer_id = fields.Many2one(related="redemption_id.volunteer_id")
    outlet_id = fields.Many2one(
        related="redemption_id.outlet_id", store=True, index=True, string="Outlet"
    )
    node_id = fields.Many2one(
        related="redemption_id.node_id", store=True, index=True, string="Node"
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Char()
    line_ids = fields.One2many(
        "timebank.redemption.return.line", "return_id", string="Lines", copy=False
    )
    total_hours = fields.Float(
        string="Hours Credited",
        digits=(16, 2),
        compute="_compute_total_hours",
        store=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Return Transfer",
        readonly=True,
        copy=False,
        groups="stock.group_stock_user",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Returned")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )

    @api.depends("line_ids.hours")
    def _compute_total_hours(self):
        for ret in self:
            ret.total_hours = float_round(
                sum(ret.line_ids.mapped("hours")), precision_digits=2
            )

    def write(self, vals):
        if vals.keys() & {"redemption_id", "line_ids", "date"}:
            self._check_draft()
        return super().write(vals)

    def _check_draft(self):
        done = self.filtered(lambda r: r.state != "draft")
        if done:
            raise UserError(
                self.env._("Return %(name)s was already processed.", name=done[0].name)
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(ret.state == "done" for ret in self):
            raise UserError(
                self.env._("A return whose hours were credited cannot be deleted.")
            )

    def action_confirm(self):
        """Bring the goods back into the outlet and credit their hours."""
        self.check_access("write")
        for ret in self:
            # all or nothing, also for a caller that catches the error
            with self.env.cr.savepoint():
                ret._action_confirm()
        return True

    def _action_confirm(self):
        self.ensure_one()
        redemption = self.redemption_id
        # one return of an order at a time: lock the order first, then the
        # outlet's quants the returned goods go back to (see
        # timebank.redemption._lock_outlet_stock)
        redemption._lock_rows()
        redemption._lock_outlet_stock()
        self._check_draft()
        redemption._check_returnable()
        self.line_ids.filtered(
            lambda line: float_is_zero(
                line.quantity, precision_rounding=line.product_id.uom_id.rounding
            )
        ).unlink()
        if not self.line_ids:
            raise UserError(
                self.env._("Enter the quantity of at least one returned product.")
            )
        for line in self.line_ids:
            rounding = line.product_id.uom_id.rounding
            if float_compare(line.quantity, 0.0, precision_rounding=rounding) < 0:
                raise UserError(
                    self.env._(
                        "The returned quantity of %(product)s cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if line.redemption_line_id.redemption_id != redemption:
                raise UserError(
                    self.env._(
                        "%(product)s does not belong to redemption %(name)s.",
                        product=line.product_id.display_name,
                        name=redemption.name,
                    )
                )
            if (
                float_compare(
                    line.quantity,
                    line.redemption_line_id.qty_returnable,
                    precision_rounding=rounding,
                )
                > 0
            ):
                raise UserError(
                    self.env._(
                        "Only %(returnable)s of %(product)s can still be returned "
                        "for %(name)s.",
                        returnable=line.redemption_line_id.qty_returnable,
                        product=line.product_id.display_name,
                        name=redemption.name,
                    )
                )
        picking = self._create_return_picking()
        redemption._post_ledger_lines(
            [
                {
                    "account_id": redemption._get_account().id,
                    "hours": self.total_hours,
                    "bucket": "goods",
                    "kind": "reversal",
                    "res_model": LEDGER_SOURCE,
                    "res_id": self.id,
                    "name": self.env._(
                        "Return %(name)s of redemption %(redemption)s",
                        name=self.name,
                        redemption=redemption.name,
                    ),
                }
            ]
        )
        self.write({"state": "done", "picking_id": picking.id})
        redemption._update_return_state()

    def _create_return_picking(self):
        """Return the goods with Inventory's return wizard, and validate it."""
        self.ensure_one()
        delivery = self.redemption_id.picking_id
        wizard = (
            self.env["stock.return.picking"]
            .with_context(
                active_id=delivery.id,
                active_model="stock.picking",
                timebank_redemption_return=True,
            )
            .create({"picking_id": delivery.id})
        )
        quantities = {line.redemption_line_id: line.quantity for line in self.line_ids}
        for wizard_line in wizard.product_return_moves:
            line = wizard_line.move_id.timebank_redemption_line_id
            wizard_line.quantity = quantities.pop(line, 0.0)
        if quantities:
            raise UserError(
                self.env._(
                    "The delivery of %(name)s has no goods left to return for "
                    "%(product)s.",
                    name=self.redemption_id.name,
                    product=next(iter(quantities)).product_id.display_name,
                )
            )
        picking = wizard.with_context(timebank_redemption_return=True)._create_return()
        picking.timebank_redemption_return_id = self
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.with_context(picking_ids_not_to_backorder=picking.ids).button_validate()
        if picking.state != "done":
            raise UserError(
                self.env._("The returned goods could not be received into stock.")
            )
        return picking
