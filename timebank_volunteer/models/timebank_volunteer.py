# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class TimebankVolunteer(models.Model):
    _name = "timebank.volunteer"
    _description = "Time Bank Volunteer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="restrict", index=True
    )
    name = fields.Char(related="partner_id.name", store=True, readonly=False)
    node_id = fields.Many2one(
        "timebank.node",
        string="Sub-branch",
        required=True,
        index=True,
        tracking=True,
        domain="[('kind', 'in', ('village', 'social'))]",
    )
    station_id = fields.Many2one(
        "timebank.node",
        string="Station",
        index=True,
        tracking=True,
        domain="[('kind', '=', 'station'), ('parent_id', '=', node_id)]",
    )
    state = fields.Selection(
        [
            ("applied", "Applied"),
            ("reviewed", "Reviewed"),
            ("trained", "Trained"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("withdrawn", "Withdrawn"),
        ],
        default="applied",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "partner_uniq",
            "unique(partner_id)",
            "This person is already registered as a volunteer.",
        ),
    ]
