# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TimebankCommon


@tagged("post_install", "-at_install")
class TestHierarchy(TimebankCommon):
    def test_complete_name_and_district(self):
        self.assertEqual(
            self.station1.complete_name,
            "Test District / Town 1 / Village 1 / Station 1",
        )
        self.assertEqual(self.station1.district_id, self.district)
        self.town1.name = "Town One"
        self.assertEqual(
            self.station1.complete_name,
            "Test District / Town One / Village 1 / Station 1",
        )

    def test_cycle_refused(self):
        with self.assertRefused(ValidationError, "under itself or its descendants"):
            self.town1.parent_id = self.station1
        with self.assertRefused(ValidationError, "under itself or its descendants"):
            self.town1.parent_id = self.village1
        self.assertEqual(self.town1.parent_id, self.district)

    def test_station_under_town_refused(self):
        Node = self.env["timebank.node"]
        count = Node.search_count([])
        with self.assertRefused(ValidationError, "cannot be placed under"):
            Node.create(
                {
                    "name": "Bad",
                    "code": "B1",
                    "kind": "station",
                    "parent_id": self.town1.id,
                }
            )
        with self.assertRefused(ValidationError, "cannot be placed under"):
            Node.create(
                {
                    "name": "Bad",
                    "code": "B2",
                    "kind": "village",
                    "parent_id": self.district.id,
                }
            )
        with self.assertRefused(ValidationError, "cannot be placed under"):
            self.station1.parent_id = self.town2
        self.assertEqual(Node.search_count([]), count)
        self.assertEqual(self.station1.parent_id, self.village1)
        # a station under a social-organisation sub-branch is fine
        Node.create(
            {"name": "Ok", "code": "OK", "kind": "station", "parent_id": self.social.id}
        )

    def test_code_unique_per_district(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["timebank.node"].create(
                    {
                        "name": "Dup",
                        "code": "V1",
                        "kind": "village",
                        "parent_id": self.town2.id,
                    }
                )
        other = self.env["timebank.node"].create(
            {"name": "Other district", "code": "D2", "kind": "district"}
        )
        town = self.env["timebank.node"].create(
            {"name": "Other town", "code": "T1", "kind": "town", "parent_id": other.id}
        )
        self.assertEqual(town.district_id, other)

    def test_archive_node_with_active_children_refused(self):
        with self.assertRefused(ValidationError, "still has active nodes"):
            self.village1.action_archive()
        self.assertTrue(self.village1.active)
        self.station1.action_archive()
        self.village1.action_archive()
        self.assertFalse(self.village1.active)

    def test_delete_node_with_people_refused(self):
        self._create_volunteer(self.village2, self.station2)
        with self.assertRefused(UserError, "archive the nodes"):
            self.station2.unlink()
        self.assertTrue(self.station2.exists())

    def test_operator_sets_up_station(self):
        station = (
            self.env["timebank.node"]
            .with_user(self.operator)
            .create(
                {
                    "name": "New station",
                    "code": "S9",
                    "kind": "station",
                    "parent_id": self.village1.id,
                }
            )
        )
        self.assertEqual(station.parent_id, self.village1)
        # but may not move it to the neighbouring village
        with self.assertRefused(ValidationError, "Village 2"):
            station.with_user(self.operator).parent_id = self.village2
        self.assertEqual(station.parent_id, self.village1)

    def test_person_node_and_station_consistency(self):
        with self.assertRefused(ValidationError, "must be registered in a sub-branch"):
            self._create_volunteer(self.town1)
        with self.assertRefused(ValidationError, "is not a station of the sub-branch"):
            self._create_recipient(self.village1, self.station2)
        volunteer = self._create_volunteer(self.village1, self.station1)
        with self.assertRefused(ValidationError, "is not a station of the sub-branch"):
            volunteer.node_id = self.village2
        self.assertEqual(volunteer.node_id, self.village1)

    def test_people_counts(self):
        self._create_volunteer(self.village1)
        self._create_volunteer(self.village2)
        self._create_recipient(self.village3)
        self.assertEqual(self.town1.volunteer_count, 2)
        self.assertEqual(self.town1.recipient_count, 0)
        self.assertEqual(self.district.recipient_count, 1)
        self.assertEqual(self.town1.with_user(self.supervisor).volunteer_count, 2)
