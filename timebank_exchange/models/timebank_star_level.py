# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

STARS = [
    ("0", "No Star"),
    ("1", "One Star"),
    ("2", "Two Stars"),
    ("3", "Three Stars"),
    ("4", "Four Stars"),
    ("5", "Five Stars"),
]


class TimebankStarLevel(models.Model):
    """A star rating level (星级评定, R12) and its threshold.

    A volunteer holds the highest level whose ``min_hours`` is reached by the
    volunteer's lifetime weighted hours (see
    ``timebank.volunteer._compute_lifetime_hours``). A level covers the hours
    from its threshold up to the next level's threshold, so thresholds must
    rise strictly with the stars: ranges never overlap. Changing, adding or
    removing a level recomputes the stars of every volunteer.
    """

    _name = "timebank.star.level"
    _description = "Volunteer Star Level"
    _order = "stars"

    name = fields.Char(string="Star Level Name", required=True, translate=True)
    stars = fields.Selection(STARS[1:], required=True)
    min_hours = fields.Float(
        string="Minimum Lifetime Hours",
        digits=(16, 2),
        required=True,
        help="Lifetime weighted hours (deposits of confirmed services minus their "
        "cancellations) a volunteer needs to reach this level.",
    )
    volunteer_count = fields.Integer(compute="_compute_volunteer_count")

    _sql_constraints = [
        ("stars_uniq", "unique(stars)", "There is one level per number of stars."),
        (
            "min_hours_positive",
            "CHECK(min_hours > 0)",
            "The threshold of a star level must be above zero hours.",
        ),
    ]

    def _compute_volunteer_count(self):
        counts = dict(
            self.env["timebank.volunteer"]._read_group(
                [("star_level_id", "in", self.ids)], ["star_level_id"], ["__count"]
            )
        )
        for level in self:
            level.volunteer_count = counts.get(level, 0)

    @api.constrains("stars", "min_hours")
    def _check_thresholds(self):
        levels = self.search([]).sorted(lambda level: int(level.stars))
        for lower, higher in zip(levels, levels[1:], strict=False):
            if float_compare(lower.min_hours, higher.min_hours, 2) >= 0:
                raise ValidationError(
                    self.env._(
                        "Star thresholds must rise with the stars, without "
                        "overlapping: %(higher)s needs %(higher_hours).2f hours, "
                        "not more than %(lower)s (%(lower_hours).2f hours).",
                        higher=higher.name,
                        higher_hours=higher.min_hours,
                        lower=lower.name,
                        lower_hours=lower.min_hours,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        self._recompute_all_stars()
        return levels

    def write(self, vals):
        result = super().write(vals)
        if {"stars", "min_hours"} & vals.keys():
            self._recompute_all_stars()
        return result

    def unlink(self):
        result = super().unlink()
        self._recompute_all_stars()
        return result

    @api.model
    def _recompute_all_stars(self):
        # sudo: thresholds changed, every volunteer's star must follow, also
        # those outside the administrator's nodes; nothing is returned
        volunteers = (
            self.env["timebank.volunteer"]
            .sudo()
            .with_context(active_test=False)
            .search([])
        )
        volunteers._recompute_stars()

    @api.model
    def _level_for_hours(self, levels, hours):
        """The highest of ``levels`` (sorted by threshold, descending) reached."""
        for level in levels:
            if float_compare(hours, level.min_hours, 2) >= 0:
                return level
        return levels.browse()
