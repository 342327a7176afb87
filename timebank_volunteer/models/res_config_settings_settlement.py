# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .timebank_settlement_run import DEFAULT_GOODS_RATIO

RELATION_FIELDS = {
    "timebank_beneficiary_spouse": "spouse",
    "timebank_beneficiary_parent": "parent",
    "timebank_beneficiary_parent_in_law": "parent_in_law",
    "timebank_beneficiary_child": "child",
    "timebank_beneficiary_sibling": "sibling",
    "timebank_beneficiary_other": "other",
}


# settlement settings live apart from the service limits (parallel branches)
class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    timebank_settlement_cadence = fields.Selection(
        [("half_year", "Every Half-year"), ("year", "Every Year")],
        string="Settlement Cadence",
        config_parameter="timebank_volunteer.settlement_cadence",
        default="half_year",
    )
    timebank_settlement_goods_ratio = fields.Float(
        string="Goods-exchangeable Share (%)",
        digits=(5, 2),
        default=DEFAULT_GOODS_RATIO,
        help="Share of the settled hours that may be exchanged for goods; the "
        "rest is stored as service reserve. It cannot change once a period has "
        "been settled.",
    )
    timebank_beneficiary_spouse = fields.Boolean(string="Spouse")
    timebank_beneficiary_parent = fields.Boolean(string="Parents")
    timebank_beneficiary_parent_in_law = fields.Boolean(string="Parents-in-law")
    timebank_beneficiary_child = fields.Boolean(string="Children")
    timebank_beneficiary_sibling = fields.Boolean(string="Siblings")
    timebank_beneficiary_other = fields.Boolean(string="Other Relatives")

    @api.constrains("timebank_settlement_goods_ratio")
    def _check_timebank_goods_ratio(self):
        for settings in self:
            if not 0 <= settings.timebank_settlement_goods_ratio <= 100:
                raise ValidationError(
                    self.env._(
                        "The goods-exchangeable share is a percentage between 0 "
                        "and 100."
                    )
                )

    @api.model
    def get_values(self):
        res = super().get_values()
        params = self.env["ir.config_parameter"].sudo()  # configuration values
        res["timebank_settlement_goods_ratio"] = float(
            params.get_param(
                "timebank_volunteer.settlement_goods_ratio", DEFAULT_GOODS_RATIO
            )
        )
        allowed = self.env["timebank.beneficiary"]._get_allowed_relations()
        for fname, code in RELATION_FIELDS.items():
            res[fname] = code in allowed
        return res

    def set_values(self):
        result = super().set_values()
        params = self.env["ir.config_parameter"].sudo()  # configuration values
        current = float(
            params.get_param(
                "timebank_volunteer.settlement_goods_ratio", DEFAULT_GOODS_RATIO
            )
        )
        ratio = self.timebank_settlement_goods_ratio
        if float_compare(ratio, current, precision_digits=2):
            settled = (
                self.env["timebank.settlement.run"]
                .sudo()  # any settled run in the district forbids the change
                .search_count([("state", "in", ("running", "done"))], limit=1)
            )
            if settled:
                raise UserError(
                    self.env._(
                        "The goods-exchangeable share cannot change from "
                        "%(old).2f%% to %(new).2f%%: a period has already been "
                        "settled with it.",
                        old=current,
                        new=ratio,
                    )
                )
            params.set_param("timebank_volunteer.settlement_goods_ratio", ratio)
        relations = [code for fname, code in RELATION_FIELDS.items() if self[fname]]
        if ",".join(relations) != ",".join(
            self.env["timebank.beneficiary"]._get_allowed_relations()
        ):
            params.set_param(
                "timebank_volunteer.beneficiary_relations",
                ",".join(relations) or " ",
            )
        return result
