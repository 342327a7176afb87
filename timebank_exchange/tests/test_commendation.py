# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.misc import mute_logger

from .common_commendation import TimebankCommendationCase


@tagged("post_install", "-at_install")
class TestCommendation(TimebankCommendationCase):
    def _lines(self, wizard, award_type):
        return [
            (
                (line.volunteer_id or line.node_id).name,
                line.weighted_hours,
                line.recipient_count,
                round(line.avg_score, 2),
                line.followup_count,
            )
            for line in wizard.line_ids.filtered(
                lambda li: li.award_type == award_type
            ).sorted("sequence")
        ]

    def test_ranking(self):
        wizard = self._commendation()
        wizard.action_propose()
        # tie on 7 hours broken by satisfaction; Zhao (suspended) left out;
        # Chen's hours of 2024 and Li's draft do not count
        self.assertEqual(
            self._lines(wizard, "volunteer"),
            [
                ("王芳", 7.0, 0, 5.0, 1),
                ("李明", 7.0, 0, 4.0, 2),
                ("周丽", 3.0, 0, 5.0, 1),
            ],
        )
        # villages: hours, then recipients reached
        self.assertEqual(
            self._lines(wizard, "organisation"),
            [
                ("Village 3", 10.0, 1, 2.0, 2),
                ("Village 1", 7.0, 2, 4.0, 2),
                ("Village 2", 7.0, 1, 5.0, 1),
            ],
        )
        # social organisations: same hours and recipients, satisfaction decides
        self.assertEqual(
            self._lines(wizard, "participation"),
            [
                ("Elderly Care Association", 3.0, 1, 5.0, 1),
                ("Care Society", 3.0, 1, 3.0, 1),
            ],
        )
        # the volunteer ranking itself keeps the suspended volunteer
        ranking = wizard._rank_volunteers()
        self.assertEqual(
            [(v.name, h) for v, h, _s, _c in ranking],
            [
                ("赵强", 10.0),
                ("王芳", 7.0),
                ("李明", 7.0),
                ("周丽", 3.0),
                ("陈静", 3.0),
            ],
        )

    def test_district_scope_and_count(self):
        other = self.env["timebank.node"].create(
            {"name": "Other District", "code": "OD", "kind": "district"}
        )
        wizard = self._commendation(district_id=other.id)
        wizard.action_propose()
        self.assertFalse(wizard.line_ids)
        wizard = self._commendation(top_count=1)
        wizard.action_propose()
        self.assertEqual(len(wizard.line_ids), 3)

    def test_adjust_and_record(self):
        wizard = self._commendation()
        wizard.action_propose()
        lines = wizard.line_ids.filtered(lambda li: li.award_type == "volunteer")
        # the administrator drops Li and moves Zhou to the top
        lines.filtered(lambda li: li.volunteer_id == self.vol_li).unlink()
        lines.exists().filtered(
            lambda li: li.volunteer_id == self.vol_zhou
        ).sequence = 0
        action = wizard.action_record()
        awards = self.env["timebank.award"].search(action["domain"])
        self.assertEqual(len(awards), 7)
        volunteers = awards.filtered(lambda a: a.award_type == "volunteer").sorted(
            "rank"
        )
        self.assertEqual(
            [(a.volunteer_id, a.rank, a.weighted_hours) for a in volunteers],
            [(self.vol_zhou, 1, 3.0), (self.vol_wang, 2, 7.0)],
        )
        self.assertEqual(set(awards.mapped("state")), {"draft"})
        awards.with_user(self.admin).action_award()
        self.assertEqual(set(awards.mapped("state")), {"awarded"})
        # the auditor reads them
        self.assertEqual(
            self.env["timebank.award"]
            .with_user(self.auditor)
            .search_count([("id", "in", awards.ids)]),
            7,
        )

    def test_awards_pivot_by_area_and_year(self):
        Award = self.env["timebank.award"].with_user(self.admin)
        awards = Award.create(
            [
                {
                    "year": 2025,
                    "award_type": "volunteer",
                    "volunteer_id": self.vol_li.id,
                    "weighted_hours": 4.0,
                },
                {
                    "year": 2025,
                    "award_type": "organisation",
                    "node_id": self.village1.id,
                    "weighted_hours": 6.5,
                },
                {
                    "year": 2026,
                    "award_type": "volunteer",
                    "volunteer_id": self.vol_li.id,
                    "weighted_hours": 2.0,
                },
            ]
        )
        self.assertEqual(awards[0].area_node_id, self.vol_li.node_id)
        self.assertEqual(awards[1].area_node_id, self.village1)
        # the area is the node at the time of the award
        self.vol_li.node_id = self.village2
        self.assertEqual(awards[0].area_node_id, self.village1)
        # what the pivot view asks: area x year, hours summed, ranks not summed
        groups = Award._read_group(
            [("id", "in", awards.ids)],
            ["area_node_id", "year"],
            ["weighted_hours:sum", "__count"],
        )
        self.assertEqual(
            sorted(
                (node.id, year, hours, count) for node, year, hours, count in groups
            ),
            [(self.village1.id, 2025, 10.5, 2), (self.village1.id, 2026, 2.0, 1)],
        )
        self.assertFalse(Award._fields["rank"].aggregator)
        self.assertFalse(Award._fields["year"].aggregator)

    def test_suspended_volunteer_refused(self):
        Award = self.env["timebank.award"].with_user(self.admin)
        with self.assertRefused(ValidationError, "not an active volunteer"):
            Award.create(
                {
                    "year": 2025,
                    "award_type": "volunteer",
                    "volunteer_id": self.vol_zhao.id,
                }
            )
        # suspended between the proposal and the conferment
        award = Award.create(
            {"year": 2025, "award_type": "volunteer", "volunteer_id": self.vol_li.id}
        )
        self.vol_li.state = "suspended"
        with self.assertRefused(ValidationError, "not an active volunteer"):
            award.action_award()
        self.assertEqual(award.state, "draft")

    def test_wrong_kind_refused(self):
        with self.assertRefused(ValidationError, "right kind"):
            self.env["timebank.award"].with_user(self.admin).create(
                {"year": 2025, "award_type": "organisation", "node_id": self.social.id}
            )

    def test_duplicate_refused(self):
        Award = self.env["timebank.award"].with_user(self.admin)
        Award.create(
            {"year": 2025, "award_type": "volunteer", "volunteer_id": self.vol_li.id}
        )
        Award.create(
            {"year": 2025, "award_type": "organisation", "node_id": self.village1.id}
        )
        with mute_logger("odoo.sql_db"), self.assertRefused(IntegrityError):
            Award.create(
                {
                    "year": 2025,
                    "award_type": "volunteer",
                    "volunteer_id": self.vol_li.id,
                }
            )
        with mute_logger("odoo.sql_db"), self.assertRefused(IntegrityError):
            Award.create(
                {
                    "year": 2025,
                    "award_type": "organisation",
                    "node_id": self.village1.id,
                }
            )
        # another year is fine
        Award.create(
            {"year": 2026, "award_type": "volunteer", "volunteer_id": self.vol_li.id}
        )

    def test_operator_cannot_commend(self):
        with self.assertRaises(AccessError):
            self._commendation(user=self.operator)
        with self.assertRaises(AccessError):
            self._commendation(user=self.auditor)
        with self.assertRaises(AccessError):
            self.env["timebank.award"].with_user(self.auditor).create(
                {
                    "year": 2025,
                    "award_type": "volunteer",
                    "volunteer_id": self.vol_li.id,
                }
            )

    def _count_queries(self, wizard):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        wizard._prepare_line_values()
        return self.env.cr.sql_log_count - before

    def test_ranking_is_set_based(self):
        """The proposal costs the same number of queries for more people."""
        wizard = self._commendation(top_count=20)
        self._count_queries(wizard)  # warm-up: the registry's caches
        queries = self._count_queries(wizard)
        day = datetime(2025, 9, 1, 8, 0)
        for i in range(4):
            volunteer = self._create_volunteer(self.village2, state="active")
            recipient = self._create_recipient(self.village2)
            self._service(volunteer, recipient, self.meal, day, 1 + i, score=3)
        self.assertEqual(len(wizard._rank_volunteers()), 9)
        self._count_queries(wizard)  # warm-up: the new records' caches
        self.assertEqual(self._count_queries(wizard), queries)
