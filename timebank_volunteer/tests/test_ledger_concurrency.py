# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Two real transactions posting to one account at once.

A ``TransactionCase`` cannot do this (its cursors share one transaction), so
this is a ``BaseCase`` that opens its own cursors on the test database like
``odoo/addons/base/tests/test_ir_sequence.py``: it commits its data and
removes it afterwards.
"""

import itertools
import threading

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger

from .common import create_node_chain

SOURCE = "timebank.test.concurrency"


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.res_ids = itertools.count(1)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            district, town, village = create_node_chain(env, "CC")
            partner = env["res.partner"].create({"name": "Concurrent Volunteer"})
            volunteer = env["timebank.volunteer"].create(
                {"partner_id": partner.id, "node_id": village.id, "state": "active"}
            )
            cls.node_ids = [village.id, town.id, district.id]
            cls.partner_id = partner.id
            cls.volunteer_id = volunteer.id
            cls.account_id = volunteer.account_id.id
        # committed when the cursor is closed

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            # ledger lines cannot be deleted through the ORM, by design
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
            # only withdrawn volunteers may be deleted (the registry's guard)
            volunteer.state = "withdrawn"
            volunteer.unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    def _vals(self, hours, kind="deposit"):
        return {
            "account_id": self.account_id,
            "hours": hours,
            "bucket": "unsettled",
            "kind": kind,
            "res_model": SOURCE,
            "res_id": next(self.res_ids),
        }

    def _post(self, vals, results, key, barrier=None):
        """Post in a new transaction; retry on serialization failure like
        Odoo's RPC service does. Runs in a thread."""
        attempts = 0
        if barrier:
            barrier.wait(timeout=10)
        while attempts < 5:
            attempts += 1
            try:
                with self.registry.cursor() as cr:
                    # the test runner holds the registry lock: give the
                    # cursor its transaction so that Environment() does not
                    # look the registry up again from this thread
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["timebank.account"]._post_lines([vals])
                results[key] = ("ok", attempts)
                return
            except psycopg2.errors.SerializationFailure:
                continue
            except UserError as error:
                results[key] = ("refused", attempts, str(error))
                return
            except Exception as error:  # noqa: BLE001 (reported to the test)
                results[key] = ("error", attempts, repr(error))
                return
        results[key] = ("gave up", attempts)

    def _state(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    SELECT a.balance_unsettled, a.last_sequence,
                           (SELECT COALESCE(SUM(hours), 0) FROM timebank_ledger_line
                             WHERE account_id = a.id),
                           (SELECT array_agg(sequence ORDER BY sequence)
                              FROM timebank_ledger_line WHERE account_id = a.id)
                      FROM timebank_account a WHERE a.id = %s
                    """,
                    self.account_id,
                )
            )
            balance, last_sequence, total, sequences = cr.fetchone()
            env = api.Environment(cr, SUPERUSER_ID, {})
            check = env["timebank.account"].browse(self.account_id)._check_chain()
        self.assertAlmostEqual(balance, total, msg="balance = sum of lines")
        self.assertEqual(sequences or [], list(range(1, last_sequence + 1)))
        self.assertTrue(check["ok"], check["message"])
        return balance

    def _run_while_locked(self, first_vals, second_vals):
        """Transaction A posts and keeps its lock while B tries to post."""
        results = {}
        with self.registry.cursor() as cr_a:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_a["timebank.account"]._post_lines([first_vals])
            thread = threading.Thread(
                target=self._post, args=(second_vals, results, "b")
            )
            thread.start()
            thread.join(1.5)
            # B is blocked on A's row lock
            self.assertTrue(thread.is_alive(), "the second posting did not wait")
            self.assertFalse(results)
        # A committed
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return results["b"]

    @mute_logger("odoo.sql_db")
    def test_concurrent_deposits_no_lost_update(self):
        before = self._state()
        outcome = self._run_while_locked(self._vals(1.25), self._vals(2.5))
        self.assertEqual(outcome[0], "ok", outcome)
        # B's first attempt saw a stale row and had to start again
        self.assertGreaterEqual(outcome[1], 2)
        self.assertAlmostEqual(self._state(), before + 3.75)

    @mute_logger("odoo.sql_db")
    def test_concurrent_debits_only_one_fits(self):
        results = {}
        self._post(self._vals(5), results, "deposit")
        self.assertEqual(results["deposit"][0], "ok")
        before = self._state()
        outcome = self._run_while_locked(
            self._vals(-before + 1, "redemption"), self._vals(-before + 1, "redemption")
        )
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("Not enough hours", outcome[2])
        self.assertAlmostEqual(self._state(), 1.0)

    @mute_logger("odoo.sql_db")
    def test_racing_debits_exactly_one_succeeds(self):
        results = {}
        self._post(self._vals(4), results, "deposit")
        before = self._state()
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=self._post,
                args=(self._vals(-(before - 1), "withdrawal"), results, key, barrier),
            )
            for key in ("x", "y")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        outcomes = sorted(results[key][0] for key in ("x", "y"))
        self.assertEqual(outcomes, ["ok", "refused"], results)
        self.assertAlmostEqual(self._state(), 1.0)
