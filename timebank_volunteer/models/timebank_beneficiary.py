# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

RELATIONS = [
    ("spouse", "Spouse"),
    ("parent", "Parent"),
    ("parent_in_law", "Parent-in-law"),
    ("child", "Child"),
    ("sibling", "Sibling"),
    ("other", "Other Relative"),
]
DEFAULT_ALLOWED_RELATIONS = "spouse,parent"


class TimebankBeneficiary(models.Model):
    """A family member (受益人) who may receive a volunteer's stored service.

    Only the relations allowed in the settings (default: spouse and
    parents, as in Nanjing and Shanghai) can be registered. The person
    served must be a registered recipient.
    """

    _name = "timebank.beneficiary"
    _description = "Time Bank Beneficiary"
    _order = "volunteer_id, id"
    _rec_name = "recipient_id"

    volunteer_id = fields.Many2one(
        "timebank.volunteer", required=True, index=True, ondelete="cascade"
    )
    node_id = fields.Many2one(related="volunteer_id.node_id", store=True, index=True)
    recipient_id = fields.Many2one(
        "timebank.recipient",
        string="Person",
        required=True,
        index=True,
        help="The family member, registered as a service recipient.",
    )
    relation = fields.Selection(RELATIONS, required=True)
    active = fields.Boolean(default=True)
    note = fields.Char()

    _sql_constraints = [
        (
            "volunteer_recipient_uniq",
            "unique(volunteer_id, recipient_id)",
            "This person is already a beneficiary of this volunteer.",
        ),
    ]

    @api.model
    def _get_allowed_relations(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value
            .get_param(
                "timebank_volunteer.beneficiary_relations", DEFAULT_ALLOWED_RELATIONS
            )
        )
        return [code.strip() for code in (value or "").split(",") if code.strip()]

    @api.constrains("relation", "active")
    def _check_relation(self):
        allowed = self._get_allowed_relations()
        labels = dict(self._fields["relation"]._description_selection(self.env))
        for beneficiary in self.filtered("active"):
            if beneficiary.relation not in allowed:
                raise ValidationError(
                    self.env._(
                        "A %(relation)s cannot be registered as beneficiary; "
                        "allowed relations: %(allowed)s.",
                        relation=labels[beneficiary.relation],
                        allowed=", ".join(labels[c] for c in allowed if c in labels)
                        or self.env._("none"),
                    )
                )

    @api.constrains("volunteer_id", "recipient_id")
    def _check_not_self(self):
        for beneficiary in self:
            if (
                beneficiary.recipient_id.partner_id
                == beneficiary.volunteer_id.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(volunteer)s uses the service reserve for themselves "
                        "without registering as their own beneficiary.",
                        volunteer=beneficiary.volunteer_id.name,
                    )
                )
