# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import new_test_user

from .common_finance import TimebankFinanceCase

# a day well in the past (services cannot be in the future)
DAY = datetime(2026, 3, 2, 1, 0, 0)


class TimebankStarCase(TimebankFinanceCase):
    """A village under each town, an operator of each village, a supervisor
    of town A, volunteers and recipients, and a helper that records and
    confirms services as an operator (the real deposit path)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("timebank_volunteer.max_hours_per_record", 8)
        params.set_param("timebank_volunteer.max_hours_per_day", 12)
        params.set_param("timebank_volunteer.storage_cap", 1500)
        Node = cls.env["timebank.node"]
        cls.village_a, cls.village_b = Node.create(
            [
                {
                    "name": "Village A",
                    "code": "TXD-A1",
                    "kind": "village",
                    "parent_id": cls.town_a.id,
                },
                {
                    "name": "Village B",
                    "code": "TXD-B1",
                    "kind": "village",
                    "parent_id": cls.town_b.id,
                },
            ]
        )
        operator = "timebank_volunteer.group_timebank_operator"
        cls.operator_a = new_test_user(
            cls.env,
            "tb_star_operator_a",
            groups=operator,
            timebank_node_ids=[Command.set(cls.village_a.ids)],
        )
        cls.operator_vb = new_test_user(
            cls.env,
            "tb_star_operator_b",
            groups=operator,
            timebank_node_ids=[Command.set(cls.village_b.ids)],
        )
        cls.supervisor_a = new_test_user(
            cls.env,
            "tb_star_supervisor_a",
            groups="timebank_volunteer.group_timebank_supervisor",
            timebank_node_ids=[Command.set(cls.town_a.ids)],
        )
        Partner = cls.env["res.partner"]
        cls.vol_a, cls.vol_b = cls.env["timebank.volunteer"].create(
            [
                {
                    "partner_id": Partner.create({"name": name}).id,
                    "node_id": node.id,
                    "state": "active",
                }
                for name, node in (("王小明", cls.village_a), ("李芳", cls.village_b))
            ]
        )
        cls.rec_a, cls.rec_b = cls.env["timebank.recipient"].create(
            [
                {"partner_id": Partner.create({"name": name}).id, "node_id": node.id}
                for name, node in (("赵奶奶", cls.village_a), ("孙爷爷", cls.village_b))
            ]
        )
        cls.meal = cls.env.ref("timebank_volunteer.service_type_meal_delivery")
        cls.pipe = cls.env.ref("timebank_volunteer.service_type_pipe_dredging")
        cls._day = 0

    @classmethod
    def _serve(cls, volunteer, hours, stype, user, recipient=None):
        """Record ``hours`` of ``stype`` as ``user``, submit and confirm them
        (deposit); each service on its own day."""
        cls._day += 1
        start = DAY + timedelta(days=cls._day)
        record = (
            cls.env["timebank.service.record"]
            .with_user(user)
            .create(
                {
                    "volunteer_id": volunteer.id,
                    "recipient_id": (recipient or cls.rec_a).id,
                    "service_type_id": stype.id,
                    "date_start": start,
                    "date_end": start + timedelta(hours=hours),
                }
            )
        )
        record.action_submit()
        record.action_confirm()
        return record

    @classmethod
    def _move(cls, volunteer, moves, res_id, kind="settlement"):
        """Post lines as a settlement (or a redemption) would: ``moves`` maps
        buckets to signed hours."""
        cls.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": volunteer.account_id.id,
                    "hours": hours,
                    "bucket": bucket,
                    "kind": kind,
                    "res_model": "timebank.test.settlement",
                    "res_id": res_id,
                }
                for bucket, hours in moves.items()
            ]
        )
