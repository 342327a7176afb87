# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_star import TimebankStarCase


@tagged("post_install", "-at_install")
class TestStar(TimebankStarCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.one, cls.two, cls.three = (
            cls.env.ref(f"timebank_exchange.star_level_{stars}") for stars in (1, 2, 3)
        )

    def test_default_levels(self):
        levels = self.env["timebank.star.level"].search([])
        self.assertEqual(levels.mapped("stars"), ["1", "2", "3", "4", "5"])
        self.assertEqual(levels.mapped("min_hours"), [10.0, 50.0, 100.0, 300.0, 600.0])

    def assertStar(self, volunteer, level, hours):
        volunteer.invalidate_recordset()
        self.assertEqual(volunteer.star_level_id, level)
        self.assertEqual(volunteer.stars, level.stars or "0")
        self.assertAlmostEqual(volunteer.lifetime_hours, hours, places=2)

    def test_deposit_and_reversal_cross_thresholds(self):
        self.assertStar(self.vol_a, self.one.browse(), 0.0)
        # technical service: 4 h x 2 = 8 weighted hours, below one star
        self._serve(self.vol_a, 4, self.pipe, self.operator_a)
        self.assertStar(self.vol_a, self.one.browse(), 8.0)
        # 2 more hours: exactly 10, one star
        meal = self._serve(self.vol_a, 2, self.meal, self.operator_a)
        self.assertStar(self.vol_a, self.one, 10.0)
        # cancelling the meal delivery reverses its 2 hours: back below
        meal.with_user(self.supervisor_a).action_cancel()
        self.assertStar(self.vol_a, self.one.browse(), 8.0)
        # up again, then across two levels at once (50 h)
        for _i in range(5):
            self._serve(self.vol_a, 4, self.pipe, self.operator_a)
        self._serve(self.vol_a, 2, self.meal, self.operator_a)
        self.assertStar(self.vol_a, self.two, 50.0)
        # the other volunteer is untouched
        self.assertStar(self.vol_b, self.one.browse(), 0.0)

    def test_spending_and_settlement_do_not_count(self):
        for _i in range(2):
            self._serve(self.vol_a, 6, self.pipe, self.operator_a)
        self.assertStar(self.vol_a, self.one, 24.0)
        # settlement moves all 24 hours into the two buckets: same lifetime
        self._move(self.vol_a, {"unsettled": -24, "goods": 12, "reserve": 12}, 1)
        self.assertStar(self.vol_a, self.one, 24.0)
        # spending the goods hours lowers the balance, not the star
        self._move(self.vol_a, {"goods": -12}, 2, kind="redemption")
        self.assertEqual(self.vol_a.balance_total, 12.0)
        self.assertStar(self.vol_a, self.one, 24.0)
        # nor does the cancellation of a redemption (a reversal of another source)
        self._move(self.vol_a, {"goods": 12}, 3, kind="reversal")
        self.assertStar(self.vol_a, self.one, 24.0)

    def test_threshold_change_recomputes(self):
        self._serve(self.vol_a, 4, self.pipe, self.operator_a)
        self._serve(self.vol_b, 3, self.meal, self.operator_vb, recipient=self.rec_b)
        self.assertStar(self.vol_a, self.one.browse(), 8.0)
        self.assertStar(self.vol_b, self.one.browse(), 3.0)
        Level = self.env["timebank.star.level"].with_user(self.district_admin)
        self.one.with_user(self.district_admin).min_hours = 3.0
        self.assertStar(self.vol_a, self.one, 8.0)
        self.assertStar(self.vol_b, self.one, 3.0)
        self.two.with_user(self.district_admin).min_hours = 8.0
        self.assertStar(self.vol_a, self.two, 8.0)
        self.assertStar(self.vol_b, self.one, 3.0)
        # raising a threshold takes the star away
        self.two.with_user(self.district_admin).min_hours = 9.0
        self.assertStar(self.vol_a, self.one, 8.0)
        # removing a level, then adding it again
        self.one.with_user(self.district_admin).unlink()
        self.assertStar(self.vol_b, Level.browse(), 3.0)
        self.assertStar(self.vol_a, Level.browse(), 8.0)
        one = Level.create({"name": "Bronze", "stars": "1", "min_hours": 2.0})
        self.assertStar(self.vol_a, one, 8.0)
        self.assertStar(self.vol_b, one, 3.0)
        starred = self.env["timebank.volunteer"].search(
            [("star_level_id", "=", one.id)]
        )
        self.assertFalse((self.vol_a | self.vol_b) - starred)
        self.assertEqual(one.volunteer_count, len(starred))

    def test_overlapping_thresholds_refused(self):
        three = self.three.with_user(self.district_admin)
        with self.assertRaisesText(ValidationError, "must rise with the stars"):
            three.min_hours = 40.0  # below two stars (50 h)
        with self.assertRaisesText(ValidationError, "must rise with the stars"):
            three.min_hours = 50.0  # the same as two stars: ranges would overlap
        with self.assertRaisesText(ValidationError, "must rise with the stars"):
            self.one.with_user(self.district_admin).min_hours = 75.0
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["timebank.star.level"].with_user(self.district_admin).create(
                {"name": "Another one-star", "stars": "1", "min_hours": 5.0}
            )
        self.three.invalidate_recordset()
        self.assertEqual(self.three.min_hours, 100.0)

    def test_overlap_message_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "timebank_exchange")]
        )._update_translations(["zh_CN"])
        three = self.three.with_user(self.district_admin).with_context(lang="zh_CN")
        with self.assertRaisesText(ValidationError, "星级门槛必须随星级升高"):
            three.min_hours = 40.0

    def test_rights(self):
        with self.assertRaises(AccessError):
            self.one.with_user(self.supervisor_a).min_hours = 1.0
        # an operator reads the levels
        self.assertEqual(self.one.with_user(self.operator_a).min_hours, 10.0)

    def test_operator_sees_stars_in_scope_only(self):
        for _i in range(2):
            self._serve(self.vol_a, 5, self.pipe, self.operator_a)
            self._serve(self.vol_b, 5, self.pipe, self.operator_vb, self.rec_b)
        Volunteer = self.env["timebank.volunteer"].with_user(self.operator_a)
        starred = Volunteer.search([("stars", "=", "1")])
        self.assertIn(self.vol_a, starred)
        self.assertNotIn(self.vol_b, starred)
        groups = Volunteer._read_group([("stars", "!=", "0")], ["stars"], ["__count"])
        self.assertEqual(groups, [("1", 1)])
        self.assertEqual(self.vol_a.with_user(self.operator_a).stars, "1")
        with self.assertRaises(AccessError):
            self.vol_b.with_user(self.operator_a).read(["stars", "lifetime_hours"])
