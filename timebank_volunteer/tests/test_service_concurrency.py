# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Two real transactions working on the same service records at once.

Like ``test_ledger_concurrency``: a ``BaseCase`` with its own cursors on the
test database, which commits its data and removes it afterwards. Each
request is retried on a serialization failure as Odoo's RPC service does.
"""

import threading
from datetime import datetime, timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger

from .common import create_node_chain

DAY = datetime(2026, 3, 3, 1, 0, 0)


@tagged("post_install", "-at_install")
class TestServiceConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            district, town, village = create_node_chain(env, "SC")
            partners = env["res.partner"].create(
                [{"name": "Racing Volunteer"}, {"name": "Racing Recipient"}]
            )
            volunteer = env["timebank.volunteer"].create(
                {"partner_id": partners[0].id, "node_id": village.id, "state": "active"}
            )
            recipient = env["timebank.recipient"].create(
                {"partner_id": partners[1].id, "node_id": village.id}
            )
            cls.node_ids = [village.id, town.id, district.id]
            cls.partner_ids = partners.ids
            cls.volunteer_id = volunteer.id
            cls.recipient_id = recipient.id
            cls.service_type_id = env.ref(
                "timebank_volunteer.service_type_meal_delivery"
            ).id
        # committed when the cursor is closed

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            # ledger lines and confirmed records cannot be deleted through
            # the ORM, by design
            cr.execute(
                SQL(
                    "DELETE FROM timebank_ledger_line WHERE account_id IN "
                    "(SELECT id FROM timebank_account WHERE volunteer_id = %s)",
                    cls.volunteer_id,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM timebank_service_record WHERE volunteer_id = %s",
                    cls.volunteer_id,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM timebank_account WHERE volunteer_id = %s",
                    cls.volunteer_id,
                )
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            volunteer = env["timebank.volunteer"].browse(cls.volunteer_id)
            # only withdrawn volunteers may be deleted (the registry's guard)
            volunteer.state = "withdrawn"
            volunteer.unlink()
            env["timebank.recipient"].browse(cls.recipient_id).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    # ------------------------------------------------------------------
    def _env(self, cr):
        # the test runner holds the registry lock: give the cursor its
        # transaction so that Environment() does not look the registry up
        # again from this thread
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _run(self, func, results, key, barrier=None):
        """Run ``func(env)`` in a new transaction, retried on serialization
        failures like an RPC request. Runs in a thread."""
        if barrier:
            barrier.wait(timeout=10)
        for attempt in range(1, 6):
            try:
                with self.registry.cursor() as cr:
                    func(self._env(cr))
                results[key] = ("ok", attempt)
                return
            except psycopg2.errors.SerializationFailure:
                continue
            except (UserError, ValidationError) as error:
                results[key] = ("refused", attempt, str(error))
                return
            except Exception as error:  # noqa: BLE001 (reported to the test)
                results[key] = ("error", attempt, repr(error))
                return
        results[key] = ("gave up", 5)

    def _race(self, first, second):
        """``first`` runs and keeps its transaction open while ``second``
        starts in another one; then ``first`` commits."""
        results = {}
        with self.registry.cursor() as cr_a:
            first(self._env(cr_a))
            thread = threading.Thread(target=self._run, args=(second, results, "b"))
            thread.start()
            thread.join(1.5)
            self.assertTrue(thread.is_alive(), "the second transaction did not wait")
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return results["b"]

    def _create_record(self, start, hours=2.0, submit=False):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            record = env["timebank.service.record"].create(
                {
                    "volunteer_id": self.volunteer_id,
                    "recipient_id": self.recipient_id,
                    "service_type_id": self.service_type_id,
                    "date_start": start,
                    "date_end": start + timedelta(hours=hours),
                }
            )
            if submit:
                record.action_submit()
            return record.id

    def _ledger(self, record_id):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT kind, hours FROM timebank_ledger_line "
                    "WHERE res_model = 'timebank.service.record' AND res_id = %s "
                    "ORDER BY sequence",
                    record_id,
                )
            )
            lines = cr.fetchall()
            cr.execute(
                SQL(
                    "SELECT state FROM timebank_service_record WHERE id = %s",
                    record_id,
                )
            )
            return cr.fetchone()[0], lines

    def _drop_account(self):
        """A volunteer registered before accounts existed: the first
        confirmation creates the account."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "DELETE FROM timebank_ledger_line WHERE account_id IN "
                    "(SELECT id FROM timebank_account WHERE volunteer_id = %s)",
                    self.volunteer_id,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM timebank_account WHERE volunteer_id = %s",
                    self.volunteer_id,
                )
            )

    # ------------------------------------------------------------------
    def _assert_double_confirm(self, start):
        record_id = self._create_record(start, submit=True)

        def confirm(env):
            env["timebank.service.record"].browse(record_id).action_confirm()

        outcome = self._race(confirm, confirm)
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("Only submitted service records can be confirmed", outcome[2])
        self.assertEqual(self._ledger(record_id), ("confirmed", [("deposit", 2.0)]))

    @mute_logger("odoo.sql_db")
    def test_double_confirm_one_deposit(self):
        self._assert_double_confirm(DAY)

    @mute_logger("odoo.sql_db")
    def test_double_confirm_first_deposit_of_volunteer(self):
        """Also when the account does not exist yet: the second confirmation
        waits on the record, not on the account being created."""
        self._drop_account()
        self._assert_double_confirm(DAY + timedelta(days=1))

    @mute_logger("odoo.sql_db")
    def test_double_cancel_one_reversal(self):
        record_id = self._create_record(DAY + timedelta(days=2), submit=True)
        with self.registry.cursor() as cr:
            self._env(cr)["timebank.service.record"].browse(record_id).action_confirm()

        def cancel(env):
            env["timebank.service.record"].browse(record_id).action_cancel()

        outcome = self._race(cancel, cancel)
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertEqual(
            self._ledger(record_id),
            ("cancelled", [("deposit", 2.0), ("reversal", -2.0)]),
        )

    # ------------------------------------------------------------------
    # overlap and per-day guards under concurrency
    # ------------------------------------------------------------------
    def _create_concurrently(self, first_vals, second_vals):
        """Transaction A creates a record and stays open; B creates another
        one for the same volunteer meanwhile; then A commits."""
        results = {}

        def creator(vals):
            def create(env):
                env["timebank.service.record"].create(
                    dict(
                        vals,
                        volunteer_id=self.volunteer_id,
                        recipient_id=self.recipient_id,
                        service_type_id=self.service_type_id,
                    )
                )

            return create

        with self.registry.cursor() as cr_a:
            creator(first_vals)(self._env(cr_a))
            thread = threading.Thread(
                target=self._run, args=(creator(second_vals), results, "b")
            )
            thread.start()
            thread.join(1.5)
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return results["b"]

    def _records_on(self, day_start, day_end):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM timebank_service_record "
                    "WHERE volunteer_id = %s AND date_start >= %s AND date_start < %s",
                    self.volunteer_id,
                    day_start,
                    day_end,
                )
            )
            return cr.fetchone()[0]

    @mute_logger("odoo.sql_db")
    def test_concurrent_overlapping_services_refused(self):
        start = DAY + timedelta(days=10)
        outcome = self._create_concurrently(
            {"date_start": start, "date_end": start + timedelta(hours=2)},
            {
                "date_start": start + timedelta(hours=1),
                "date_end": start + timedelta(hours=3),
            },
        )
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("cannot be in two services at once", outcome[2])
        self.assertGreaterEqual(outcome[1], 2, "retried after the first committed")
        self.assertEqual(self._records_on(start, start + timedelta(days=1)), 1)

    @mute_logger("odoo.sql_db")
    def test_concurrent_services_above_day_maximum_refused(self):
        # 09:00-16:00 and 16:30-22:30 in Asia/Shanghai: 13 hours on one day
        start = DAY + timedelta(days=11)
        outcome = self._create_concurrently(
            {"date_start": start, "date_end": start + timedelta(hours=7)},
            {
                "date_start": start + timedelta(hours=7, minutes=30),
                "date_end": start + timedelta(hours=13, minutes=30),
            },
        )
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("more than the maximum", outcome[2])
        self.assertEqual(self._records_on(start, start + timedelta(hours=12)), 1)
