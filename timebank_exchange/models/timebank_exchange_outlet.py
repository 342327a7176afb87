# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError


class TimebankExchangeOutlet(models.Model):
    """An exchange outlet (兑换网点): a shelf of goods that volunteers buy with hours.

    Design choice: every outlet owns one ``stock.warehouse``, created with the
    outlet.  The warehouse creates the outlet's view and stock locations, its
    receipt and delivery operation types, their sequences and routes itself, so
    nothing of Odoo Inventory is rebuilt by hand, and every standard report that
    groups by warehouse (stock, moves, replenishment, reordering rules, which
    need a warehouse) works per outlet out of the box.  An internal location
    under one shared warehouse would need hand-made picking types and sequences
    and would mix every outlet in the warehouse-level reports.  The outlet's
    short code is the warehouse's short name, hence five characters at most and
    unique per company.

    Redeemed goods leave the outlet through its delivery type (``out_type_id``),
    whose default destination is the shared "Time Bank Exchange" location
    (``stock_location_timebank_exchange``); donated supplies arrive through its
    receipt type (``in_type_id``) into ``lot_stock_id``.
    """

    _name = "timebank.exchange.outlet"
    _description = "Exchange Outlet"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        size=5,
        tracking=True,
        help="Short name of the outlet (five characters at most); it is also the "
        "short name of the outlet's warehouse and prefixes its transfers.",
    )
    node_id = fields.Many2one(
        "timebank.node",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        help="Node of the time bank that runs this outlet; its staff and the staff "
        "of the nodes above it see the outlet.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        readonly=True,
    )
    active = fields.Boolean(default=True, tracking=True)
    user_ids = fields.Many2many(
        "res.users",
        "timebank_exchange_outlet_user_rel",
        "outlet_id",
        "user_id",
        string="Staff",
        help="Users who work at this outlet; they see it even when it does not "
        "belong to one of their nodes.",
    )
    partner_id = fields.Many2one("res.partner", string="Address", check_company=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    lot_stock_id = fields.Many2one(
        related="warehouse_id.lot_stock_id", string="Stock Location"
    )
    in_type_id = fields.Many2one(
        related="warehouse_id.in_type_id", string="Receipt Type"
    )
    out_type_id = fields.Many2one(
        related="warehouse_id.out_type_id", string="Exchange Delivery Type"
    )
    exchange_location_id = fields.Many2one(
        related="warehouse_id.out_type_id.default_location_dest_id",
        string="Exchange Destination",
    )
    donation_ids = fields.One2many("timebank.donation", "outlet_id")
    donation_count = fields.Integer(compute="_compute_donation_count")
    note = fields.Text()

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The code of an exchange outlet must be unique per company.",
        ),
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "The name of an exchange outlet must be unique per company.",
        ),
        (
            "warehouse_uniq",
            "unique(warehouse_id)",
            "A warehouse can serve one exchange outlet only.",
        ),
    ]

    @api.depends("donation_ids")
    def _compute_donation_count(self):
        counts = dict(
            self.env["timebank.donation"]._read_group(
                [("outlet_id", "in", self.ids)], ["outlet_id"], ["__count"]
            )
        )
        for outlet in self:
            outlet.donation_count = counts.get(outlet, 0)

    @api.model_create_multi
    def create(self, vals_list):
        to_equip = [vals for vals in vals_list if not vals.get("warehouse_id")]
        if to_equip:
            warehouses = self.env["stock.warehouse"].create(
                [self._prepare_warehouse_values(vals) for vals in to_equip]
            )
            exchange_location = self.env.ref(
                "timebank_exchange.stock_location_timebank_exchange"
            )
            warehouses.out_type_id.default_location_dest_id = exchange_location
            for vals, warehouse in zip(to_equip, warehouses, strict=True):
                vals["warehouse_id"] = warehouse.id
        outlets = super().create(vals_list)
        outlets.warehouse_id.timebank_is_outlet = True
        return outlets

    def write(self, vals):
        res = super().write(vals)
        warehouse_vals = {
            key: vals[key] for key in ("name", "code", "partner_id") if key in vals
        }
        if warehouse_vals:
            self.warehouse_id.write(warehouse_vals)
        if "active" in vals:
            warehouses = self.warehouse_id.with_context(active_test=False)
            warehouses.filtered(lambda w: w.active != vals["active"]).write(
                {"active": vals["active"]}
            )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_has_warehouse(self):
        if self:
            raise UserError(
                self.env._(
                    "An exchange outlet owns a warehouse and its stock history: "
                    "archive the outlet instead of deleting it."
                )
            )

    def action_view_stock(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_exchange.action_timebank_outlet_stock"
        )
        action["domain"] = [("location_id", "child_of", self.lot_stock_id.id)]
        action["display_name"] = self.env._("Stock of %(outlet)s", outlet=self.name)
        return action

    def action_view_donations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_exchange.action_timebank_donation"
        )
        action["domain"] = [("outlet_id", "=", self.id)]
        action["context"] = {"default_outlet_id": self.id}
        return action

    @api.model
    def _prepare_warehouse_values(self, vals):
        return {
            "name": vals.get("name"),
            "code": vals.get("code"),
            "company_id": vals.get("company_id") or self.env.company.id,
            "partner_id": vals.get("partner_id"),
            "reception_steps": "one_step",
            "delivery_steps": "ship_only",
        }

    # Hooks for the redemption orders (second half of the exchange): they check
    # availability with ``_get_free_qty`` and hand goods over with a picking built
    # from ``_prepare_exchange_picking_values``.
    def _get_free_qty(self, products):
        """Return ``{product: quantity}`` not yet reserved in the outlet's stock."""
        self.ensure_one()
        products = products.with_context(location=self.lot_stock_id.id)
        return {product: product.free_qty for product in products}

    def _prepare_exchange_picking_values(self, partner, origin):
        """Values of an outgoing picking handing goods over to ``partner``."""
        self.ensure_one()
        return {
            "picking_type_id": self.out_type_id.id,
            "partner_id": partner.id,
            "origin": origin,
            "location_id": self.lot_stock_id.id,
            "location_dest_id": self.exchange_location_id.id,
            "company_id": self.company_id.id,
        }
