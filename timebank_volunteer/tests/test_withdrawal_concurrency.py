# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Two withdrawals against one service reserve in two real transactions.

A ``BaseCase`` on its own cursors (see ``test_ledger_concurrency``): it
commits its data and removes it afterwards.
"""

import threading

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger

from .common import create_node_chain

CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}


@tagged("post_install", "-at_install")
class TestWithdrawalConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
            district, town, village = create_node_chain(env, "WC")
            partner = env["res.partner"].create({"name": "Concurrent Withdrawer"})
            volunteer = env["timebank.volunteer"].create(
                {"partner_id": partner.id, "node_id": village.id, "state": "active"}
            )
            recipient = env["timebank.recipient"].create(
                {"partner_id": partner.id, "node_id": village.id}
            )
            cls.node_ids = [village.id, town.id, district.id]
            cls.partner_id = partner.id
            cls.volunteer_id = volunteer.id
            cls.recipient_id = recipient.id
            cls.account_id = volunteer.account_id.id
            cls.meal_id = env.ref("timebank_volunteer.service_type_meal_delivery").id
            env["timebank.account"]._post_lines(
                [
                    {
                        "account_id": cls.account_id,
                        "hours": 5,
                        "bucket": "reserve",
                        "kind": "adjustment",
                        "res_model": "timebank.test.withdrawal.concurrency",
                        "res_id": 1,
                    }
                ]
            )

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM timebank_withdrawal WHERE volunteer_id = %s",
                    cls.volunteer_id,
                )
            )
            withdrawal_ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                SQL(
                    "SELECT id FROM timebank_service_request "
                    "WHERE withdrawal_id = ANY(%s)",
                    withdrawal_ids,
                )
            )
            request_ids = [row[0] for row in cr.fetchall()]
            # the service requests that applying the withdrawals created
            for query in (
                "DELETE FROM mail_message WHERE model = 'timebank.service.request' "
                "AND res_id = ANY(%s)",
                "DELETE FROM mail_followers WHERE res_model = "
                "'timebank.service.request' AND res_id = ANY(%s)",
                "DELETE FROM mail_activity WHERE res_model = "
                "'timebank.service.request' AND res_id = ANY(%s)",
                "DELETE FROM timebank_service_request WHERE id = ANY(%s)",
            ):
                cr.execute(SQL(query, request_ids))
            for query in (
                "DELETE FROM timebank_hold WHERE withdrawal_id = ANY(%s)",
                "DELETE FROM mail_message WHERE model = 'timebank.withdrawal' "
                "AND res_id = ANY(%s)",
                "DELETE FROM mail_followers WHERE res_model = 'timebank.withdrawal' "
                "AND res_id = ANY(%s)",
                "DELETE FROM timebank_withdrawal WHERE id = ANY(%s)",
            ):
                cr.execute(SQL(query, withdrawal_ids))
            cr.execute(
                SQL(
                    "DELETE FROM timebank_ledger_line WHERE account_id = %s",
                    cls.account_id,
                )
            )
            cr.execute(
                SQL("DELETE FROM timebank_account WHERE id = %s", cls.account_id)
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            volunteer = env["timebank.volunteer"].browse(cls.volunteer_id)
            volunteer.state = "withdrawn"
            volunteer.unlink()
            env["timebank.recipient"].browse(cls.recipient_id).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    def _create_withdrawals(self, *hours):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
            return (
                env["timebank.withdrawal"]
                .create(
                    [
                        {
                            "volunteer_id": self.volunteer_id,
                            "recipient_id": self.recipient_id,
                            "service_type_id": self.meal_id,
                            "estimated_hours": h,
                        }
                        for h in hours
                    ]
                )
                .ids
            )

    def _apply(self, withdrawal_id, results, key, barrier=None):
        """Apply in a new transaction; retry on serialization failure like
        Odoo's RPC service does. Runs in a thread."""
        if barrier:
            barrier.wait(timeout=10)
        for attempt in range(1, 6):
            try:
                with self.registry.cursor() as cr:
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
                    env["timebank.withdrawal"].browse(withdrawal_id).action_apply()
                results[key] = ("ok", attempt)
                return
            except psycopg2.errors.SerializationFailure:
                continue
            except UserError as error:
                results[key] = ("refused", attempt, str(error))
                return
            except Exception as error:  # noqa: BLE001 (reported to the test)
                results[key] = ("error", attempt, repr(error))
                return
        results[key] = ("gave up", 5)

    def _state(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    SELECT a.balance_reserve, a.hold_hours,
                           (SELECT COALESCE(SUM(hours), 0) FROM timebank_hold
                             WHERE account_id = a.id AND state = 'active'),
                           (SELECT COALESCE(SUM(hours), 0) FROM timebank_ledger_line
                             WHERE account_id = a.id AND bucket = 'reserve')
                      FROM timebank_account a WHERE a.id = %s
                    """,
                    self.account_id,
                )
            )
            reserve, held, holds, lines = cr.fetchone()
        self.assertAlmostEqual(held, holds, msg="held hours = sum of active holds")
        self.assertAlmostEqual(reserve, lines, msg="balance = sum of lines")
        self.assertLessEqual(held, reserve)
        return held

    def _release_all(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
            env["timebank.withdrawal"].search(
                [("volunteer_id", "=", self.volunteer_id), ("state", "=", "applied")]
            ).action_cancel()

    @mute_logger("odoo.sql_db")
    def test_racing_withdrawals_only_one_holds(self):
        first, second = self._create_withdrawals(4, 4)
        results = {}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=self._apply, args=(wid, results, key, barrier))
            for wid, key in ((first, "x"), (second, "y"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        outcomes = sorted(results[key][0] for key in ("x", "y"))
        self.assertEqual(outcomes, ["ok", "refused"], results)
        self.assertAlmostEqual(self._state(), 4.0)
        self._release_all()
        self.assertAlmostEqual(self._state(), 0.0)

    @mute_logger("odoo.sql_db")
    def test_waiting_withdrawal_sees_the_first_hold(self):
        """A holds the lock; B waits, then must not decide on a stale sum."""
        first, second = self._create_withdrawals(3, 3)
        results = {}
        with self.registry.cursor() as cr_a:
            env_a = api.Environment(cr_a, SUPERUSER_ID, CONTEXT)
            # B's transaction has already started (its snapshot predates A's
            # commit) when it reaches the lock
            thread = threading.Thread(target=self._apply, args=(second, results, "b"))
            env_a["timebank.withdrawal"].browse(first).action_apply()
            thread.start()
            thread.join(1.5)
            self.assertTrue(thread.is_alive(), "the second withdrawal did not wait")
            self.assertFalse(results)
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertEqual(results["b"][0], "refused", results)
        self.assertGreaterEqual(results["b"][1], 2, "B retried after A committed")
        self.assertIn("available", results["b"][2])
        self.assertAlmostEqual(self._state(), 3.0)
        self._release_all()
        self.assertAlmostEqual(self._state(), 0.0)
