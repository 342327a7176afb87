# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import datetime

from stdnum.cn import ric

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimebankCommon, make_id_number, years_ago


@tagged("post_install", "-at_install")
class TestIdentity(TimebankCommon):
    def test_valid_id_number_gives_birthdate_gender_age(self):
        number = make_id_number(datetime.date(1950, 3, 15), seq=231)
        partner = self.env["res.partner"].create(
            {"name": "张三", "timebank_id_number": number}
        )
        self.assertEqual(partner.timebank_birthdate, datetime.date(1950, 3, 15))
        self.assertEqual(partner.timebank_gender, "male")
        today = datetime.date.today()
        expected_age = today.year - 1950 - ((today.month, today.day) < (3, 15))
        self.assertEqual(partner.timebank_age, expected_age)
        female = self.env["res.partner"].create(
            {
                "name": "李四",
                "timebank_id_number": make_id_number(datetime.date(1948, 1, 2), 232),
            }
        )
        self.assertEqual(female.timebank_gender, "female")
        self.assertIn(
            partner,
            self.env["res.partner"].search(
                [
                    ("timebank_age", "=", expected_age),
                    ("id", "in", (partner | female).ids),
                ]
            ),
        )
        self.assertEqual(
            self.env["res.partner"].search(
                [("timebank_age", ">=", 78), ("id", "in", (partner | female).ids)]
            ),
            female,
        )

    def test_lowercase_x_and_spaces_normalised(self):
        for seq in range(100, 200):
            number = make_id_number(datetime.date(1960, 5, 5), seq=seq)
            if number.endswith("X"):
                break
        partner = self.env["res.partner"].create(
            {
                "name": "王五",
                "timebank_id_number": " " + number[:6] + " " + number[6:].lower(),
            }
        )
        self.assertEqual(partner.timebank_id_number, number)

    def _assert_refused(self, number, message):
        Partner = self.env["res.partner"]
        count = Partner.search_count([])
        with self.assertRefused(ValidationError, message):
            Partner.create({"name": "Bad", "timebank_id_number": number})
        self.assertEqual(Partner.search_count([]), count)

    def test_bad_check_digit(self):
        number = make_id_number(datetime.date(1950, 3, 15), seq=231)
        wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
        self._assert_refused(wrong, "check digit")

    def test_bad_birth_date(self):
        body = "37040519501315123"  # month 13, with a correct check digit
        self._assert_refused(body + ric.calc_check_digit(body + "0"), "birth date")
        future = years_ago(-1)
        self._assert_refused(make_id_number(future, seq=123), "impossible")

    def test_bad_length_and_characters(self):
        self._assert_refused("37040519500315", "18 characters")
        self._assert_refused("3704051950031512A4", "only digits")

    def test_duplicate_id_number(self):
        number = make_id_number(datetime.date(1950, 3, 15), seq=231)
        first = self.env["res.partner"].create(
            {"name": "张三", "timebank_id_number": number}
        )
        self._assert_refused(number, "already registered for 张三")
        other = self.env["res.partner"].create({"name": "Other"})
        with self.assertRefused(ValidationError, "already registered"):
            other.write({"timebank_id_number": number.lower()})
        self.assertFalse(other.timebank_id_number)
        Partner = self.env["res.partner"]
        with self.assertRefused(ValidationError, "several people"):
            Partner.create(
                [
                    {
                        "name": "A",
                        "timebank_id_number": make_id_number(
                            datetime.date(1950, 1, 1), 301
                        ),
                    },
                    {
                        "name": "B",
                        "timebank_id_number": make_id_number(
                            datetime.date(1950, 1, 1), 301
                        ),
                    },
                ]
            )
        self.assertEqual(first.timebank_id_number, number)

    def test_phone_validation(self):
        partner = self.env["res.partner"].create(
            {"name": "赵六", "timebank_mobile": "138 1234 5678"}
        )
        self.assertEqual(partner.timebank_mobile.replace(" ", ""), "13812345678")
        landline = self.env["res.partner"].create(
            {"name": "钱七", "timebank_mobile": "0632-6611234"}
        )
        self.assertTrue(landline.timebank_mobile)
        for bad in ("12345", "1381234567890", "abcdefghijk"):
            with (
                self.subTest(number=bad),
                self.assertRefused(ValidationError, "is not valid"),
            ):
                partner.write({"timebank_mobile": bad})
        self.assertEqual(partner.timebank_mobile.replace(" ", ""), "13812345678")
        with self.assertRefused(ValidationError, "is not valid"):
            self._create_recipient(self.village1, guardian_phone="999")

    def test_one_person_two_roles(self):
        """A recipient who also volunteers keeps one contact."""
        number = self._next_id_number(62)
        recipient = self._create_recipient(self.village1, name="孙八", id_number=number)
        volunteer = self._create_volunteer(
            self.village1, name="孙八", id_number=number.lower(), mobile="13712345678"
        )
        self.assertEqual(volunteer.partner_id, recipient.partner_id)
        self.assertEqual(
            recipient.partner_id.timebank_mobile.replace(" ", ""), "13712345678"
        )
        self.assertEqual(
            self.env["res.partner"].search_count([("timebank_id_number", "=", number)]),
            1,
        )
        with self.assertRefused(ValidationError, "registered for 孙八, not for 周九"):
            self._create_volunteer(self.village2, name="周九", id_number=number)
