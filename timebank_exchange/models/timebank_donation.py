# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError

DONOR_CATEGORIES = [
    ("company", "Company"),
    ("social", "Social Organisation"),
    ("resident", "Resident"),
    ("government", "Government"),
]


class TimebankDonation(models.Model):
    """Donated supplies (捐赠物资) received at an exchange outlet.

    Confirming a donation creates a real incoming ``stock.picking`` from the
    donor into the outlet's stock, built like ``purchase_stock`` builds the
    receipt of a purchase order.  Validating that receipt (from the donation or
    from Inventory) marks the donation received.  The donor, its category and
    the estimated value per line stay on the donation for finance, which links
    its contributions in kind to these receipts.
    """

    _name = "timebank.donation"
    _description = "Donated Supplies"
    _inherit = ["mail.thread", "mail.activity.mixin", "timebank.document.mixin"]
    _sequence_code = "timebank.donation"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Donor",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    donor_category = fields.Selection(
        DONOR_CATEGORIES,
        compute="_compute_donor_category",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        index=True,
        tracking=True,
    )
    outlet_id = fields.Many2one(
        "timebank.exchange.outlet",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    node_id = fields.Many2one(
        related="outlet_id.node_id", store=True, index=True, string="Node"
    )
    company_id = fields.Many2one(
        related="outlet_id.company_id", store=True, index=True, string="Company"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    date_received = fields.Datetime(readonly=True, copy=False)
    line_ids = fields.One2many(
        "timebank.donation.line", "donation_id", string="Lines", copy=True
    )
    amount_total = fields.Monetary(
        string="Estimated Value",
        compute="_compute_amount_total",
        store=True,
        help="Estimated value of the donated supplies, in the company currency.",
    )
    amount_received = fields.Monetary(
        string="Estimated Value Received",
        compute="_compute_amount_received",
        compute_sudo=True,
        help="Estimated value of the quantities actually received into stock.",
    )
    note = fields.Text()
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Waiting for Receipt"),
            ("received", "Received"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    picking_ids = fields.One2many(
        "stock.picking",
        "timebank_donation_id",
        string="Receipts",
        readonly=True,
        groups="stock.group_stock_user",
    )
    # counting the receipts reveals nothing of them, also to auditors
    picking_count = fields.Integer(compute="_compute_picking_count", compute_sudo=True)

    @api.depends("partner_id")
    def _compute_donor_category(self):
        for donation in self:
            if not donation.partner_id:
                donation.donor_category = donation.donor_category
            elif donation.partner_id.commercial_partner_id.is_company:
                donation.donor_category = "company"
            else:
                donation.donor_category = "resident"

    @api.depends("line_ids.subtotal")
    def _compute_amount_total(self):
        for donation in self:
            donation.amount_total = sum(donation.line_ids.mapped("subtotal"))

    @api.depends("line_ids.qty_received", "line_ids.unit_value")
    def _compute_amount_received(self):
        for donation in self:
            donation.amount_received = sum(
                line.qty_received * line.unit_value for line in donation.line_ids
            )

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for donation in self:
            donation.picking_count = len(donation.picking_ids)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_received(self):
        if any(donation.state not in ("draft", "cancel") for donation in self):
            raise UserError(
                self.env._(
                    "Only draft or cancelled donations can be deleted; cancel the "
                    "donation first."
                )
            )
        if self.picking_ids.filtered(lambda p: p.state == "done"):
            raise UserError(
                self.env._(
                    "A donation whose goods were received into stock cannot be deleted."
                )
            )

    def action_confirm(self):
        """Create the incoming transfer of the donated supplies into the outlet."""
        not_draft = self.filtered(lambda d: d.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Donation %(name)s is not a draft: it cannot be confirmed again.",
                    name=not_draft[0].name,
                )
            )
        empty = self.filtered(lambda d: not d.line_ids)
        if empty:
            raise UserError(
                self.env._(
                    "Donation %(name)s has no lines: add the donated goods first.",
                    name=empty[0].name,
                )
            )
        self._create_pickings()
        self.write({"state": "confirmed"})
        return True

    def action_receive(self):
        """Receive every donated unit into the outlet's stock."""
        not_waiting = self.filtered(lambda d: d.state != "confirmed")
        if not_waiting:
            donation = not_waiting[0]
            if donation.state == "received":
                message = self.env._(
                    "Donation %(name)s has already been received.",
                    name=donation.name,
                )
            else:
                message = self.env._(
                    "Donation %(name)s is not waiting for its receipt: confirm it "
                    "first.",
                    name=donation.name,
                )
            raise UserError(message)
        pickings = self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        if not pickings:
            raise UserError(
                self.env._(
                    "No receipt of this donation is waiting in Inventory (it was "
                    "cancelled there): cancel the donation and record it again."
                )
            )
        for move in pickings.move_ids.filtered(lambda m: not m.picked):
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        return pickings.button_validate()

    def action_cancel(self):
        if self.filtered(lambda d: d.state == "received") or self.picking_ids.filtered(
            lambda p: p.state == "done"
        ):
            raise UserError(
                self.env._(
                    "Goods of this donation were already received into stock: "
                    "return them from Inventory instead of cancelling the donation."
                )
            )
        self.picking_ids.filtered(lambda p: p.state != "cancel").action_cancel()
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        if self.filtered(lambda d: d.state != "cancel"):
            raise UserError(
                self.env._("Only cancelled donations can be set back to draft.")
            )
        self.write({"state": "draft"})
        return True

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("timebank_donation_id", "=", self.id)]
        action["context"] = {"create": False}
        if len(self.picking_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.picking_ids.id
        return action

    def _prepare_picking_values(self):
        self.ensure_one()
        picking_type = self.outlet_id.in_type_id
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "origin": self.name,
            "scheduled_date": fields.Datetime.now(),
            "location_id": (
                self.partner_id.property_stock_supplier.id
                or picking_type.default_location_src_id.id
            ),
            "location_dest_id": self.outlet_id.lot_stock_id.id,
            "company_id": self.company_id.id,
            "timebank_donation_id": self.id,
        }

    def _create_pickings(self):
        vals_list = []
        for donation in self:
            vals = donation._prepare_picking_values()
            vals["move_ids"] = [
                Command.create(line._prepare_stock_move_values(vals))
                for line in donation.line_ids
            ]
            vals_list.append(vals)
        pickings = self.env["stock.picking"].create(vals_list)
        pickings.action_confirm()
        for picking in pickings:
            picking.message_post_with_source(
                "mail.message_origin_link",
                render_values={
                    "self": picking,
                    "origin": picking.timebank_donation_id,
                },
                subtype_xmlid="mail.mt_note",
            )
        return pickings

    def _update_reception_state(self):
        """Mark received the donations whose receipts are all processed."""
        received = self.filtered(
            lambda d: (
                d.state == "confirmed"
                and d.picking_ids
                and all(p.state in ("done", "cancel") for p in d.picking_ids)
                and any(p.state == "done" for p in d.picking_ids)
            )
        )
        received.write({"state": "received", "date_received": fields.Datetime.now()})
        return received
