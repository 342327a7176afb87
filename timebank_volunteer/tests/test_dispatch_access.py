# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_dispatch import TimebankDispatchCommon


@tagged("post_install", "-at_install")
class TestDispatchAccess(TimebankDispatchCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Request = cls.env["timebank.service.request"]
        cls.request1 = cls._make_request(Request, cls.recipient1)
        cls.request2 = cls._make_request(Request, cls.recipient2)
        cls.request3 = cls._make_request(Request, cls.recipient3)
        cls.requests = cls.request1 | cls.request2 | cls.request3

    @classmethod
    def _make_request(cls, Request, recipient):
        return Request.create(
            {
                "recipient_id": recipient.id,
                "service_type_id": cls.meal.id,
                "date_start": "2026-03-02 01:00:00",
                "date_end": "2026-03-02 03:00:00",
            }
        )

    def test_request_visibility_per_role(self):
        expected = {
            self.operator: self.request1,
            self.operator2: self.request2,
            self.supervisor: self.request1 | self.request2,
            self.supervisor2: self.request3,
            self.auditor: self.request1 | self.request2,
            # the head-bank dispatcher works for the district node
            self.dispatcher: self.requests,
            self.admin: self.requests,
        }
        Request = self.env["timebank.service.request"]
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                found = Request.with_user(user).search(
                    [("id", "in", self.requests.ids)]
                )
                self.assertEqual(found, visible)

    def test_request_write_per_role(self):
        # the village operator changes own requests, not the sibling village's
        self.request1.with_user(self.operator).note = "Call before"
        with self.assertRaises(AccessError):
            self.request2.with_user(self.operator).note = "Not mine"
        # the town supervisor, not the other town's
        self.request2.with_user(self.supervisor).note = "Checked"
        with self.assertRaises(AccessError):
            self.request3.with_user(self.supervisor).note = "Other town"
        with self.assertRaises(AccessError):
            self.request3.with_user(self.supervisor).action_cancel()
        self.request3.with_user(self.supervisor2).action_cancel()
        # auditors read only, nobody but the administrator deletes
        with self.assertRaises(AccessError):
            self.request1.with_user(self.auditor).note = "Audit"
        with self.assertRaises(AccessError):
            self.request1.with_user(self.supervisor).unlink()
        self.request3.with_user(self.admin).unlink()
        self.assertFalse(self.request3.exists())

    def test_views_load_per_role(self):
        for user in (self.operator, self.supervisor, self.auditor, self.admin):
            for model, views in (
                (
                    "timebank.service.request",
                    ["list", "form", "kanban", "calendar", "pivot", "graph", "search"],
                ),
                ("timebank.followup", ["list", "form", "pivot", "graph", "search"]),
                ("timebank.followup.sample", ["list", "form"]),
                ("timebank.activity", ["list", "form", "calendar", "search"]),
            ):
                with self.subTest(user=user.login, model=model):
                    result = (
                        self.env[model]
                        .with_user(user)
                        .get_views([(False, view) for view in views])
                    )
                    self.assertEqual(set(result["views"]), set(views))
        for user in (self.operator, self.dispatcher):
            arch = (
                self.env["timebank.dispatch.wizard"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertIn('name="action_assign"', arch)
        form = (
            self.env["timebank.service.request"]
            .with_user(self.auditor)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn('name="action_open_dispatch_wizard"', form)
