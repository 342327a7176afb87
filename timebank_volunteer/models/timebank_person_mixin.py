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
    # The identifiers live on the contact (one per person, also when the
    # person is both volunteer and recipient), where only district
    # administrators may read them. Users read, write and search them here,
    # through the registration, so the registration's record rules (the
    # user's nodes) decide whose identifiers they reach; see _compute,
    # _inverse and _search_personal_data.
    id_number = fields.Char(
        string="Resident ID Number",
        compute="_compute_personal_data",
        inverse="_inverse_id_number",
        search="_search_id_number",
        groups=PERSONAL_DATA_GROUPS,
        help="Chinese resident identity card number (GB 11643-1999), 18 characters; "
        "the birth date and gender are read from it.",
    )
    mobile = fields.Char(
        string="Phone",
        compute="_compute_personal_data",
        inverse="_inverse_mobile",
        search="_search_mobile",
        groups=PERSONAL_DATA_GROUPS,
        help="Phone number of the person for the time bank "
        "(mobile or landline, China).",
    )
    birthdate = fields.Date(related="partner_id.timebank_birthdate")
    gender = fields.Selection(related="partner_id.timebank_gender")
    age = fields.Integer(related="partner_id.timebank_age")
    registration_date = fields.Date(
        default=fields.Date.context_today, required=True, copy=False
    )
    color = fields.Integer()

    @api.depends("partner_id.timebank_id_number", "partner_id.timebank_mobile")
    def _compute_personal_data(self):
        # sudo: the contact's identifiers are administrator-only fields; the
        # user reaches this person through its record rules (read() checks
        # them before computing)
        for person in self:
            partner = person.partner_id.sudo()
            person.id_number = partner.timebank_id_number
            person.mobile = partner.timebank_mobile

    def _write_personal_data(self, field, partner_field):
        self.check_access("write")
        for person in self.filtered("partner_id"):
            person.partner_id._timebank_check_person_scope()
            # sudo: the user may change this registration (checked above) and
            # every registration of its contact is in the user's nodes
            person.partner_id.sudo().write({partner_field: person[field]})

    def _inverse_id_number(self):
        self._write_personal_data("id_number", "timebank_id_number")

    def _inverse_mobile(self):
        self._write_personal_data("mobile", "timebank_mobile")

    def _search_personal_data(self, partner_field, operator, value):
        # sudo: only the ids of matching contacts are used; the record rules
        # of this model then keep the people of the user's nodes
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([(partner_field, operator, value)])
        )
        return [("partner_id", "in", partners)]

    def _search_id_number(self, operator, value):
        if isinstance(value, str):
            value = (
                self.env["res.partner"]._timebank_normalize_id_number(value) or value
            )
        return self._search_personal_data("timebank_id_number", operator, value)

    def _search_mobile(self, operator, value):
        return self._search_personal_data("timebank_mobile", operator, value)

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
        (a recipient who also volunteers stays one person), else a new one.

        A contact found by its ID number is used (and its phone updated) only
        when all of its registrations are in the user's nodes: typing someone
        else's ID number must not reach, or overwrite, the identifiers of a
        person registered in another village
        (``res.partner._timebank_check_person_scope``)."""
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
            # sudo: the ID number is an administrator-only field of contacts;
            # the contact found is used only after the scope check below
            partner = number and Partner.sudo().with_context(active_test=False).search(
                [("timebank_id_number", "=", number)], limit=1
            )
            if partner:
                partner = partner.with_env(self.env)
                partner._timebank_check_person_scope()
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
                    # sudo: identifiers are administrator-only fields of
                    # contacts; this contact's people are all in the user's
                    # nodes (checked above)
                    partner.sudo().write(partner_vals)
            else:
                if not partner_vals.get("name"):
                    raise ValidationError(
                        self.env._("The name of the person is required.")
                    )
                personal = {
                    fname: partner_vals.pop(fname)
                    for fname in ("timebank_id_number", "timebank_mobile")
                    if fname in partner_vals
                }
                partner = Partner.create(partner_vals)
                if personal:
                    # sudo: identifiers are administrator-only fields of
                    # contacts; this contact was just created for this person
                    partner.sudo().write(personal)
            vals["partner_id"] = partner.id
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(self._prepare_person_partner(vals_list))

    def write(self, vals):
        res = super().write(vals)
        if "id_number" in vals or "mobile" in vals:
            # the contact normalised the numbers: show its values
            self.invalidate_recordset(["id_number", "mobile"])
        return res
