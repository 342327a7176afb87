# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common_dispatch import MONDAY, SATURDAY, TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestDispatch(TimebankDispatchCommon):
    # ------------------------------------------------------------------
    # priority
    # ------------------------------------------------------------------

    def test_priority_ordering(self):
        now = fields.Datetime.now()
        plain = self._create_recipient(self.village1, name="Plain")
        one_group = self._create_recipient(
            self.village1, name="One group", priority_group_ids=self.priority_dibao.ids
        )
        two_groups = self._create_recipient(
            self.village1,
            name="Two groups",
            priority_group_ids=(self.priority_dibao | self.priority_disabled).ids,
        )
        # created in the reverse of the expected order, oldest last
        normal = self._request(plain, date_request=now - timedelta(hours=1))
        normal_older = self._request(plain, date_request=now - timedelta(hours=2))
        grouped = self._request(one_group, date_request=now - timedelta(hours=3))
        grouped_twice = self._request(two_groups, date_request=now - timedelta(hours=4))
        urgent = self._request(
            plain, urgency="urgent", date_request=now - timedelta(hours=5)
        )
        rescue = self._request(
            plain, service_type_id=self.rescue.id, date_request=now - timedelta(hours=6)
        )
        emergency = self._request(
            one_group, urgency="emergency", date_request=now - timedelta(minutes=1)
        )
        requests = normal | normal_older | grouped | grouped_twice | urgent
        requests |= rescue | emergency
        self.assertTrue(rescue.is_emergency)
        self.assertTrue(emergency.is_emergency)
        self.assertFalse(urgent.is_emergency)
        self.assertEqual(
            (
                emergency.priority,
                rescue.priority,
                urgent.priority,
                grouped_twice.priority,
                grouped.priority,
                normal.priority,
            ),
            (1100, 1000, 200, 110, 100, 0),
        )
        queue = self.env["timebank.service.request"].search(
            [("id", "in", requests.ids)]
        )
        self.assertEqual(
            queue.ids,
            [
                emergency.id,
                rescue.id,
                urgent.id,
                grouped_twice.id,
                grouped.id,
                normal_older.id,
                normal.id,
            ],
        )
        # the priority follows the recipient's groups
        plain.priority_group_ids = self.priority_disabled
        self.assertEqual(normal.priority, 100)

    def test_node_defaults_from_recipient(self):
        request = Form(self.env["timebank.service.request"].with_user(self.dispatcher))
        request.recipient_id = self.recipient1
        request.service_type_id = self.meal
        request.date_start = MONDAY
        request.date_end = MONDAY + timedelta(hours=1)
        request = request.save()
        self.assertEqual(request.node_id, self.village1)
        self.assertEqual(request.station_id, self.station1)
        self.assertEqual(request.town_id, self.town1)
        self.assertEqual(request.channel, "hotline")
        self.assertEqual(request.state, "new")
        self.assertTrue(request.name.startswith("RQ"))

    # ------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------

    def _matching_set(self):
        near = self._volunteer(
            self.village1, self.station1, wishes=self.wish_meal, name="Near willing"
        )
        skilled = self._volunteer(
            self.village2,
            self.station2,
            wishes=self.wish_meal,
            skills=self.cooking,
            name="Skilled in next village",
        )
        unqualified = self._volunteer(
            self.village1, self.station1, wishes=self.wish_cleaning, name="Cleaner"
        )
        weekends = self._volunteer(
            self.village1,
            self.station1,
            wishes=self.wish_meal,
            availability="weekends",
            name="Weekends only",
        )
        inactive = self._volunteer(
            self.village1,
            self.station1,
            wishes=self.wish_meal,
            skills=self.cooking,
            state="reviewed",
            name="Not yet active",
        )
        far = self._volunteer(self.village3, wishes=self.wish_meal, name="Far")
        return near, skilled, unqualified, weekends, inactive, far

    def test_matching_rank_and_reasons(self):
        near, skilled, unqualified, weekends, inactive, far = self._matching_set()
        request = self._request()
        ranking = request._match_volunteers()[request.id]
        ranked = [volunteer for volunteer, _score, _reasons in ranking]
        # skill beats distance; availability counts; the unqualified and the
        # inactive are not suggested; the far volunteer comes after the town
        self.assertEqual(ranked, [skilled, near, far, weekends])
        self.assertNotIn(unqualified, ranked)
        self.assertNotIn(inactive, ranked)
        scores = {volunteer: score for volunteer, score, _reasons in ranking}
        reasons = {volunteer: "; ".join(r) for volunteer, _score, r in ranking}
        self.assertEqual(scores[skilled], 40 + 30 + 5 + 10)
        self.assertEqual(scores[near], 30 + 25 + 10)
        self.assertEqual(scores[weekends], 30 + 25 - 20)
        self.assertIn("skilled: Test cooking", reasons[skilled])
        self.assertIn("same town", reasons[skilled])
        self.assertIn("same station", reasons[near])
        self.assertIn("from another town", reasons[far])
        self.assertIn("usually not available", reasons[weekends])
        self.assertIn("not rated yet", reasons[near])
        # on a Saturday the weekend volunteer is available
        saturday = self._request(start=SATURDAY)
        ranking = dict((v, s) for v, s, _r in saturday._match_volunteers()[saturday.id])
        self.assertEqual(ranking[weekends], 30 + 25 + 10)

    def test_matching_spreads_load_and_counts_rating(self):
        near, skilled, *_rest = self._matching_set()
        request = self._request()
        # three open assignments for the skilled volunteer on other days
        others = self.env["timebank.service.request"].concat(
            *(self._request(start=MONDAY + timedelta(days=day)) for day in (1, 2, 3))
        )
        others.with_user(self.dispatcher).action_assign(skilled)
        ranking = request._match_volunteers()[request.id]
        scores = {v: s for v, s, _r in ranking}
        reasons = {v: "; ".join(r) for v, _s, r in ranking}
        self.assertEqual(scores[skilled], 85 - 30)
        self.assertIn("3 open assignment(s)", reasons[skilled])
        self.assertEqual(ranking[0][0], near, "the load is spread")
        # an overlapping assignment makes the volunteer busy
        overlapping = self._request(start=MONDAY + timedelta(hours=1))
        overlapping.with_user(self.dispatcher).action_assign(near)
        scores = {v: s for v, s, _r in request._match_volunteers()[request.id]}
        self.assertEqual(scores[near], 30 + 25 - 40 - 10)
        # a good rating lifts the score
        record = self._confirmed_record(skilled, self.recipient2, MONDAY)
        record.followup_ids.write({"reached": "reached", "score": 5})
        record.followup_ids.action_done()
        self.assertEqual(skilled.followup_rating, 5.0)
        ranking = request._match_volunteers()[request.id]
        scores = {v: s for v, s, _r in ranking}
        reasons = {v: "; ".join(r) for v, _s, r in ranking}
        self.assertEqual(scores[skilled], 85 - 30 + 10)
        self.assertIn("rated 5.0 / 5", reasons[skilled])

    def test_matching_constant_queries(self):
        request = self._request()

        def count():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            ranking = request._match_volunteers(limit=0)[request.id]
            return self.env.cr.sql_log_count - before, len(ranking)

        def volunteers(number):
            for index in range(number):
                self._volunteer(
                    (self.village1, self.village2, self.village3)[index % 3],
                    wishes=self.wish_meal,
                    skills=self.cooking if index % 2 else None,
                )

        volunteers(6)
        count()  # warm the caches
        small, found = count()
        self.assertEqual(found, 6)
        volunteers(60)
        large, found = count()
        self.assertEqual(found, 66)
        self.assertEqual(small, large)

    def test_wizard_assigns_in_one_click(self):
        near, skilled, *_rest = self._matching_set()
        request = self._request()
        action = request.with_user(self.dispatcher).action_open_dispatch_wizard()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.line_ids.mapped("volunteer_id")[:2], skilled | near)
        self.assertEqual(wizard.line_ids[0].volunteer_id, skilled)
        self.assertEqual(wizard.line_ids[0].rank, 1)
        self.assertEqual(wizard.line_ids[0].score, 85)
        self.assertIn("skilled", wizard.line_ids[0].reason)
        wizard.line_ids[0].with_user(self.dispatcher).action_assign()
        self.assertEqual(request.state, "assigned")
        self.assertEqual(request.volunteer_id, skilled)
        self.assertEqual(request.dispatcher_id, self.dispatcher)
        # the form of the wizard also suggests, and assigns someone else
        other = self._request(start=MONDAY + timedelta(days=1))
        wizard = Form(
            self.env["timebank.dispatch.wizard"]
            .with_user(self.dispatcher)
            .with_context(default_request_ids=other.ids)
        )
        wizard.volunteer_id = near
        wizard = wizard.save()
        self.assertEqual(wizard.line_ids[0].volunteer_id, skilled)
        wizard.action_assign_other()
        self.assertEqual(other.volunteer_id, near)

    def test_one_volunteer_offered_several_requests(self):
        near, *_rest = self._matching_set()
        requests = self._request() | self._request(start=MONDAY + timedelta(days=1))
        action = requests.with_user(self.dispatcher).action_open_dispatch_wizard()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.volunteer_id == near)
        line.action_assign()
        self.assertEqual(requests.mapped("state"), ["assigned", "assigned"])
        self.assertEqual(requests.volunteer_id, near)
        self.assertEqual(near.open_request_count, 2)

    # ------------------------------------------------------------------
    # the whole flow
    # ------------------------------------------------------------------

    def test_flow_request_to_followup(self):
        near, skilled, *_rest = self._matching_set()
        request = self._request(note="Rice and noodles")
        request.with_user(self.dispatcher).action_assign(skilled)
        self.assertTrue(request.date_assigned)
        request.with_user(self.dispatcher).action_accept()
        self.assertEqual(request.state, "accepted")
        request.with_user(self.dispatcher).write(
            {
                "service_start": MONDAY + timedelta(minutes=30),
                "service_end": MONDAY + timedelta(hours=2),
            }
        )
        request.with_user(self.dispatcher).action_done()
        self.assertEqual(request.state, "done")
        record = request.record_id
        self.assertEqual(record.state, "draft")
        self.assertEqual(record.request_id, request)
        self.assertEqual(
            (
                record.volunteer_id,
                record.recipient_id,
                record.service_type_id,
                record.node_id,
                record.station_id,
                record.date_start,
                record.date_end,
                record.note,
            ),
            (
                skilled,
                self.recipient1,
                self.meal,
                self.village2,
                self.station2,
                MONDAY + timedelta(minutes=30),
                MONDAY + timedelta(hours=2),
                "Rice and noodles",
            ),
        )
        self.assertAlmostEqual(record.duration, 1.5)
        # the town supervisor uploads and confirms: a follow-up is scheduled
        # for the dispatcher who handled the need
        record.with_user(self.supervisor).action_submit()
        self.assertFalse(record.followup_ids)
        record.with_user(self.supervisor).action_confirm()
        self.assertTrue(record.followup_due)
        self.assertFalse(record.followup_ids, "created by the background job")
        self.env["timebank.service.record"]._cron_schedule_followups()
        self.assertFalse(record.followup_due)
        followup = record.followup_ids
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.user_id, self.dispatcher)
        self.assertEqual(followup.recipient_id, self.recipient1)
        self.assertEqual(followup.volunteer_id, skilled)
        self.assertEqual(followup.node_id, self.village1)
        self.assertEqual(followup.activity_ids.user_id, self.dispatcher)
        self.assertAlmostEqual(skilled.balance_unsettled, 1.5)
        followup = followup.with_user(self.dispatcher)
        followup.write({"reached": "reached", "score": 4, "comment": "Kind"})
        followup.action_done()
        self.assertEqual(followup.state, "done")
        self.assertFalse(followup.activity_ids, "the to-do activity is done")
        self.assertEqual(skilled.followup_rating, 4.0)

    def test_decline_goes_back_to_dispatch(self):
        near, skilled, *_rest = self._matching_set()
        request = self._request()
        request.with_user(self.dispatcher).action_assign(skilled)
        request.with_user(self.dispatcher).action_decline("Away that day")
        self.assertEqual(request.state, "declined")
        self.assertFalse(request.volunteer_id)
        self.assertEqual(request.declined_volunteer_ids, skilled)
        ranked = [v for v, _s, _r in request._match_volunteers()[request.id]]
        self.assertNotIn(skilled, ranked)
        with self.assertRaisesRegex(ValidationError, "already declined"):
            request.with_user(self.dispatcher).action_assign(skilled)
        request.with_user(self.dispatcher).action_assign(near)
        self.assertEqual(request.state, "assigned")

    # ------------------------------------------------------------------
    # bad input
    # ------------------------------------------------------------------

    def test_bad_assignments(self):
        near, skilled, unqualified, weekends, inactive, far = self._matching_set()
        request = self._request()
        with self.assertRaisesRegex(ValidationError, "not an active volunteer"):
            request.with_user(self.dispatcher).action_assign(inactive)
        with self.assertRaisesRegex(ValidationError, "neither willing nor skilled"):
            request.with_user(self.dispatcher).action_assign(unqualified)
        # the village 1 operator may not dispatch a volunteer of village 2
        own = self._request(user=self.operator)
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            own.with_user(self.operator).action_assign(skilled)
        own.with_user(self.operator).action_assign(near)
        # nor see a request of another village
        other = self._request(self.recipient2)
        with self.assertRaises(AccessError):
            other.with_user(self.operator).action_assign(near)
        # nor create one there
        with self.assertRaisesRegex(ValidationError, "outside the part"):
            self._request(self.recipient2, user=self.operator)
        self.assertEqual(request.state, "new")
        # auditors only read
        with self.assertRaises(AccessError):
            request.with_user(self.auditor).action_assign(near)

    def test_bad_completion_and_window(self):
        request = self._request()
        with self.assertRaisesRegex(UserError, "no volunteer was dispatched"):
            request.with_user(self.dispatcher).action_done()
        with self.assertRaisesRegex(ValidationError, "end of the wanted time window"):
            self._request(hours=-1)
        near, *_rest = self._matching_set()
        request.with_user(self.dispatcher).action_assign(near)
        with self.assertRaisesRegex(UserError, "Completing is not possible"):
            request.with_user(self.dispatcher).action_done()
        with self.assertRaisesRegex(UserError, "Dispatching is not possible"):
            request.with_user(self.dispatcher).action_assign(near)

    # ------------------------------------------------------------------
    # board: waiting too long, figures
    # ------------------------------------------------------------------

    def test_overdue_cron_alerts_town_supervisor(self):
        now = fields.Datetime.now()
        late = self._request(date_request=now - timedelta(hours=10))
        fresh = self._request(date_request=now - timedelta(hours=1))
        late_other_town = self._request(
            self.recipient3, date_request=now - timedelta(hours=10)
        )
        self.assertTrue(late.is_overdue)
        self.assertFalse(fresh.is_overdue)
        Request = self.env["timebank.service.request"]
        overdue = Request.search([("is_overdue", "=", True)])
        self.assertIn(late, overdue)
        self.assertNotIn(fresh, overdue)
        Request._cron_alert_overdue()
        self.assertEqual(late.activity_ids.user_id, self.supervisor)
        self.assertEqual(late_other_town.activity_ids.user_id, self.supervisor2)
        self.assertFalse(fresh.activity_ids)
        Request._cron_alert_overdue()
        self.assertEqual(len(late.activity_ids), 1, "alerted once")
        # the target is configuration
        self.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.dispatch_overdue_hours", 12
        )
        late.invalidate_recordset(["is_overdue"])
        self.assertFalse(late.is_overdue)

    def test_share_dispatched_in_time(self):
        near, *_rest = self._matching_set()
        now = fields.Datetime.now()
        quick = self._request(date_request=now - timedelta(hours=2))
        slow = self._request(
            date_request=now - timedelta(hours=6), start=MONDAY + timedelta(days=1)
        )
        (quick | slow).with_user(self.dispatcher).action_assign(near)
        self.assertAlmostEqual(quick.dispatch_delay_hours, 2, places=1)
        self.assertAlmostEqual(slow.dispatch_delay_hours, 6, places=1)
        self.assertEqual((quick.dispatched_in_time, slow.dispatched_in_time), (100, 0))
        [(share, delay)] = self.env["timebank.service.request"]._read_group(
            [("id", "in", (quick | slow).ids)],
            [],
            ["dispatched_in_time:avg", "dispatch_delay_hours:avg"],
        )
        self.assertAlmostEqual(share, 50.0)
        self.assertAlmostEqual(delay, 4.0, places=1)
        # changing the target in the settings recomputes the figure
        settings = self.env["res.config.settings"].create(
            {"timebank_dispatch_overdue_hours": 8}
        )
        settings.execute()
        self.assertEqual(slow.dispatched_in_time, 100)
