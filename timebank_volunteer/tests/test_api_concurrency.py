# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""One write of the 12349 API sent twice at once with the same
Idempotency-Key, over real HTTP and in real transactions.

An ``HttpCase`` cannot do this (its requests share the test's transaction and
run one at a time), so this is a ``BaseCase``: the test server then serves
each request in its own transaction, committed at its end, as in production.
It commits its data and removes it afterwards, like
``test_service_concurrency``.
"""

import json
import threading
import time

import requests

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import new_test_user, tagged
from odoo.tests.common import HOST, BaseCase, get_db_name
from odoo.tools import SQL, config

from ..controllers.api import API_PREFIX
from .common import create_node_chain


@tagged("post_install", "-at_install")
class TestApiConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            district, town, village = create_node_chain(env, "IC")
            partner = env["res.partner"].create({"name": "Idempotent Recipient"})
            recipient = env["timebank.recipient"].create(
                {"partner_id": partner.id, "node_id": village.id}
            )
            user = new_test_user(
                env,
                login="tb_api_race",
                groups="base.group_user,timebank_volunteer.group_timebank_operator",
                tz="UTC",
            )
            user.timebank_node_ids = village
            cls.key = (
                env["res.users.apikeys"]
                .with_user(user)
                .sudo()
                ._generate("rpc", "race", None)
            )
            cls.node_ids = [village.id, town.id, district.id]
            cls.partner_ids = [partner.id, user.partner_id.id]
            cls.recipient_id = recipient.id
            cls.user_id = user.id
            cls.service_type_id = env.ref(
                "timebank_volunteer.service_type_meal_delivery"
            ).id
        # committed when the cursor is closed

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["timebank.service.request"].search(
                [("recipient_id", "=", cls.recipient_id)]
            ).unlink()
            # the user's API keys and idempotency keys go with it (cascade)
            env["res.users"].browse(cls.user_id).unlink()
            env["timebank.recipient"].browse(cls.recipient_id).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # the test runner holds the registry lock, which the server's threads
        # take to find the registry: lend them a dummy one, as
        # Registry.enter_test_mode does for an HttpCase (but without its
        # shared test cursor: each request keeps its own transaction)
        saved, Registry._lock = Registry._lock, DummyRLock()

        def restore():
            Registry._lock = saved

        self.addCleanup(restore)

    def _post(self, body, key):
        response = requests.post(
            f"http://{HOST}:{config['http_port']}{API_PREFIX}/needs",
            data=json.dumps(body),
            headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
            timeout=60,
        )
        try:
            payload = response.json()
        except ValueError:
            payload = response.text[:300]
        return (
            response.status_code,
            payload,
            response.headers.get("Idempotent-Replayed") == "true",
        )

    def _waiting_locks(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d "
                "ON d.oid = l.database WHERE NOT l.granted AND d.datname = %s",
                [cr.dbname],
            )
            return cr.fetchone()[0]

    def test_same_key_in_flight_twice(self):
        """Both requests have started their transaction before either stores
        its answer: exactly one need, and the second request gets the first
        one's answer replayed (not a unique-constraint error page)."""
        body = {
            "recipient_id": self.recipient_id,
            "service_type_id": self.service_type_id,
            "date_start": "2026-03-02T01:00:00Z",
            "date_end": "2026-03-02T03:00:00Z",
            "note": "sent twice at once",
        }
        results = {}

        def send(index):
            results[index] = self._post(body, "race-0001")

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        with self.registry.cursor() as cr:
            # while this transaction holds the idempotency table, neither
            # request can store its answer: both are in flight together
            cr.execute(
                SQL("LOCK TABLE timebank_api_idempotency IN SHARE ROW EXCLUSIVE MODE")
            )
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while self._waiting_locks() < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self._waiting_locks(), 2, "the requests did not wait")
        for thread in threads:
            thread.join(60)
        self.assertEqual(len(results), 2)
        (status_a, reply_a, replayed_a), (status_b, reply_b, replayed_b) = (
            results[0],
            results[1],
        )
        self.assertEqual(status_a, 201, reply_a)
        self.assertEqual((status_b, reply_b), (status_a, reply_a))
        self.assertEqual(sorted([replayed_a, replayed_b]), [False, True])
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM timebank_service_request WHERE recipient_id = %s",
                    self.recipient_id,
                )
            )
            self.assertEqual([row[0] for row in cr.fetchall()], [reply_a["id"]])
            cr.execute(
                SQL(
                    "SELECT count(*) FROM timebank_api_idempotency "
                    "WHERE user_id = %s AND key = 'race-0001'",
                    self.user_id,
                )
            )
            self.assertEqual(cr.fetchone()[0], 1)
