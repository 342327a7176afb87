# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""ID card and phone numbers are reached only through registrations in the
user's nodes: never through the contact, never for another village."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TimebankCommon


@tagged("post_install", "-at_install")
class TestPersonalData(TimebankCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator2 = new_test_user(
            cls.env,
            login="tb_test_operator_v2",
            groups="base.group_user,timebank_volunteer.group_timebank_operator",
        )
        cls.operator2.timebank_node_ids = cls.village2
        cls.volunteer = cls._create_volunteer(
            cls.village1, name="Li Wei", mobile="13812345678"
        )
        cls.partner = cls.volunteer.partner_id
        cls.number = cls.volunteer.id_number

    def _search_partner(self, env, domain):
        """Searching contacts on an administrator-only field: refused, or
        finding nothing; either way nothing is learnt."""
        try:
            return env["res.partner"].search(domain)
        except AccessError:
            return env["res.partner"]

    def test_sibling_operator_cannot_read(self):
        env2 = self.env(user=self.operator2)
        partner = self.partner.with_env(env2)
        partner.read(["name"])  # the contact itself stays visible to Odoo
        for fname in ("timebank_id_number", "timebank_mobile"):
            with self.subTest(field=fname):
                with self.assertRefused(AccessError):
                    partner.read([fname])
                self.assertNotIn(fname, partner.fields_get())
        with self.assertRefused(AccessError):
            self.volunteer.with_env(env2).read(["id_number", "mobile"])
        Volunteer = env2["timebank.volunteer"]
        self.assertFalse(Volunteer.search([("id_number", "=", self.number)]))
        self.assertFalse(Volunteer.search([("mobile", "ilike", "138")]))
        for domain in (
            [("timebank_id_number", "=", self.number)],
            [("timebank_mobile", "ilike", "138")],
        ):
            self.assertNotIn(self.partner, self._search_partner(env2, domain))

    def test_sibling_operator_cannot_write(self):
        env2 = self.env(user=self.operator2)
        with self.assertRefused(AccessError):
            self.partner.with_env(env2).write({"timebank_mobile": "13900000000"})
        with self.assertRefused(AccessError):
            self.volunteer.with_env(env2).write({"mobile": "13900000000"})
        # registering the same person (same ID number) in village 2 does not
        # reach the contact of the village 1 volunteer
        with self.assertRefused(ValidationError, "also registered in another part"):
            self._create_recipient(
                self.village2,
                env=env2,
                name="Li Wei",
                id_number=self.number,
                mobile="13900000000",
            )
        self.assertEqual(self.volunteer.mobile.replace(" ", ""), "13812345678")
        self.assertFalse(
            self.env["timebank.recipient"].search([("name", "=", "Li Wei")])
        )

    def test_own_operator_through_the_registration(self):
        env1 = self.env(user=self.operator)
        volunteer = self.volunteer.with_env(env1)
        data = volunteer.read(["id_number", "mobile"])[0]
        self.assertEqual(data["id_number"], self.number)
        self.assertEqual(data["mobile"].replace(" ", ""), "13812345678")
        self.assertEqual(
            env1["timebank.volunteer"].search([("id_number", "=", self.number)]),
            volunteer,
        )
        volunteer.write({"mobile": "13712345678"})
        self.assertEqual(self.partner.timebank_mobile.replace(" ", ""), "13712345678")
        # but not through the contact: that is for district administrators
        with self.assertRefused(AccessError):
            self.partner.with_env(env1).read(["timebank_id_number"])
        admin_data = self.partner.with_user(self.admin).read(["timebank_id_number"])
        self.assertEqual(admin_data[0]["timebank_id_number"], self.number)
        # the same person registered as a recipient in the same village stays
        # one contact
        recipient = self._create_recipient(
            self.village1, env=env1, name="Li Wei", id_number=self.number
        )
        self.assertEqual(recipient.partner_id, self.partner)

    def test_registration_follows_the_contact(self):
        """The numbers shown on a registration are the contact's, also when
        an administrator changes them on the contact."""
        volunteer = self.volunteer.with_user(self.operator)
        volunteer.write({"mobile": "137 1234 5678 "})
        self.assertEqual(volunteer.mobile, self.partner.timebank_mobile)
        self.partner.with_user(self.admin).timebank_mobile = "13612345678"
        self.assertEqual(volunteer.mobile.replace(" ", ""), "13612345678")
