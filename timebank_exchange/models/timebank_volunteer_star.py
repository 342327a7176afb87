# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import float_compare, float_round

from .timebank_star_level import STARS

# ledger kinds that count for the star rating: deposits of confirmed services
# and the reversals that cancel them; settlement lines only move hours between
# buckets, redemptions and withdrawals spend hours already earned
STAR_KINDS = ("deposit", "reversal")
STAR_SOURCE = "timebank.service.record"


class TimebankVolunteer(models.Model):
    _inherit = "timebank.volunteer"

    lifetime_hours = fields.Float(
        string="Lifetime Weighted Hours",
        digits=(16, 2),
        readonly=True,
        copy=False,
        aggregator="sum",
        help="Weighted hours of all confirmed services, minus the cancelled "
        "ones: what the star rating is based on. Spending hours on goods or "
        "services does not lower it.",
    )
    star_level_id = fields.Many2one(
        "timebank.star.level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    stars = fields.Selection(
        STARS, string="Star Rating", default="0", readonly=True, copy=False, index=True
    )

    def _compute_lifetime_hours(self):
        """Lifetime weighted hours per volunteer, one ``_read_group`` query.

        Sum of the volunteer's ledger lines of kind ``deposit`` or ``reversal``
        whose source is a service record: what confirmed services deposited,
        less what cancelled services took back. Settlement lines (moves between
        buckets), redemptions and withdrawals (spending) and manual adjustments
        are not service and do not count.
        """
        # sudo: the lines are only summed; the volunteer's services may have
        # been recorded in a node the current user does not see
        groups = (
            self.env["timebank.ledger.line"]
            .sudo()
            ._read_group(
                [
                    ("volunteer_id", "in", self.ids),
                    ("kind", "in", STAR_KINDS),
                    ("res_model", "=", STAR_SOURCE),
                ],
                ["volunteer_id"],
                ["hours:sum"],
            )
        )
        hours = {volunteer.id: total for volunteer, total in groups}
        return {
            volunteer.id: float_round(hours.get(volunteer.id, 0.0), 2)
            for volunteer in self
        }

    def _recompute_stars(self):
        """Store the lifetime hours and star level of these volunteers.

        Called after every posting of service hours and after every change
        of the thresholds; writes only the volunteers whose figures changed,
        one ``write`` per (hours, level) pair.
        """
        if not self:
            return
        hours = self._compute_lifetime_hours()
        StarLevel = self.env["timebank.star.level"].sudo()
        levels = StarLevel.search([], order="min_hours desc")
        changes = defaultdict(list)
        for volunteer in self.sudo().with_context(active_test=False):
            total = hours[volunteer.id]
            level = StarLevel._level_for_hours(levels, total)
            if (
                float_compare(volunteer.lifetime_hours, total, 2)
                or volunteer.star_level_id != level
                or volunteer.stars != (level.stars or "0")
            ):
                changes[total, level.id, level.stars or "0"].append(volunteer.id)
        Volunteer = (
            self.env["timebank.volunteer"]
            .sudo()  # derived figures, the posting itself was checked by its caller
            .with_context(active_test=False, tracking_disable=True)
        )
        for (total, level_id, stars), ids in changes.items():
            Volunteer.browse(ids).write(
                {"lifetime_hours": total, "star_level_id": level_id, "stars": stars}
            )

    # ------------------------------------------------------------------
    # Passbook statement and service certificate (QWeb PDF)
    # ------------------------------------------------------------------

    def action_print_statement(self):
        return self.env.ref(
            "timebank_exchange.action_report_volunteer_statement"
        ).report_action(self)

    def action_open_certificate_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Service Certificate"),
            "res_model": "timebank.certificate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_volunteer_ids": self.ids},
        }

    def _get_statement_lines(self):
        """Passbook lines of the volunteer, oldest first, with running balances.

        Read with the current user's rights (the ledger lines follow the
        account's node).
        """
        self.ensure_one()
        lines = self.account_id.line_ids.sorted("sequence")
        kinds = dict(lines._fields["kind"]._description_selection(self.env))
        buckets = dict(lines._fields["bucket"]._description_selection(self.env))
        models_names = {
            model: self.env["ir.model"]._get(model).name
            for model in set(lines.mapped("res_model"))
        }
        return [
            {
                "sequence": line.sequence,
                "date": line.date,
                "source": models_names.get(line.res_model) or line.res_model,
                "name": line.name or "",
                "kind": kinds.get(line.kind, line.kind),
                "bucket": buckets.get(line.bucket, line.bucket),
                "hours": line.hours,
                "bucket_balance": line.running_bucket_balance,
                "balance": line.running_balance,
            }
            for line in lines
        ]

    def _get_certificate_figures(self, date_from, date_to):
        """Confirmed services of the volunteer started in the period, by category.

        Days are the user's days (time zone of the user, Asia/Shanghai by
        default). Read as superuser after the access check on the volunteer:
        the volunteer's services may have been recorded by another node, and
        the certificate must count all of them.
        """
        self.ensure_one()
        self.check_access("read")
        tz = pytz.timezone(
            self.env.context.get("tz") or self.env.user.tz or "Asia/Shanghai"
        )

        def utc(day):
            moment = tz.localize(datetime.combine(day, time.min))
            return moment.astimezone(pytz.utc).replace(tzinfo=None)

        Record = self.env["timebank.service.record"].sudo()
        groups = Record._read_group(
            [
                ("volunteer_id", "=", self.id),
                ("state", "=", "confirmed"),
                ("date_start", ">=", utc(date_from)),
                ("date_start", "<", utc(date_to + timedelta(days=1))),
            ],
            ["category_id"],
            ["__count", "duration:sum", "weighted_hours:sum"],
        )
        rows = [
            {
                "category": category.with_env(self.env).name,
                "coefficient": category.coefficient,
                "count": count,
                "duration": duration,
                "weighted_hours": weighted,
            }
            for category, count, duration, weighted in sorted(
                groups, key=lambda group: (group[0].sequence, group[0].id)
            )
        ]
        return {
            "rows": rows,
            "count": sum(row["count"] for row in rows),
            "duration": sum(row["duration"] for row in rows),
            "weighted_hours": sum(row["weighted_hours"] for row in rows),
        }


class TimebankAccount(models.Model):
    _inherit = "timebank.account"

    @api.model
    def _post_lines(self, vals_list):
        lines = super()._post_lines(vals_list)
        starred = {
            vals["account_id"]
            for vals in vals_list
            if vals.get("kind") in STAR_KINDS and vals.get("res_model") == STAR_SOURCE
        }
        if lines and starred:
            # sudo: reading which volunteer owns the accounts just posted to
            accounts = self.sudo().browse(sorted(starred))
            accounts.volunteer_id._recompute_stars()
        return lines
