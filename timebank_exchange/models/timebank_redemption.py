# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_round

LEDGER_SOURCE = "timebank.redemption"


class TimebankRedemption(models.Model):
    """A redemption order (兑换单): a volunteer buys goods with hours.

    Confirming the order debits the volunteer's goods-exchangeable hours in
    the time ledger and reserves the goods in a real outgoing ``stock.picking``
    of the outlet; handing the goods over validates that picking.  Hours and
    stock move together, in one transaction, with the rows locked in a fixed
    order (see ``_action_confirm``):

    1. the redemption rows (``FOR NO KEY UPDATE``, id order), so that one
       order cannot be confirmed twice at once;
    2. the quants of the ordered products in the outlets' stock (id order),
       before availability is read: a concurrent redemption that reserved
       them and committed makes this transaction fail with a serialization
       error (retried by Odoo for RPC requests), so the availability read
       after the lock is never stale;
    3. the volunteers' time accounts, locked by ``timebank.account._post_lines``
       which refuses a negative goods balance.

    Cancelling before the hand-over posts a reversing line and cancels the
    picking; goods returned after the hand-over go through
    ``timebank.redemption.return`` documents, each crediting its own hours.
    """

    _name = "timebank.redemption"
    _description = "Goods Redemption"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.redemption"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        related="volunteer_id.partner_id", string="Contact", store=True, index=True
    )
    outlet_id = fields.Many2one(
        "timebank.exchange.outlet",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    node_id = fields.Many2one(
        related="outlet_id.node_id", store=True, index=True, string="Node"
    )
    company_id = fields.Many2one(
        related="outlet_id.company_id", store=True, index=True, string="Company"
    )
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    date_confirmed = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(string="Handed Over On", readonly=True, copy=False)
    line_ids = fields.One2many(
        "timebank.redemption.line", "redemption_id", string="Lines", copy=True
    )
    total_hours = fields.Float(
        digits=(16, 2),
        compute="_compute_total_hours",
        store=True,
        help="Goods-exchangeable hours this order costs.",
    )
    returned_hours = fields.Float(
        digits=(16, 2),
        compute="_compute_returned_hours",
        store=True,
        help="Hours credited back for returned goods.",
    )
    goods_balance_after = fields.Float(
        string="Goods-exchangeable Hours After",
        digits=(16, 2),
        readonly=True,
        copy=False,
        help="The volunteer's goods-exchangeable balance right after this order "
        "was debited.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Waiting for Hand-over"),
            ("done", "Handed Over"),
            ("partial_return", "Partly Returned"),
            ("returned", "Returned"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="stock.group_stock_user",
    )
    return_ids = fields.One2many(
        "timebank.redemption.return", "redemption_id", string="Returns", readonly=True
    )
    return_count = fields.Integer(compute="_compute_return_count")
    note = fields.Text()

    @api.depends("line_ids.subtotal")
    def _compute_total_hours(self):
        for redemption in self:
            redemption.total_hours = float_round(
                sum(redemption.line_ids.mapped("subtotal")), precision_digits=2
            )

    @api.depends("return_ids.state", "return_ids.total_hours")
    def _compute_returned_hours(self):
        for redemption in self:
            redemption.returned_hours = sum(
                redemption.return_ids.filtered(lambda r: r.state == "done").mapped(
                    "total_hours"
                )
            )

    @api.depends("return_ids")
    def _compute_return_count(self):
        for redemption in self:
            redemption.return_count = len(redemption.return_ids)

    def write(self, vals):
        if vals.keys() & {"volunteer_id", "outlet_id", "line_ids"}:
            posted = self.filtered(lambda r: r.state != "draft")
            if posted:
                raise UserError(
                    self.env._(
                        "Redemption %(name)s is no longer a draft: its volunteer, "
                        "outlet and goods cannot be changed.",
                        name=posted[0].name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(redemption.state != "draft" for redemption in self):
            raise UserError(
                self.env._(
                    "Only draft redemption orders can be deleted: the others are "
                    "recorded in the time ledger."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Debit the hours and reserve the goods at the outlet."""
        self.check_access("write")
        self._action_confirm()
        return True

    def action_hand_over(self):
        """Hand the goods over: validate the delivery of the outlet."""
        self.check_access("write")
        self._action_hand_over()
        return True

    def action_cancel(self):
        """Cancel before the hand-over: credit the hours, cancel the delivery."""
        self.check_access("write")
        self._action_cancel()
        return True

    def action_return(self):
        """Open a new return of goods already handed over."""
        self.ensure_one()
        self.check_access("write")
        self._check_returnable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return Goods"),
            "res_model": "timebank.redemption.return",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_redemption_id": self.id,
                "default_line_ids": [
                    Command.create(
                        {"redemption_line_id": line.id, "quantity": line.qty_returnable}
                    )
                    for line in self.line_ids
                    if line.qty_returnable > 0
                ],
            },
        }

    def action_view_picking(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"create": False},
        }

    def action_view_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_exchange.action_timebank_redemption_return"
        )
        action["domain"] = [("redemption_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_print_voucher(self):
        return self.env.ref(
            "timebank_exchange.action_report_timebank_redemption"
        ).report_action(self)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _action_confirm(self):
        # all or nothing, also for a caller that catches the error
        with self.env.cr.savepoint():
            self._lock_rows()
            self._check_confirmable()
            self._lock_outlet_stock()
            self._check_availability()
            for line in self.line_ids:
                # the price is frozen at confirmation
                line.hour_price = line.product_id.timebank_hour_price
            self._check_goods_balance()
            self._post_ledger_lines(
                [
                    {
                        "account_id": redemption._get_account().id,
                        "hours": -redemption.total_hours,
                        "bucket": "goods",
                        "kind": "redemption",
                        "res_model": LEDGER_SOURCE,
                        "res_id": redemption.id,
                        "name": self.env._("Redemption %(name)s", name=redemption.name),
                    }
                    for redemption in self
                ]
            )
            pickings = self._create_pickings()
            self._check_reserved(pickings)
            for redemption in self:
                redemption.write(
                    {
                        "state": "confirmed",
                        "date_confirmed": fields.Datetime.now(),
                        "goods_balance_after": redemption._get_account().balance_goods,
                    }
                )

    def _action_hand_over(self):
        self._lock_rows()
        for redemption in self:
            if redemption.state != "confirmed":
                raise UserError(redemption._state_error(self.env._("hand over")))
        self._lock_outlet_stock()
        pickings = self.picking_id
        for move in pickings.move_ids.filtered(lambda m: m.state != "cancel"):
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings.with_context(
            picking_ids_not_to_backorder=pickings.ids,
            timebank_redemption_hand_over=True,
        ).button_validate()
        if any(picking.state != "done" for picking in pickings):
            raise UserError(
                self.env._(
                    "The goods could not be handed over: the delivery was not "
                    "validated."
                )
            )
        # the delivery's _action_done marked the orders done
        return pickings

    def _action_cancel(self):
        self._lock_rows()
        wrong = self.filtered(lambda r: r.state not in ("draft", "confirmed"))
        if wrong:
            if wrong[0].state in ("done", "partial_return", "returned"):
                raise UserError(
                    self.env._(
                        "Redemption %(name)s was already handed over: return the "
                        "goods instead of cancelling it.",
                        name=wrong[0].name,
                    )
                )
            raise UserError(wrong[0]._state_error(self.env._("cancel")))
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        confirmed._lock_outlet_stock()
        pickings = confirmed.picking_id
        if pickings.filtered(lambda p: p.state == "done"):
            raise UserError(
                self.env._(
                    "The goods of this redemption were already delivered in "
                    "Inventory: return them instead of cancelling the order."
                )
            )
        self._post_ledger_lines(
            [
                {
                    "account_id": redemption._get_account().id,
                    "hours": redemption.total_hours,
                    "bucket": "goods",
                    "kind": "reversal",
                    "res_model": LEDGER_SOURCE,
                    "res_id": redemption.id,
                    "name": self.env._(
                        "Cancellation of redemption %(name)s", name=redemption.name
                    ),
                }
                for redemption in confirmed
            ]
        )
        pickings.with_context(timebank_redemption_cancel=True).action_cancel()
        self.write({"state": "cancel"})

    def _state_error(self, action):
        states = dict(self._fields["state"]._description_selection(self.env))
        return self.env._(
            "Redemption %(name)s is %(state)s: you cannot %(action)s it.",
            name=self.name,
            state=states[self.state],
            action=action,
        )

    def _lock_rows(self):
        """Lock the orders (id order) and re-read them from the locked rows."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM timebank_redemption WHERE id = ANY(%s) "
                "ORDER BY id FOR NO KEY UPDATE",
                self.ids,
            )
        )
        self.invalidate_recordset()

    def _check_confirmable(self):
        for redemption in self:
            if redemption.state != "draft":
                raise UserError(redemption._state_error(self.env._("confirm")))
            if not redemption.line_ids:
                raise UserError(
                    self.env._(
                        "Redemption %(name)s has no goods: add the goods first.",
                        name=redemption.name,
                    )
                )
            for line in redemption.line_ids:
                rounding = line.product_id.uom_id.rounding
                if float_compare(line.quantity, 0.0, precision_rounding=rounding) <= 0:
                    raise UserError(
                        self.env._(
                            "The quantity of %(product)s must be greater than zero "
                            "(it is %(quantity)s).",
                            product=line.product_id.display_name,
                            quantity=line.quantity,
                        )
                    )
                if not line.product_id.timebank_exchangeable:
                    raise UserError(
                        self.env._(
                            "%(product)s cannot be exchanged for hours.",
                            product=line.product_id.display_name,
                        )
                    )
            if not redemption.partner_id:
                raise UserError(
                    self.env._(
                        "Volunteer %(volunteer)s has no contact to deliver to.",
                        volunteer=redemption.volunteer_id.name,
                    )
                )

    def _lock_outlet_stock(self):
        """Lock the quants of the ordered products in the outlets' stock.

        Locked in id order, before availability is read.  Odoo reserves by
        updating these rows: if a concurrent redemption reserved them and
        committed, the lock raises a serialization failure and the whole
        request is retried with fresh data.

        Hand-over, cancellation and returns take the same lock before they
        move or unreserve goods: Odoo's ``_update_available_quantity`` skips
        a quant locked by another transaction and creates a second one
        (negative on hand and reserved); a later unreservation landing on a
        quant reserved 0 is then clipped to 0, leaving a phantom reservation
        that hides goods on the shelf. Waiting for the lock keeps one quant.
        """
        products = self.line_ids.product_id
        locations = self.outlet_id.lot_stock_id
        if not products or not locations:
            return
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT q.id
                  FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id
                 WHERE q.product_id = ANY(%s)
                   AND l.parent_path LIKE ANY(%s)
                 ORDER BY q.id
                   FOR NO KEY UPDATE OF q
                """,
                products.ids,
                [f"{path}%" for path in locations.mapped("parent_path")],
            )
        )
        quant_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env["stock.quant"].browse(quant_ids).invalidate_recordset()
        products.invalidate_recordset(["free_qty", "qty_available"])

    def _check_availability(self):
        """Every outlet has the free quantity of all its orders together."""
        demand = defaultdict(float)
        for line in self.line_ids:
            demand[line.redemption_id.outlet_id, line.product_id] += line.quantity
        for outlet in self.outlet_id:
            products = self.env["product.product"].union(
                *(product for (out, product) in demand if out == outlet)
            )
            free = outlet._get_free_qty(products)
            for product in products:
                requested = demand[outlet, product]
                available = free.get(product, 0.0)
                if (
                    float_compare(
                        requested,
                        available,
                        precision_rounding=product.uom_id.rounding,
                    )
                    > 0
                ):
                    raise UserError(
                        self.env._(
                            "Not enough %(product)s in stock at %(outlet)s: "
                            "%(requested)s requested, %(available)s available.",
                            product=product.display_name,
                            outlet=outlet.name,
                            requested=requested,
                            available=max(available, 0.0),
                        )
                    )

    def _get_account(self):
        self.ensure_one()
        # reading the account of the order's volunteer is part of the order
        # whose access was checked; the volunteer may belong to another node
        account = self.sudo().volunteer_id.account_id
        if not account:
            account = (
                self.env["timebank.account"].sudo()._ensure_accounts(self.volunteer_id)
            )
        return account

    def _check_goods_balance(self):
        """Friendly early check; ``_post_lines`` re-checks under the row lock."""
        needed = defaultdict(float)
        for redemption in self:
            needed[redemption._get_account()] += redemption.total_hours
        for account, hours in needed.items():
            if float_compare(account.balance_goods, hours, precision_digits=2) < 0:
                raise UserError(
                    self.env._(
                        "Not enough goods-exchangeable hours: %(volunteer)s has "
                        "%(balance).2f hours, the goods cost %(hours).2f hours.",
                        volunteer=account.volunteer_id.name,
                        balance=account.balance_goods,
                        hours=hours,
                    )
                )

    @api.model
    def _post_ledger_lines(self, vals_list):
        # _post_lines is the one posting API; it checks no rights itself, the
        # callers checked write access on the source documents
        return self.env["timebank.account"].sudo()._post_lines(vals_list)

    def _prepare_picking_values(self):
        self.ensure_one()
        vals = self.outlet_id._prepare_exchange_picking_values(
            self.partner_id, self.name
        )
        vals["timebank_redemption_id"] = self.id
        vals["move_type"] = "direct"
        return vals

    def _create_pickings(self):
        vals_list = []
        for redemption in self:
            vals = redemption._prepare_picking_values()
            vals["move_ids"] = [
                Command.create(line._prepare_stock_move_values(vals))
                for line in redemption.line_ids
            ]
            vals_list.append(vals)
        pickings = self.env["stock.picking"].create(vals_list)
        pickings.action_confirm()
        pickings.action_assign()
        for picking in pickings:
            picking.timebank_redemption_id.picking_id = picking
            picking.message_post_with_source(
                "mail.message_origin_link",
                render_values={
                    "self": picking,
                    "origin": picking.timebank_redemption_id,
                },
                subtype_xmlid="mail.mt_note",
            )
        return pickings

    def _check_reserved(self, pickings):
        """All goods must be reserved, or nothing is done."""
        for move in pickings.move_ids:
            if move.state != "assigned":
                raise UserError(
                    self.env._(
                        "%(product)s could not be reserved at %(outlet)s for "
                        "%(name)s: nothing was debited, try again or reduce the "
                        "quantity.",
                        product=move.product_id.display_name,
                        outlet=move.picking_id.timebank_redemption_id.outlet_id.name,
                        name=move.picking_id.timebank_redemption_id.name,
                    )
                )

    def _check_returnable(self):
        for redemption in self:
            if redemption.state not in ("done", "partial_return"):
                raise UserError(redemption._state_error(self.env._("return")))

    def _mark_handed_over(self):
        """Called when the delivery of the orders is validated."""
        self.filtered(lambda r: r.state == "confirmed").write(
            {"state": "done", "date_done": fields.Datetime.now()}
        )

    def _update_return_state(self):
        for redemption in self.filtered(
            lambda r: r.state in ("done", "partial_return")
        ):
            fully = all(
                float_compare(
                    line.qty_returned,
                    line.quantity,
                    precision_rounding=line.product_id.uom_id.rounding,
                )
                >= 0
                for line in redemption.line_ids
            )
            redemption.state = "returned" if fully else "partial_return"

    @api.model
    def _demo_post_goods_hours(self, volunteer_xmlids, hours):
        """Demo data: settle ``hours`` into the goods bucket of volunteers."""
        volunteers = self.env["timebank.volunteer"]
        for xmlid in volunteer_xmlids:
            volunteers |= self.env.ref(xmlid)
        accounts = self.env["timebank.account"]._ensure_accounts(volunteers)
        return self._post_ledger_lines(
            [
                {
                    "account_id": account.id,
                    "hours": hours,
                    "bucket": "goods",
                    "kind": "settlement",
                    "res_model": "timebank.redemption.demo",
                    "res_id": account.id,
                    "name": self.env._("Demo settlement"),
                }
                for account in accounts
            ]
        )
