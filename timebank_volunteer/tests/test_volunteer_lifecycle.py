# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TimebankCommon


@tagged("post_install", "-at_install")
class TestVolunteerLifecycle(TimebankCommon):
    def setUp(self):
        super().setUp()
        self.volunteer = self._create_volunteer(self.village1, self.station1)
        self.as_operator = self.volunteer.with_user(self.operator)
        self.env.cr.precommit.run()  # as if the registration was saved before

    def _train(self, volunteer):
        self.env["timebank.training"].create(
            {
                "name": "Basics",
                "node_id": self.village1.id,
                "attendee_ids": [(6, 0, volunteer.ids)],
            }
        )

    def test_full_path_by_operator(self):
        self.assertEqual(self.volunteer.state, "applied")
        self.as_operator.action_review()
        self.env.cr.precommit.run()  # tracking values are written at commit
        self.assertEqual(self.volunteer.state, "reviewed")
        self.assertEqual(self.volunteer.review_user_id, self.operator)
        self.assertTrue(self.volunteer.review_date)
        with self.assertRefused(UserError, "attended no training"):
            self.as_operator.action_train()
        self.assertEqual(self.volunteer.state, "reviewed")
        self._train(self.volunteer)
        self.assertEqual(self.volunteer.training_count, 1)
        self.as_operator.action_train()
        self.env.cr.precommit.run()
        self.as_operator.action_activate()
        self.env.cr.precommit.run()
        self.assertEqual(self.volunteer.state, "active")
        self.assertTrue(self.volunteer.activation_date)
        # each step is in the chatter with its author
        trackings = self.volunteer.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(
            set(trackings.mapped("new_value_char")), {"Reviewed", "Trained", "Active"}
        )
        self.assertEqual(
            set(trackings.mail_message_id.mapped("author_id")),
            {self.operator.partner_id},
        )

    def test_wrong_order_refused(self):
        with self.assertRefused(UserError, "the volunteer is Applied"):
            self.as_operator.action_activate()
        with self.assertRefused(UserError):
            self.as_operator.action_reinstate()
        self.assertEqual(self.volunteer.state, "applied")

    def test_suspend_is_for_supervisors(self):
        self.volunteer.write({"state": "active"})
        with self.assertRefused(AccessError, "not allowed to suspend"):
            self.as_operator.action_suspend()
        self.assertEqual(self.volunteer.state, "active")
        self.volunteer.with_user(self.supervisor).action_suspend()
        self.assertEqual(self.volunteer.state, "suspended")
        with self.assertRefused(AccessError):
            self.as_operator.action_reinstate()
        self.volunteer.with_user(self.supervisor).action_reinstate()
        self.assertEqual(self.volunteer.state, "active")

    def test_auditor_and_other_scope_cannot_act(self):
        with self.assertRefused(AccessError):
            self.volunteer.with_user(self.auditor).action_review()
        other = self._create_volunteer(self.village3)
        with self.assertRefused(AccessError):
            other.with_user(self.operator).action_review()
        with self.assertRefused(AccessError):
            other.with_user(self.supervisor).action_review()
        self.assertEqual(other.state, "applied")
        self.assertEqual(self.volunteer.state, "applied")

    def test_withdraw_and_reapply(self):
        self.as_operator.action_review()
        self.as_operator.action_withdraw()
        self.assertEqual(self.volunteer.state, "withdrawn")
        with self.assertRefused(UserError):
            self.as_operator.action_withdraw()
        self.as_operator.action_reapply()
        self.assertEqual(self.volunteer.state, "applied")
        self.assertFalse(self.volunteer.review_user_id)

    def test_delete_only_applications(self):
        self.volunteer.write({"state": "active"})
        with self.assertRefused(UserError, "Only applications"):
            self.volunteer.with_user(self.admin).unlink()
        self.assertTrue(self.volunteer.exists())
        fresh = self._create_volunteer(self.village1)
        fresh.with_user(self.admin).unlink()
        self.assertFalse(fresh.exists())

    def test_state_not_writable_from_form(self):
        self.assertTrue(self.env["timebank.volunteer"]._fields["state"].readonly)
