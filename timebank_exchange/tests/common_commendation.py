# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime, timedelta

from odoo.addons.timebank_volunteer.tests.common import TimebankCommon


class TimebankCommendationCase(TimebankCommon):
    """A year (2025) of confirmed services with satisfaction follow-ups:

    ======== ====== ============================== ========== =========
    volunteer node   services (weighted hours)      recipients scores
    ======== ====== ============================== ========== =========
    Wang     V2     meal 7h (7)                    r3         5
    Li       V1     meal 3h (3), pipe 2h (4)       r1, r2     4, 4
    Zhou     SO2    meal 3h (3)                    r6         5
    Chen     SO     counselling 1h (3)             r4         3
    Zhao     V3     meal 5h + 5h (10), suspended   r5         2, 2
    ======== ====== ============================== ========== =========

    plus Chen's 6h of 2024 and a draft record of Li's, which do not count.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        ref = cls.env.ref
        cls.meal = ref("timebank_volunteer.service_type_meal_delivery")
        cls.pipe = ref("timebank_volunteer.service_type_pipe_dredging")
        cls.counselling = ref(
            "timebank_volunteer.service_type_psychological_counselling"
        )
        cls.social2 = cls.env["timebank.node"].create(
            {
                "name": "Elderly Care Association",
                "code": "SO2",
                "kind": "social",
                "parent_id": cls.town2.id,
            }
        )
        cls.vol_li = cls._create_volunteer(cls.village1, name="李明", state="active")
        cls.vol_wang = cls._create_volunteer(cls.village2, name="王芳", state="active")
        cls.vol_chen = cls._create_volunteer(cls.social, name="陈静", state="active")
        cls.vol_zhao = cls._create_volunteer(cls.village3, name="赵强", state="active")
        cls.vol_zhou = cls._create_volunteer(cls.social2, name="周丽", state="active")
        cls.r1 = cls._create_recipient(
            cls.village1, priority_group_ids=[(6, 0, cls.priority_dibao.ids)]
        )
        cls.r2 = cls._create_recipient(
            cls.village1, priority_group_ids=[(6, 0, cls.priority_disabled.ids)]
        )
        cls.r3 = cls._create_recipient(
            cls.village2, priority_group_ids=[(6, 0, cls.priority_dibao.ids)]
        )
        cls.r4 = cls._create_recipient(cls.social)
        cls.r5 = cls._create_recipient(cls.village3)
        cls.r6 = cls._create_recipient(cls.social2)
        day = datetime(2025, 3, 3, 8, 0)
        cls._service(cls.vol_li, cls.r1, cls.meal, day, 3, score=4)
        cls._service(cls.vol_li, cls.r2, cls.pipe, day + timedelta(days=1), 2, score=4)
        cls._service(cls.vol_wang, cls.r3, cls.meal, day, 7, score=5)
        cls._service(cls.vol_chen, cls.r4, cls.counselling, day, 1, score=3)
        cls._service(cls.vol_zhao, cls.r5, cls.meal, day, 5, score=2)
        cls._service(
            cls.vol_zhao, cls.r5, cls.meal, day + timedelta(days=1), 5, score=2
        )
        cls._service(cls.vol_zhou, cls.r6, cls.meal, day, 3, score=5)
        cls._service(cls.vol_chen, cls.r4, cls.meal, datetime(2024, 6, 3, 8), 6)
        cls._service(
            cls.vol_li, cls.r1, cls.meal, day + timedelta(days=7), 5, confirm=False
        )
        cls.vol_zhao.state = "suspended"

    @classmethod
    def _service(cls, volunteer, recipient, stype, start, hours, score=0, confirm=True):
        record = cls.env["timebank.service.record"].create(
            {
                "volunteer_id": volunteer.id,
                "recipient_id": recipient.id,
                "service_type_id": stype.id,
                "date_start": start,
                "date_end": start + timedelta(hours=hours),
            }
        )
        if confirm:
            record.action_submit()
            record.action_confirm()
            # follow-ups come from the background job started by confirming
            cls.env["timebank.service.record"]._cron_schedule_followups()
        if score:
            record.followup_ids.write(
                {"reached": "reached", "score": score, "state": "done"}
            )
        return record

    @classmethod
    def _commendation(cls, user=None, **vals):
        return (
            cls.env["timebank.commendation.wizard"]
            .with_user(user or cls.admin)
            .create(
                {"year": 2025, "district_id": cls.district.id, "top_count": 3, **vals}
            )
        )
