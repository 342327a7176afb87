# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimebankCommon


@tagged("post_install", "-at_install")
class TestRecipient(TimebankCommon):
    def test_priority_groups_data(self):
        groups = self.env["timebank.priority.group"].search([])
        self.assertEqual(
            {g.code: g.min_age for g in groups},
            {"dibao": 70, "poor": 70, "disabled": 60, "tekun": 60, "left_behind": 60},
        )

    def test_too_young_for_priority_group(self):
        Recipient = self.env["timebank.recipient"]
        count = Recipient.search_count([])
        partners = self.env["res.partner"].search_count([])
        with self.assertRefused(
            ValidationError, r"65 years old, too young .*\(70 years or older\)"
        ):
            self._create_recipient(
                self.village1,
                id_number=self._next_id_number(65),
                priority_group_ids=[(6, 0, self.priority_dibao.ids)],
                env=self.env(user=self.operator),
            )
        self.assertEqual(Recipient.search_count([]), count, "nothing saved")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        # 65 is old enough for the disabled group
        recipient = self._create_recipient(
            self.village1,
            id_number=self._next_id_number(65),
            priority_group_ids=[(6, 0, self.priority_disabled.ids)],
        )
        self.assertTrue(recipient.is_priority)
        with self.assertRefused(ValidationError, "too young"):
            recipient.priority_group_ids = [(4, self.priority_dibao.id)]
        self.assertEqual(recipient.priority_group_ids, self.priority_disabled)

    def test_exact_threshold(self):
        recipient = self._create_recipient(
            self.village1,
            id_number=self._next_id_number(70),
            priority_group_ids=[(6, 0, self.priority_dibao.ids)],
        )
        self.assertEqual(recipient.age, 70)
        self.assertTrue(recipient.is_priority)

    def test_priority_needs_id_number(self):
        recipient = self.env["timebank.recipient"].create(
            {"name": "No ID", "node_id": self.village1.id}
        )
        self.assertFalse(recipient.is_priority)
        with self.assertRefused(ValidationError, "without a valid resident ID number"):
            recipient.priority_group_ids = [(6, 0, self.priority_disabled.ids)]
        self.assertFalse(recipient.priority_group_ids)

    def test_changing_id_rechecks_age(self):
        recipient = self._create_recipient(
            self.village1,
            id_number=self._next_id_number(80),
            priority_group_ids=[(6, 0, self.priority_dibao.ids)],
        )
        with self.assertRefused(ValidationError, "too young"):
            recipient.partner_id = self.env["res.partner"].create(
                {"name": "Young", "timebank_id_number": self._next_id_number(50)}
            )

    def test_priority_search_and_order(self):
        plain = self._create_recipient(self.village1)
        priority = self._create_recipient(
            self.village1,
            id_number=self._next_id_number(72),
            priority_group_ids=[(6, 0, self.priority_dibao.ids)],
        )
        found = self.env["timebank.recipient"].search(
            [("id", "in", (plain | priority).ids)]
        )
        self.assertEqual(found[0], priority, "priority recipients come first")
        self.assertEqual(
            self.env["timebank.recipient"].search(
                [("is_priority", "=", True), ("id", "in", (plain | priority).ids)]
            ),
            priority,
        )
        groups = self.env["timebank.recipient"]._read_group(
            [("id", "in", (plain | priority).ids)], ["priority_group_ids"], ["__count"]
        )
        self.assertIn((self.priority_dibao, 1), groups)
