# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

import pytz

from odoo import fields, models

WEEKEND = (5, 6)


class TimebankVolunteer(models.Model):
    # kept apart from the other inheritances so that parallel work merges
    _inherit = "timebank.volunteer"  # pylint: disable=consider-merging-classes-inherited

    request_ids = fields.One2many(
        "timebank.service.request", "volunteer_id", string="Service Requests"
    )
    open_request_count = fields.Integer(
        string="Open Assignments", compute="_compute_dispatch_figures"
    )
    followup_rating = fields.Float(
        string="Satisfaction",
        compute="_compute_dispatch_figures",
        digits=(16, 1),
        help="Average follow-up score (1-5) of the services of the volunteer.",
    )

    def _compute_dispatch_figures(self):
        Request = self.env["timebank.service.request"]
        counts = {
            volunteer.id: count
            for volunteer, count in Request._read_group(
                [
                    ("volunteer_id", "in", self.ids),
                    ("state", "in", ("assigned", "accepted")),
                ],
                ["volunteer_id"],
                ["__count"],
            )
        }
        ratings = self._get_followup_ratings(self)
        for volunteer in self:
            volunteer.open_request_count = counts.get(volunteer.id, 0)
            volunteer.followup_rating = ratings.get(volunteer.id, 0.0)

    def _get_followup_ratings(self, volunteers):
        """{volunteer id: average score of the done follow-ups} in one query."""
        # sudo: follow-ups may have been made by another node; only averages
        # are read
        groups = (
            self.env["timebank.followup"]
            .sudo()
            ._read_group(
                [
                    ("volunteer_id", "in", volunteers.ids),
                    ("state", "=", "done"),
                    ("score", ">", 0),
                ],
                ["volunteer_id"],
                ["score:avg"],
            )
        )
        return {volunteer.id: avg for volunteer, avg in groups}

    def _is_available(self, date_start, date_end):
        """Whether the stated availability covers a day of the window."""
        self.ensure_one()
        if self.availability in (False, "anytime", "on_call"):
            return True
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        day = pytz.utc.localize(date_start).astimezone(tz).date()
        last = pytz.utc.localize(date_end).astimezone(tz).date()
        for _i in range(7):
            weekend = day.weekday() in WEEKEND
            if weekend == (self.availability == "weekends"):
                return True
            if day >= last:
                break
            day += timedelta(days=1)
        return False

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_service_request_action"
        )
        action["domain"] = [("volunteer_id", "=", self.id)]
        action["context"] = {}
        return action
