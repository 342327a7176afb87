# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import PERSONAL_DATA_GROUPS


class TimebankPersonMixin(models.AbstractModel):
    """What volunteers and recipients have in common: the person is a
    ``res.partner`` (one contact even when the person is both volunteer and
    recipient), placed in a sub-branch and a station of the bank tree within
    the scope of the user who registers them."""

    _name = "timebank.person.mixin"
    _description = "Time Bank Person (volunteer or recipient)"

    # person fields written to the contact when the registration creates it
    _timebank_partner_fields = {
        "name": "name",
        "id_number": "timebank_id_number",
        "mobile": "timebank_mobile",
    }

    # redefined with their labels and domains by the concrete models
    partner_id = fields.Many2one("res.partner", required=True, ondelete="restrict")
    name = fields.Char(related="partner_id.name", readonly=False)
    node_id = fields.Many2one("timebank.node", string="Sub-branch", required=True)
    station_id = fields.Many2one("timebank.node")
    id_number = fields.Char(
        related="partner_id.timebank_id_number",
        readonly=False,
        groups=PERSONAL_DATA_GROUPS,
    )
    mobile = fields.Char(
        string="Phone",
        related="partner_id.timebank_mobile",
        readonly=False,
        groups=PERSONAL_DATA_GROUPS,
    )
    birthdate = fields.Date(related="partner_id.timebank_birthdate")
    gender = fields.Selection(related="partner_id.timebank_gender")
    age = fields.Integer(related="partner_id.timebank_age")
    registration_date = fields.Date(
        default=fields.Date.context_today, required=True, copy=False
    )
    color = fields.Integer()

    @api.constrains("node_id", "station_id")
    def _check_node_station(self):
        (self.node_id | self.station_id)._check_user_scope(self)
        # sudo: the names of the records being checked, for the message only
        for person in self.sudo():
            if person.node_id.kind not in ("village", "social"):
                raise ValidationError(
                    self.env._(
                        "%(person)s must be registered in a sub-branch (village, "
                        "community or social organisation), not in %(node)s.",
                        person=person.display_name,
                        node=person.node_id.complete_name,
                    )
                )
            if person.station_id and (
                person.station_id.kind != "station"
                or person.station_id.parent_id != person.node_id
            ):
                raise ValidationError(
                    self.env._(
                        "The service station %(station)s of %(person)s is not a "
                        "station of the sub-branch %(node)s.",
                        station=person.station_id.complete_name,
                        person=person.display_name,
                        node=person.node_id.complete_name,
                    )
                )

    @api.model
    def _prepare_person_partner(self, vals_list):
        """Registration rows (typed in or imported) that give no contact get
        one: the contact holding the same resident ID number if there is one
        (a recipient who also volunteers stays one person), else a new one."""
        Partner = self.env["res.partner"]
        # copies: the import retries rows one by one after a failed batch
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("partner_id"):
                continue
            partner_vals = {
                partner_field: vals.pop(field)
                for field, partner_field in self._timebank_partner_fields.items()
                if field in vals
            }
            number = Partner._timebank_normalize_id_number(
                partner_vals.get("timebank_id_number")
            )
            partner = number and Partner.with_context(active_test=False).search(
                [("timebank_id_number", "=", number)], limit=1
            )
            if partner:
                name = partner_vals.pop("name", False)
                if name and name.strip() != partner.name:
                    raise ValidationError(
                        self.env._(
                            "Resident ID number %(number)s is registered for "
                            "%(holder)s, not for %(name)s.",
                            number=number,
                            holder=partner.name,
                            name=name,
                        )
                    )
                partner_vals.pop("timebank_id_number", None)
                partner_vals = {k: v for k, v in partner_vals.items() if v}
                if partner_vals:
                    partner.write(partner_vals)
            else:
                if not partner_vals.get("name"):
                    raise ValidationError(
                        self.env._("The name of the person is required.")
                    )
                partner = Partner.create(partner_vals)
            vals["partner_id"] = partner.id
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(self._prepare_person_partner(vals_list))
