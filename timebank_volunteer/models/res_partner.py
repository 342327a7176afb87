# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import datetime
import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.phone_validation.tools import phone_validation

# Used only when the `phonenumbers` library is not installed: mobile numbers
# (1 + 10 digits) and landlines with an area code (0 + 2-3 digits + 7-8 digits).
CN_PHONE_FALLBACK_RE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

# Personal identifiers of the people of the time bank are read and written
# through their registrations (timebank.volunteer / timebank.recipient), whose
# record rules limit every user to the nodes he or she works for; the fields
# there carry PERSONAL_DATA_GROUPS. res.partner has no node rule (the rest of
# Odoo reads contacts), so its copies of the identifiers are for the district
# administrators only (PARTNER_PERSONAL_DATA_GROUPS).
PERSONAL_DATA_GROUPS = "timebank_volunteer.group_timebank_operator"
PARTNER_PERSONAL_DATA_GROUPS = "timebank_volunteer.group_timebank_admin"


class ResPartner(models.Model):
    _inherit = "res.partner"

    timebank_id_number = fields.Char(
        string="Resident ID Number",
        copy=False,
        index="btree_not_null",
        groups=PARTNER_PERSONAL_DATA_GROUPS,
        help="Chinese resident identity card number (GB 11643-1999), 18 characters; "
        "the birth date and gender are read from it.",
    )
    timebank_mobile = fields.Char(
        string="Time Bank Phone",
        copy=False,
        groups=PARTNER_PERSONAL_DATA_GROUPS,
        help="Phone number of the person for the time bank "
        "(mobile or landline, China).",
    )
    timebank_birthdate = fields.Date(
        string="Birth Date",
        compute="_compute_timebank_identity",
        store=True,
    )
    timebank_gender = fields.Selection(
        [("male", "Male"), ("female", "Female")],
        string="Gender",
        compute="_compute_timebank_identity",
        store=True,
    )
    timebank_age = fields.Integer(
        string="Age",
        compute="_compute_timebank_age",
        search="_search_timebank_age",
    )
    timebank_volunteer_ids = fields.One2many(
        "timebank.volunteer", "partner_id", string="Volunteer Registrations"
    )
    timebank_recipient_ids = fields.One2many(
        "timebank.recipient", "partner_id", string="Recipient Registrations"
    )

    _sql_constraints = [
        (
            "timebank_id_number_uniq",
            "unique(timebank_id_number)",
            "This resident ID number is already registered for another person.",
        ),
    ]

    @api.depends("timebank_id_number")
    def _compute_timebank_identity(self):
        for partner in self.sudo():
            # sudo: the birth date and gender are derived here for every user,
            # the ID number itself is never returned.
            number = partner.timebank_id_number
            birthdate = gender = False
            if number and ric.is_valid(number):
                birthdate = ric.get_birth_date(number)
                gender = "male" if int(number[16]) % 2 else "female"
            partner.timebank_birthdate = birthdate
            partner.timebank_gender = gender

    @api.depends("timebank_birthdate")
    def _compute_timebank_age(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.timebank_age = self._timebank_age_on(
                partner.timebank_birthdate, today
            )

    def _search_timebank_age(self, operator, value):
        """Translate an age condition into a birth-date condition."""
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(
            value, int
        ):
            raise UserError(self.env._("Unsupported search on age."))
        today = fields.Date.context_today(self)

        def born_before(age):
            # latest birth date of a person aged at least `age` today
            try:
                return today.replace(year=today.year - age)
            except ValueError:  # 29 February
                return today.replace(year=today.year - age, day=28)

        if operator == ">=":
            return [("timebank_birthdate", "<=", born_before(value))]
        if operator == ">":
            return [("timebank_birthdate", "<=", born_before(value + 1))]
        if operator == "<":
            return [("timebank_birthdate", ">", born_before(value))]
        if operator == "<=":
            return [("timebank_birthdate", ">", born_before(value + 1))]
        exact = [
            ("timebank_birthdate", "<=", born_before(value)),
            ("timebank_birthdate", ">", born_before(value + 1)),
        ]
        if operator == "=":
            return exact
        return ["|", ("timebank_birthdate", "=", False), "!", "&", *exact]

    @api.model
    def _timebank_age_on(self, birthdate, day):
        if not birthdate:
            return 0
        return (
            day.year
            - birthdate.year
            - ((day.month, day.day) < (birthdate.month, birthdate.day))
        )

    @api.model
    def _timebank_normalize_id_number(self, number):
        if not number:
            return False
        return re.sub(r"[\s-]", "", number).upper() or False

    @api.model
    def _timebank_check_id_number(self, number):
        """Raise a translated ValidationError if `number` is not a valid
        Chinese resident ID number."""
        if len(number) != 18:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s must have 18 characters, "
                    "it has %(count)s.",
                    number=number,
                    count=len(number),
                )
            )
        try:
            ric.validate(number)
        except stdnum_exceptions.InvalidChecksum as e:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s is not valid: the check digit "
                    "(last character) is wrong.",
                    number=number,
                )
            ) from e
        except stdnum_exceptions.InvalidComponent as e:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s is not valid: the birth date or "
                    "the area code in it does not exist.",
                    number=number,
                )
            ) from e
        except stdnum_exceptions.ValidationError as e:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s is not valid: only digits and a "
                    "final X are allowed.",
                    number=number,
                )
            ) from e
        birthdate = ric.get_birth_date(number)
        if birthdate > datetime.date.today() or birthdate.year < 1890:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s is not valid: the birth date "
                    "%(date)s is impossible.",
                    number=number,
                    date=birthdate,
                )
            )

    @api.model
    def _timebank_normalize_phone(self, number):
        """Return the phone number normalised, or raise a translated
        ValidationError when it is not a valid phone number in China."""
        if not number:
            return False
        number = number.strip()
        compact = re.sub(r"[\s()]", "", number)
        try:
            parsed = phone_validation.phone_parse(compact, "CN")
        except UserError as e:
            raise ValidationError(
                self.env._("Phone number %(number)s is not valid.", number=number)
            ) from e
        if parsed is False:
            # `phonenumbers` is not installed: check the Chinese numbering plan
            if not CN_PHONE_FALLBACK_RE.match(compact):
                raise ValidationError(
                    self.env._("Phone number %(number)s is not valid.", number=number)
                )
            return compact
        return phone_validation.phone_format(compact, "CN", 86, force_format="NATIONAL")

    @api.model
    def _timebank_prepare_identity_vals(self, vals):
        if vals.get("timebank_id_number") is not None:
            number = self._timebank_normalize_id_number(vals["timebank_id_number"])
            if number:
                self._timebank_check_id_number(number)
            vals["timebank_id_number"] = number
        if vals.get("timebank_mobile") is not None:
            vals["timebank_mobile"] = self._timebank_normalize_phone(
                vals["timebank_mobile"]
            )
        return vals

    def _timebank_check_id_duplicates(self, numbers):
        """Refuse an ID number already used by another person, before the
        database constraint does it with a less friendly message."""
        numbers = [n for n in numbers if n]
        if not numbers:
            return
        if len(set(numbers)) < len(numbers) or (len(self) > 1 and numbers):
            raise ValidationError(
                self.env._(
                    "The same resident ID number cannot be given to several people."
                )
            )
        # sudo: the uniqueness must hold over every partner, including the ones
        # of another company; only the name of the holder is shown.
        others = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("timebank_id_number", "in", numbers), ("id", "not in", self.ids)],
                limit=1,
            )
        )
        if others:
            raise ValidationError(
                self.env._(
                    "Resident ID number %(number)s is already registered for %(name)s.",
                    number=others.timebank_id_number,
                    name=others.display_name,
                )
            )

    def _timebank_check_person_scope(self):
        """Raise a translated ValidationError unless every time-bank
        registration (volunteer or recipient) of these contacts is in the
        current user's nodes: only then may the user reach the contact's
        identifiers through a registration (see timebank.person.mixin)."""
        if self.env.su or self.env.user.has_group(
            "timebank_volunteer.group_timebank_admin"
        ):
            return
        # sudo: the nodes of the contact's registrations, to compare them with
        # the user's; nothing is returned
        nodes = self.env["timebank.node"].sudo()
        for model in ("timebank.volunteer", "timebank.recipient"):
            nodes |= (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search([("partner_id", "in", self.ids)])
                .node_id
            )
        if not nodes:
            return
        inside = nodes.with_context(active_test=False).search(
            [
                ("id", "in", nodes.ids),
                ("id", "child_of", self.env.user.timebank_node_ids.ids),
            ]
        )
        if nodes - inside:
            raise ValidationError(
                self.env._(
                    "%(name)s is also registered in another part of the time bank: "
                    "only a supervisor or the district administrator responsible "
                    "for both may register this person here or change his or her "
                    "identifiers.",
                    name=", ".join(self.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._timebank_prepare_identity_vals(vals)
        numbers = [vals.get("timebank_id_number") for vals in vals_list]
        if any(numbers):
            if len(set(filter(None, numbers))) < len(list(filter(None, numbers))):
                raise ValidationError(
                    self.env._(
                        "The same resident ID number cannot be given to several people."
                    )
                )
            for number in filter(None, numbers):
                self.browse()._timebank_check_id_duplicates([number])
        return super().create(vals_list)

    def write(self, vals):
        self._timebank_prepare_identity_vals(vals)
        if vals.get("timebank_id_number"):
            self._timebank_check_id_duplicates([vals["timebank_id_number"]])
        return super().write(vals)
