# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Which kind of node may sit under which parent kind (R1).
ALLOWED_PARENT_KINDS = {
    "district": (False,),
    "town": ("district",),
    "village": ("town",),
    "social": ("town", "district"),
    "station": ("village", "social"),
}


class TimebankNode(models.Model):
    _name = "timebank.node"
    _description = "Time Bank Node"
    _inherit = ["mail.thread"]
    _parent_store = True
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name", "name", "code"]
    _order = "complete_name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        [
            ("district", "Head Bank (district)"),
            ("town", "Branch (town / sub-district)"),
            ("village", "Sub-branch (village / community)"),
            ("social", "Sub-branch (social organisation)"),
            ("station", "Service Station"),
        ],
        required=True,
        index=True,
        tracking=True,
    )
    parent_id = fields.Many2one(
        "timebank.node", index=True, ondelete="restrict", tracking=True
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("timebank.node", "parent_id", string="Children")
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True
    )
    district_id = fields.Many2one(
        "timebank.node",
        compute="_compute_district_id",
        store=True,
        recursive=True,
        index=True,
    )
    active = fields.Boolean(default=True, tracking=True)
    user_ids = fields.Many2many(
        "res.users",
        "timebank_node_user_rel",
        "node_id",
        "user_id",
        string="Staff",
    )
    address = fields.Char()
    note = fields.Text()
    volunteer_count = fields.Integer(compute="_compute_people_count")
    recipient_count = fields.Integer(compute="_compute_people_count")

    _sql_constraints = [
        (
            "code_district_uniq",
            "unique(district_id, code)",
            "The code of a node must be unique within its district.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for node in self:
            if node.parent_id:
                node.complete_name = f"{node.parent_id.complete_name} / {node.name}"
            else:
                node.complete_name = node.name

    @api.depends("kind", "parent_id.district_id")
    def _compute_district_id(self):
        for node in self:
            if node.kind == "district" or not node.parent_id:
                node.district_id = node
            else:
                node.district_id = node.parent_id.district_id

    def _compute_people_count(self):
        volunteers = self.env["timebank.volunteer"]
        recipients = self.env["timebank.recipient"]
        for node in self:
            domain = [("node_id", "child_of", node.ids)]
            node.volunteer_count = volunteers.search_count(domain) if node.id else 0
            node.recipient_count = recipients.search_count(domain) if node.id else 0

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A node cannot be placed under itself or its descendants.")
            )

    @api.constrains("parent_id", "kind")
    def _check_parent_kind(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for node in self:
            allowed = ALLOWED_PARENT_KINDS[node.kind]
            parent_kind = node.parent_id.kind or False
            if parent_kind not in allowed:
                raise ValidationError(
                    self.env._(
                        "A %(kind)s cannot be placed under %(parent)s.",
                        kind=kinds[node.kind],
                        parent=(
                            kinds[parent_kind]
                            if parent_kind
                            else self.env._("no parent")
                        ),
                    )
                )

    @api.constrains("parent_id")
    def _check_parent_scope(self):
        self.parent_id._check_user_scope(self)

    @api.constrains("active")
    def _check_active_children(self):
        for node in self.filtered(lambda n: not n.active):
            if node.child_ids.filtered("active"):
                raise ValidationError(
                    self.env._(
                        "%(node)s still has active nodes under it: archive them first.",
                        node=node.complete_name,
                    )
                )

    def _check_user_scope(self, records):
        """Raise a translated ValidationError when the current user may not
        attach ``records`` to the nodes ``self``: every node must be one of the
        user's nodes or below one of them. The district administrator and the
        superuser may use any node."""
        if (
            self.env.su
            or not self
            or self.env.user.has_group("timebank_volunteer.group_timebank_admin")
        ):
            return
        user_nodes = self.env.user.timebank_node_ids
        allowed = self.with_context(active_test=False).search(
            [("id", "in", self.ids), ("id", "child_of", user_nodes.ids)]
        )
        outside = self - allowed
        if outside:
            raise ValidationError(
                self.env._(
                    "You cannot assign %(record)s to %(node)s: this node is outside "
                    "the part of the time bank you work for (%(scope)s).",
                    # sudo: the records being written may now be outside the
                    # user's read scope; only their names are shown
                    record=", ".join(records.sudo().mapped("display_name")) or "-",
                    node=", ".join(outside.sudo().mapped("complete_name")),
                    scope=", ".join(user_nodes.mapped("complete_name"))
                    or self.env._("no node assigned"),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        nodes = super().create(vals_list)
        if any(vals.get("user_ids") for vals in vals_list):
            self.env.registry.clear_cache()
        return nodes

    def write(self, vals):
        if vals.get("parent_id"):
            # before the parent store reads the new parent, which may be out of reach
            self.browse(vals["parent_id"])._check_user_scope(self)
        if vals.get("parent_id") and self.with_context(active_test=False).search_count(
            [("id", "child_of", self.ids), ("id", "=", vals["parent_id"])]
        ):
            # checked before the parent store refuses it with a generic message
            raise ValidationError(
                self.env._("A node cannot be placed under itself or its descendants.")
            )
        res = super().write(vals)
        if "user_ids" in vals or "parent_id" in vals or "active" in vals:
            # record rules are computed from the user's nodes and are cached
            self.env.registry.clear_cache()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        for model in ("timebank.volunteer", "timebank.recipient"):
            # sudo: people outside the user's scope must also block the deletion;
            # only a count is read.
            used = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search_count(
                    ["|", ("node_id", "in", self.ids), ("station_id", "in", self.ids)],
                    limit=1,
                )
            )
            if used:
                raise UserError(
                    self.env._(
                        "People are registered in these nodes: archive the nodes "
                        "instead of deleting them."
                    )
                )

    def action_view_volunteers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_volunteer_action"
        )
        action["domain"] = [("node_id", "child_of", self.id)]
        return action

    def action_view_recipients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_recipient_action"
        )
        action["domain"] = [("node_id", "child_of", self.id)]
        return action
