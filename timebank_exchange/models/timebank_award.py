# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

VOLUNTEER_AWARDS = ("volunteer",)
NODE_KINDS = {"organisation": "village", "participation": "social"}
AWARD_TYPES = [
    ("organisation", "Excellent Grassroots Organisation"),
    ("participation", "Public Welfare Organisation Participation"),
    ("volunteer", "Excellent Volunteer"),
]


class TimebankAward(models.Model):
    """An award of the yearly commendation (年度表彰), R12."""

    _name = "timebank.award"
    _description = "Time Bank Award"
    _order = "year desc, award_type, rank, id"

    year = fields.Integer(required=True, index=True, readonly=True, aggregator=False)
    award_type = fields.Selection(
        AWARD_TYPES,
        required=True,
        index=True,
        readonly=True,
    )
    volunteer_id = fields.Many2one(
        "timebank.volunteer",
        string="Awarded Volunteer",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
    )
    node_id = fields.Many2one(
        "timebank.node",
        string="Organisation",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
    )
    awardee = fields.Char(compute="_compute_awardee")
    area_node_id = fields.Many2one(
        "timebank.node",
        string="Area",
        compute="_compute_area_node_id",
        store=True,
        index=True,
        help="The awarded organisation, or the node of the awarded volunteer "
        "when the award was made.",
    )
    rank = fields.Integer(readonly=True, aggregator=False)
    weighted_hours = fields.Float(digits=(16, 2), readonly=True)
    recipient_count = fields.Integer(string="Recipients Reached", readonly=True)
    avg_score = fields.Float(
        string="Average Satisfaction", digits=(16, 2), readonly=True, aggregator="avg"
    )
    followup_count = fields.Integer(string="Follow-ups", readonly=True)
    state = fields.Selection(
        [("draft", "Proposed"), ("awarded", "Awarded")],
        string="Award Status",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    date_awarded = fields.Date(readonly=True, copy=False)

    _sql_constraints = [
        (
            "volunteer_year_uniq",
            "unique(year, award_type, volunteer_id)",
            "A volunteer receives an award of a type once a year.",
        ),
        (
            "node_year_uniq",
            "unique(year, award_type, node_id)",
            "An organisation receives an award of a type once a year.",
        ),
    ]

    @api.depends("volunteer_id", "node_id")
    def _compute_awardee(self):
        for award in self:
            award.awardee = (award.volunteer_id or award.node_id).display_name

    # the node at the time of the award: not recomputed when a volunteer moves
    @api.depends("volunteer_id", "node_id")
    def _compute_area_node_id(self):
        for award in self:
            award.area_node_id = award.node_id or award.volunteer_id.node_id

    @api.depends("year", "award_type", "awardee")
    def _compute_display_name(self):
        types = dict(self._fields["award_type"]._description_selection(self.env))
        for award in self:
            award.display_name = f"{award.year} {types.get(award.award_type, '')}"
            if award.awardee:
                award.display_name += f" - {award.awardee}"

    @api.constrains("award_type", "volunteer_id", "node_id")
    def _check_awardee(self):
        for award in self:
            if award.award_type in VOLUNTEER_AWARDS:
                if not award.volunteer_id or award.node_id:
                    raise ValidationError(
                        self.env._("An excellent volunteer award goes to a volunteer.")
                    )
                if award.volunteer_id.state != "active":
                    raise ValidationError(
                        self.env._(
                            "%(volunteer)s is not an active volunteer (%(state)s) "
                            "and cannot be awarded.",
                            volunteer=award.volunteer_id.display_name,
                            state=dict(
                                award.volunteer_id._fields[
                                    "state"
                                ]._description_selection(self.env)
                            )[award.volunteer_id.state],
                        )
                    )
            elif (
                not award.node_id
                or award.volunteer_id
                or award.node_id.kind != NODE_KINDS[award.award_type]
            ):
                raise ValidationError(
                    self.env._(
                        "An organisation award goes to a sub-branch of the right "
                        "kind: village or community for the excellent grassroots "
                        "organisation award, social organisation for the "
                        "participation award."
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_awarded(self):
        if any(award.state == "awarded" for award in self):
            raise UserError(
                self.env._("An award that was conferred cannot be deleted.")
            )

    def action_award(self):
        if any(award.state != "draft" for award in self):
            raise UserError(self.env._("Only draft awards can be conferred."))
        # re-check the volunteers: one may have been suspended since the proposal
        self._check_awardee()
        self.write(
            {"state": "awarded", "date_awarded": fields.Date.context_today(self)}
        )

    def action_print_certificate(self):
        return self.env.ref(
            "timebank_exchange.action_report_timebank_award_certificate"
        ).report_action(self)
