# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime, timedelta

from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

# a day well in the past (services cannot be in the future)
DAY = datetime(2026, 3, 2, 1, 0, 0)


class TimebankLedgerCase(TransactionCase):
    """Shared data: a small tree, one user per role, people, and helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("timebank_volunteer.max_hours_per_record", 8)
        params.set_param("timebank_volunteer.max_hours_per_day", 12)
        params.set_param("timebank_volunteer.storage_cap", 1500)
        Node = cls.env["timebank.node"]
        cls.district = Node.create({"name": "D", "code": "LD", "kind": "district"})
        cls.town = Node.create(
            {"name": "T", "code": "LT", "kind": "town", "parent_id": cls.district.id}
        )
        cls.village1, cls.village2 = Node.create(
            [
                {
                    "name": "V1",
                    "code": "LV1",
                    "kind": "village",
                    "parent_id": cls.town.id,
                },
                {
                    "name": "V2",
                    "code": "LV2",
                    "kind": "village",
                    "parent_id": cls.town.id,
                },
            ]
        )
        cls.station1 = Node.create(
            {
                "name": "S1",
                "code": "LS1",
                "kind": "station",
                "parent_id": cls.village1.id,
            }
        )
        group = "timebank_volunteer.group_timebank_"

        def user(login, groups, node):
            new = new_test_user(cls.env, login=login, groups=groups)
            new.timebank_node_ids = node
            return new

        cls.operator1 = user("tb_op1", group + "operator", cls.village1)
        cls.operator2 = user("tb_op2", group + "operator", cls.village2)
        cls.supervisor = user("tb_sup", group + "supervisor", cls.town)
        cls.auditor = user("tb_aud", group + "auditor", cls.village1)
        cls.tb_admin = user("tb_adm", group + "admin", cls.district)

        Partner = cls.env["res.partner"]
        Volunteer = cls.env["timebank.volunteer"]
        cls.volunteer1, cls.volunteer2, cls.volunteer3 = Volunteer.create(
            [
                {
                    "partner_id": Partner.create({"name": name}).id,
                    "node_id": node.id,
                    "state": "active",
                }
                for name, node in (
                    ("Li Wei", cls.village1),
                    ("Wang Fang", cls.village1),
                    ("Zhang Min", cls.village2),
                )
            ]
        )
        cls.recipient1, cls.recipient2 = cls.env["timebank.recipient"].create(
            [
                {
                    "partner_id": Partner.create({"name": name}).id,
                    "node_id": node.id,
                }
                for name, node in (
                    ("Grandma Zhao", cls.village1),
                    ("Grandpa Sun", cls.village2),
                )
            ]
        )
        ref = cls.env.ref
        cls.ordinary = ref("timebank_volunteer.service_category_ordinary")
        cls.technical = ref("timebank_volunteer.service_category_technical")
        cls.professional = ref("timebank_volunteer.service_category_professional")
        cls.meal = ref("timebank_volunteer.service_type_meal_delivery")
        cls.pipe = ref("timebank_volunteer.service_type_pipe_dredging")
        cls.counselling = ref(
            "timebank_volunteer.service_type_psychological_counselling"
        )

    def _record(
        self,
        hours=2.0,
        start=DAY,
        volunteer=None,
        recipient=None,
        stype=None,
        user=None,
        **values,
    ):
        """Create a draft service record as an operator of village 1."""
        vals = {
            "volunteer_id": (volunteer or self.volunteer1).id,
            "recipient_id": (recipient or self.recipient1).id,
            "service_type_id": (stype or self.meal).id,
            "date_start": start,
            "date_end": start + timedelta(hours=hours),
        }
        vals.update(values)
        Record = self.env["timebank.service.record"].with_user(user or self.operator1)
        return Record.create(vals)

    def _confirmed(self, *args, **kwargs):
        record = self._record(*args, **kwargs)
        record.action_submit()
        record.action_confirm()
        return record

    def _lines(self, records):
        return self.env["timebank.ledger.line"].search(
            [
                ("res_model", "=", "timebank.service.record"),
                ("res_id", "in", records.ids),
            ]
        )

    def assertBalanceIsSumOfLines(self, account):
        account.invalidate_recordset()
        groups = dict(
            self.env["timebank.ledger.line"]._read_group(
                [("account_id", "=", account.id)], ["bucket"], ["hours:sum"]
            )
        )
        self.assertAlmostEqual(account.balance_unsettled, groups.get("unsettled", 0.0))
        self.assertAlmostEqual(account.balance_goods, groups.get("goods", 0.0))
        self.assertAlmostEqual(account.balance_reserve, groups.get("reserve", 0.0))
