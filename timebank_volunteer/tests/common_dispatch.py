# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime, timedelta

from odoo.tests import new_test_user

from .common import TimebankCommon

# a Monday morning well in the past (services cannot be recorded in advance)
MONDAY = datetime(2026, 3, 2, 1, 0, 0)
SATURDAY = datetime(2026, 3, 7, 1, 0, 0)


class TimebankDispatchCommon(TimebankCommon):
    """The tree of ``TimebankCommon`` plus the dispatch roles: a head-bank
    dispatcher (operator of the district node), an operator of the sibling
    village V2 and a supervisor of the other town T2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        group = "base.group_user,timebank_volunteer.group_timebank_"
        cls.dispatcher = new_test_user(
            cls.env, login="tb_dis_dispatcher", groups=group + "operator", tz="UTC"
        )
        cls.operator2 = new_test_user(
            cls.env, login="tb_dis_operator2", groups=group + "operator", tz="UTC"
        )
        cls.supervisor2 = new_test_user(
            cls.env, login="tb_dis_supervisor2", groups=group + "supervisor", tz="UTC"
        )
        cls.dispatcher.timebank_node_ids = cls.district
        cls.operator2.timebank_node_ids = cls.village2
        cls.supervisor2.timebank_node_ids = cls.town2
        (cls.operator | cls.supervisor | cls.admin | cls.auditor).tz = "UTC"
        cls.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.dispatch_overdue_hours", 4
        )
        ref = cls.env.ref
        cls.meal = ref("timebank_volunteer.service_type_meal_delivery")
        cls.rescue = ref("timebank_volunteer.service_type_emergency_rescue")
        cls.wish_meal = ref("timebank_volunteer.service_wish_meal")
        cls.wish_cleaning = ref("timebank_volunteer.service_wish_cleaning")
        cls.cooking = cls.env["timebank.skill"].create({"name": "Test cooking"})
        cls.meal.skill_ids = cls.cooking
        cls.recipient1 = cls._create_recipient(
            cls.village1, cls.station1, name="Grandma Zhao"
        )
        cls.recipient2 = cls._create_recipient(cls.village2, name="Grandpa Sun")
        cls.recipient3 = cls._create_recipient(cls.village3, name="Grandma Li")

    @classmethod
    def _volunteer(cls, node, station=None, wishes=None, skills=None, **vals):
        values = {
            "state": "active",
            "wish_ids": [(6, 0, (wishes or cls.env["timebank.service.wish"]).ids)],
            "skill_ids": [(6, 0, (skills or cls.env["timebank.skill"]).ids)],
        }
        values.update(vals)
        return cls._create_volunteer(node, station, **values)

    def _request(self, recipient=None, user=None, start=MONDAY, hours=2, **vals):
        values = {
            "recipient_id": (recipient or self.recipient1).id,
            "service_type_id": self.meal.id,
            "date_start": start,
            "date_end": start + timedelta(hours=hours),
        }
        values.update(vals)
        Request = self.env["timebank.service.request"].with_user(
            user or self.dispatcher
        )
        return Request.create(values)

    def _confirmed_record(self, volunteer, recipient, start, hours=1.0):
        record = self.env["timebank.service.record"].create(
            {
                "volunteer_id": volunteer.id,
                "recipient_id": recipient.id,
                "service_type_id": self.meal.id,
                "date_start": start,
                "date_end": start + timedelta(hours=hours),
            }
        )
        record.action_submit()
        record.action_confirm()
        # the follow-up is created by the background job started by confirming
        self.env["timebank.service.record"]._cron_schedule_followups()
        return record
