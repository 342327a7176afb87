# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_dispatch import MONDAY, TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestPortal(TimebankDispatchCommon, HttpCase):
    """Two volunteers with portal users: each sees and acts on their own
    time bank only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "timebank_volunteer.beneficiary_relations", "spouse,parent"
        )
        skilled = {"wishes": cls.wish_meal, "skills": cls.cooking}
        cls.volunteer1 = cls._volunteer(cls.village1, name="Portal Wang", **skilled)
        cls.volunteer2 = cls._volunteer(cls.village1, name="Portal Chen", **skilled)
        cls.portal1, cls.portal2 = (
            new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                name=volunteer.name,
                partner_id=volunteer.partner_id.id,
            )
            for login, volunteer in (
                ("tb_portal_wang", cls.volunteer1),
                ("tb_portal_chen", cls.volunteer2),
            )
        )
        cls.beneficiary = cls.env["timebank.beneficiary"].create(
            {
                "volunteer_id": cls.volunteer1.id,
                "recipient_id": cls.recipient2.id,
                "relation": "parent",
            }
        )
        Account = cls.env["timebank.account"]
        Account._ensure_accounts(cls.volunteer1 | cls.volunteer2)
        Account._post_lines(
            [
                {
                    "account_id": volunteer.account_id.id,
                    "hours": hours,
                    "bucket": "reserve",
                    "kind": "adjustment",
                    "res_model": "timebank.test.portal",
                    "res_id": volunteer.id,
                }
                for volunteer, hours in ((cls.volunteer1, 7.5), (cls.volunteer2, 3.0))
            ]
        )
        cls.request1 = cls._portal_request(cls.volunteer1)
        cls.request2 = cls._portal_request(cls.volunteer2)

    @classmethod
    def _portal_request(cls, volunteer):
        request = cls.env["timebank.service.request"].create(
            {
                "recipient_id": cls.recipient1.id,
                "service_type_id": cls.meal.id,
                "date_start": MONDAY,
                "date_end": MONDAY.replace(hour=3),
            }
        )
        request.action_assign(volunteer)
        return request

    def _post(self, url, **data):
        data["csrf_token"] = self.csrf_token()
        return self.url_open(url, data=data, allow_redirects=False)

    def csrf_token(self):
        page = self.url_open("/my/timebank")
        self.assertEqual(page.status_code, 200)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def test_rules_keep_each_volunteer_to_their_own(self):
        env1 = self.env(user=self.portal1)
        self.assertEqual(env1["timebank.volunteer"].search([]), self.volunteer1)
        self.assertEqual(
            env1["timebank.service.request"].search([]), self.request1.with_env(env1)
        )
        self.assertEqual(
            env1["timebank.ledger.line"].search([]).account_id.volunteer_id,
            self.volunteer1,
        )
        with self.assertRaises(AccessError):
            self.request2.with_user(self.portal1).check_access("read")
        with self.assertRaises(AccessError):
            self.volunteer2.with_user(self.portal1).check_access("read")
        with self.assertRaises(AccessError):
            self.request1.with_user(self.portal1).write({"note": "x"})

    def test_home_and_page_show_own_balances(self):
        self.authenticate("tb_portal_wang", "tb_portal_wang")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/my/timebank"', home.text)
        page = self.url_open("/my/timebank")
        self.assertEqual(page.status_code, 200)
        self.assertIn("7.50", page.text)
        self.assertIn(self.request1.name, page.text)
        self.assertNotIn(self.request2.name, page.text)
        self.assertNotIn("Portal Chen", page.text)
        self.authenticate("tb_portal_chen", "tb_portal_chen")
        page = self.url_open("/my/timebank")
        self.assertIn("3.00", page.text)
        self.assertNotIn("7.50", page.text)
        self.assertIn(self.request2.name, page.text)
        self.assertNotIn(self.request1.name, page.text)

    def test_internal_user_without_volunteer_has_no_page(self):
        self.authenticate("tb_test_operator", "tb_test_operator")
        self.assertEqual(self.url_open("/my/timebank").status_code, 404)

    def test_accept_and_decline_own_request(self):
        self.authenticate("tb_portal_wang", "tb_portal_wang")
        response = self._post(f"/my/timebank/request/{self.request1.id}/accept")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.request1.state, "accepted")
        # without the CSRF token the POST is refused
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.url_open(
                f"/my/timebank/request/{self.request1.id}/decline",
                data={"reason": "ill"},
                allow_redirects=False,
            )
        self.assertIn("No CSRF validation token", logs.output[0])
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.request1.state, "accepted")
        response = self._post(
            f"/my/timebank/request/{self.request1.id}/decline", reason="Ill today"
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.request1.state, "declined")
        self.assertEqual(self.request1.decline_reason, "Ill today")

    def test_guessing_another_volunteers_request(self):
        self.authenticate("tb_portal_wang", "tb_portal_wang")
        for action in ("accept", "decline"):
            response = self._post(f"/my/timebank/request/{self.request2.id}/{action}")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(self.request2.name, response.text)
        response = self._post("/my/timebank/request/999999/accept")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.request2.state, "assigned")

    def test_apply_withdrawal(self):
        self.authenticate("tb_portal_wang", "tb_portal_wang")
        response = self._post(
            "/my/timebank/withdrawal",
            service_type_id=str(self.meal.id),
            beneficiary_id=str(self.beneficiary.id),
            estimated_hours="2.5",
            date_planned="2026-03-02T09:00",
            note="Lunch for my father",
        )
        self.assertEqual(response.status_code, 303)
        withdrawal = self.env["timebank.withdrawal"].search(
            [("volunteer_id", "=", self.volunteer1.id)]
        )
        self.assertEqual(len(withdrawal), 1)
        self.assertEqual(withdrawal.state, "applied")
        self.assertEqual(withdrawal.recipient_id, self.recipient2)
        self.assertAlmostEqual(self.volunteer1.hold_hours, 2.5)
        # more than the reserve: refused by the model, nothing created
        response = self._post(
            "/my/timebank/withdrawal",
            service_type_id=str(self.meal.id),
            beneficiary_id=str(self.beneficiary.id),
            estimated_hours="50",
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("error=", response.headers["Location"])
        self.assertEqual(
            self.env["timebank.withdrawal"].search_count(
                [("volunteer_id", "=", self.volunteer1.id)]
            ),
            1,
        )

    def test_withdrawal_with_another_volunteers_beneficiary(self):
        self.authenticate("tb_portal_chen", "tb_portal_chen")
        response = self._post(
            "/my/timebank/withdrawal",
            service_type_id=str(self.meal.id),
            beneficiary_id=str(self.beneficiary.id),
            estimated_hours="1",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["timebank.withdrawal"].search(
                [("beneficiary_id", "=", self.beneficiary.id)]
            )
        )

    def test_check_in_and_out_from_the_portal(self):
        self.request1.action_accept()
        self.authenticate("tb_portal_wang", "tb_portal_wang")
        page = self.url_open("/my/timebank")
        self.assertIn(f"/my/timebank/request/{self.request1.id}/checkin", page.text)
        response = self._post(
            f"/my/timebank/request/{self.request1.id}/checkin",
            latitude="34.5601",
            longitude="117.7302",
        )
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("error=", response.headers["Location"])
        self.assertTrue(self.request1.checkin_time)
        self.assertAlmostEqual(self.request1.checkin_latitude, 34.5601)
        self.assertAlmostEqual(self.request1.checkin_longitude, 117.7302)
        self.assertEqual(self.request1.service_start, self.request1.checkin_time)
        # twice: refused, nothing changed
        first = self.request1.checkin_time
        response = self._post(f"/my/timebank/request/{self.request1.id}/checkin")
        self.assertIn("error=", response.headers["Location"])
        self.assertEqual(self.request1.checkin_time, first)
        # another volunteer's request
        self.request2.action_accept()
        response = self._post(f"/my/timebank/request/{self.request2.id}/checkin")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.request2.checkin_time)

    def test_check_times_make_the_service_record(self):
        self.request1.action_accept()
        start = MONDAY + timedelta(minutes=10)
        self.request1._check_in(start, 34.5, 117.7)
        self.request1._check_out(start + timedelta(minutes=90), 34.6, 117.8)
        self.request1.action_done()
        record = self.request1.record_id
        self.assertEqual(record.state, "draft")
        self.assertEqual(record.date_start, start)
        self.assertEqual(record.date_end, start + timedelta(minutes=90))
        self.assertAlmostEqual(record.duration, 1.5)
        self.assertEqual(record.checkin_time, start)
        self.assertAlmostEqual(record.checkout_latitude, 34.6)
        self.assertAlmostEqual(record.checkin_longitude, 117.7)

    def test_portal_tour(self):
        self.start_tour("/my/timebank", "timebank_portal_tour", login="tb_portal_wang")
        self.assertEqual(self.request1.state, "accepted")


@tagged("post_install", "-at_install")
class TestPortalFamily(TimebankDispatchCommon, HttpCase):
    """A recipient's family contact asks for services for their relative."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family = new_test_user(
            cls.env,
            login="tb_portal_family",
            groups="base.group_portal",
            name="Zhao Junior",
            tz="UTC",
        )
        cls.recipient1.guardian_partner_id = cls.family.partner_id

    def _post(self, url, **data):
        page = self.url_open("/my/timebank")
        self.assertEqual(page.status_code, 200)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        data["csrf_token"] = page.text[start : page.text.index('"', start)]
        return self.url_open(url, data=data, allow_redirects=False)

    def test_family_contact_submits_a_need(self):
        self.authenticate("tb_portal_family", "tb_portal_family")
        self.assertIn('href="/my/timebank"', self.url_open("/my/home").text)
        page = self.url_open("/my/timebank")
        self.assertIn("Grandma Zhao", page.text)
        self.assertNotIn("Grandpa Sun", page.text)
        self.assertNotIn("o_timebank_balances", page.text)
        response = self._post(
            "/my/timebank/need",
            recipient_id=str(self.recipient1.id),
            service_type_id=str(self.meal.id),
            date_start="2026-03-02T01:00",
            date_end="2026-03-02T03:00",
            note="Lunch, soft food",
        )
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("error=", response.headers["Location"])
        need = self.env["timebank.service.request"].search(
            [("recipient_id", "=", self.recipient1.id)]
        )
        self.assertEqual(len(need), 1)
        self.assertEqual(need.channel, "family")
        self.assertEqual(need.date_start, MONDAY)
        self.assertEqual(need.note, "Lunch, soft food")
        self.assertIn(need.name, self.url_open("/my/timebank").text)
        # the window ends before it starts: the model refuses, nothing created
        response = self._post(
            "/my/timebank/need",
            recipient_id=str(self.recipient1.id),
            service_type_id=str(self.meal.id),
            date_start="2026-03-02T05:00",
            date_end="2026-03-02T03:00",
        )
        self.assertIn("error=", response.headers["Location"])
        self.assertEqual(
            self.env["timebank.service.request"].search_count(
                [("recipient_id", "=", self.recipient1.id)]
            ),
            1,
        )

    def test_family_contact_of_someone_else(self):
        self.authenticate("tb_portal_family", "tb_portal_family")
        response = self._post(
            "/my/timebank/need",
            recipient_id=str(self.recipient2.id),
            service_type_id=str(self.meal.id),
            date_start="2026-03-02T01:00",
            date_end="2026-03-02T03:00",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["timebank.service.request"].search(
                [("recipient_id", "=", self.recipient2.id)]
            )
        )
        # a family contact is no volunteer: no request actions, no withdrawal
        need = self._request()
        volunteer = self._volunteer(
            self.village1, wishes=self.wish_meal, skills=self.cooking
        )
        need.action_assign(volunteer)
        response = self._post(f"/my/timebank/request/{need.id}/accept")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(need.state, "assigned")
