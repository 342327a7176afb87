# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import PERSONAL_DATA_GROUPS


class TimebankRecipient(models.Model):
    _name = "timebank.recipient"
    _description = "Time Bank Recipient (elderly person)"
    _inherit = ["timebank.person.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "is_priority desc, name, id"

    _timebank_partner_fields = {
        "name": "name",
        "id_number": "timebank_id_number",
        "mobile": "timebank_mobile",
        "street": "street",
    }

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
        index=True,
        tracking=True,
        domain="[('kind', '=', 'station'), ('parent_id', '=', node_id)]",
    )
    active = fields.Boolean(default=True)
    street = fields.Char(string="Address", related="partner_id.street", readonly=False)
    priority_group_ids = fields.Many2many(
        "timebank.priority.group",
        string="Priority Groups",
        tracking=True,
        help="The five priority groups of the district plan; each has a minimum age.",
    )
    is_priority = fields.Boolean(
        string="Priority",
        compute="_compute_is_priority",
        store=True,
        index=True,
    )
    living_situation = fields.Selection(
        [
            ("alone", "Lives Alone"),
            ("spouse", "With Spouse Only"),
            ("children", "With Children"),
            ("relatives", "With Other Relatives"),
            ("institution", "In a Care Institution"),
        ],
        tracking=True,
    )
    guardian_name = fields.Char(string="Guardian or Family Contact")
    guardian_relation = fields.Char(string="Relationship")
    guardian_phone = fields.Char(groups=PERSONAL_DATA_GROUPS, copy=False)
    needs = fields.Text(help="What help the person needs, and when.")
    health_note = fields.Text(string="Health and Mobility")

    _sql_constraints = [
        (
            "partner_uniq",
            "unique(partner_id)",
            "This person is already registered as a recipient.",
        ),
    ]

    @api.depends("priority_group_ids")
    def _compute_is_priority(self):
        for recipient in self:
            recipient.is_priority = bool(recipient.priority_group_ids)

    @api.constrains("priority_group_ids", "partner_id")
    def _check_priority_age(self):
        for recipient in self:
            groups = recipient.priority_group_ids.filtered("min_age")
            if not groups:
                continue
            if not recipient.birthdate:
                raise ValidationError(
                    self.env._(
                        "%(name)s cannot be placed in a priority group without a "
                        "valid resident ID number: the age is read from it.",
                        name=recipient.name,
                    )
                )
            for group in groups:
                if recipient.age < group.min_age:
                    raise ValidationError(
                        self.env._(
                            "%(name)s is %(age)s years old, too young for the priority "
                            "group %(group)s (%(min_age)s years or older).",
                            name=recipient.name,
                            age=recipient.age,
                            group=group.name,
                            min_age=group.min_age,
                        )
                    )

    @api.constrains("guardian_phone")
    def _check_guardian_phone(self):
        for recipient in self.filtered("guardian_phone"):
            self.env["res.partner"]._timebank_normalize_phone(recipient.guardian_phone)

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._("Import Template for Recipients"),
                "template": "/timebank_volunteer/static/xls/timebank_recipient.xlsx",
            },
            {
                "label": self.env._("Import Template for Recipients (Chinese headers)"),
                "template": "/timebank_volunteer/static/xls/"
                "timebank_recipient_zh_CN.xlsx",
            },
        ]
