# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A settlement killed half-way, finished by a second run, with real commits.

Like ``test_ledger_concurrency``: a ``BaseCase`` on its own cursors that
commits its data and removes it afterwards (ledger lines by SQL: the ORM
never deletes them).
"""

from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL

from .common import create_node_chain

CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
}
START = datetime(2020, 3, 2, 1, 0, 0)


class Crash(Exception):
    pass


@tagged("post_install", "-at_install")
class TestSettlementCrash(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, CONTEXT)
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_trigger")
            cls.trigger_id = cr.fetchone()[0]
            district, town, village = create_node_chain(env, "XC")
            partners = env["res.partner"].create(
                [{"name": f"Crash Volunteer {i}"} for i in range(4)]
                + [{"name": "Crash Recipient"}]
            )
            volunteers = env["timebank.volunteer"].create(
                [
                    {"partner_id": p.id, "node_id": village.id, "state": "active"}
                    for p in partners[:4]
                ]
            )
            recipient = env["timebank.recipient"].create(
                {"partner_id": partners[4].id, "node_id": village.id}
            )
            meal = env.ref("timebank_volunteer.service_type_meal_delivery")
            records = env["timebank.service.record"].create(
                [
                    {
                        "volunteer_id": volunteer.id,
                        "recipient_id": recipient.id,
                        "service_type_id": meal.id,
                        "date_start": START + timedelta(days=day),
                        "date_end": START + timedelta(days=day, hours=1 + index),
                    }
                    for index, volunteer in enumerate(volunteers)
                    for day in (0, 1)
                ]
            )
            records.action_submit()
            records.action_confirm()
            cls.node_ids = [village.id, town.id, district.id]
            cls.district_id = district.id
            cls.partner_ids = partners.ids
            cls.volunteer_ids = volunteers.ids
            cls.account_ids = volunteers.account_id.ids
            cls.recipient_id = recipient.id
            cls.record_ids = records.ids

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM timebank_settlement_run WHERE node_id = %s",
                    cls.district_id,
                )
            )
            run_ids = [row[0] for row in cr.fetchall()]
            for query in (
                "DELETE FROM timebank_settlement_item WHERE account_id = ANY(%s)",
                "DELETE FROM timebank_ledger_line WHERE account_id = ANY(%s)",
                "DELETE FROM timebank_settlement_line WHERE account_id = ANY(%s)",
            ):
                cr.execute(SQL(query, cls.account_ids))
            cr.execute(
                SQL("DELETE FROM timebank_settlement_run WHERE id = ANY(%s)", run_ids)
            )
            cr.execute(SQL("DELETE FROM ir_cron_trigger WHERE id > %s", cls.trigger_id))
            cr.execute(
                SQL(
                    "DELETE FROM mail_message WHERE model = "
                    "'timebank.service.record' AND res_id = ANY(%s)",
                    cls.record_ids,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM mail_followers WHERE res_model = "
                    "'timebank.service.record' AND res_id = ANY(%s)",
                    cls.record_ids,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM timebank_service_record WHERE id = ANY(%s)",
                    cls.record_ids,
                )
            )
            cr.execute(
                SQL("DELETE FROM timebank_account WHERE id = ANY(%s)", cls.account_ids)
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            volunteers = env["timebank.volunteer"].browse(cls.volunteer_ids)
            volunteers.write({"state": "withdrawn"})
            volunteers.unlink()
            env["timebank.recipient"].browse(cls.recipient_id).unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    def _snapshot(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            accounts = env["timebank.account"].browse(self.account_ids)
            check = accounts._check_chain()
            self.assertTrue(check["ok"], check["message"])
            cr.execute(
                SQL(
                    """
                    SELECT a.id, a.balance_unsettled, a.balance_goods,
                           a.balance_reserve,
                           (SELECT COUNT(*) FROM timebank_ledger_line l
                             WHERE l.account_id = a.id AND l.kind = 'settlement')
                      FROM timebank_account a WHERE a.id = ANY(%s) ORDER BY a.id
                    """,
                    self.account_ids,
                )
            )
            rows = cr.fetchall()
            cr.execute(
                SQL(
                    """
                    SELECT state, done_count, line_count,
                           (SELECT array_agg(state ORDER BY account_id)
                              FROM timebank_settlement_line WHERE run_id = r.id),
                           ARRAY[r.hours_total, r.hours_goods, r.hours_reserve],
                           (SELECT ARRAY[COALESCE(SUM(hours_total), 0),
                                         COALESCE(SUM(hours_goods), 0),
                                         COALESCE(SUM(hours_reserve), 0)]
                              FROM timebank_settlement_line
                             WHERE run_id = r.id AND state = 'done')
                      FROM timebank_settlement_run r WHERE node_id = %s
                    """,
                    self.district_id,
                )
            )
            return rows, cr.fetchone()

    def test_interrupted_run_finished_by_second_run(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["timebank.settlement.run"].create(
                {
                    "node_id": self.district_id,
                    "date_from": date(2020, 1, 1),
                    "date_to": date(2020, 6, 30),
                }
            )
            run.action_preview()
            run.action_confirm()
            self.assertEqual(run.line_count, 4)
        # the job crashes on its third batch (one account per batch)
        Account = self.registry["timebank.account"]
        original = Account._post_lines
        calls = []

        def crashing_post_lines(model, vals_list):
            calls.append(len(vals_list))
            if len(calls) == 3:
                # the third account's lines are half inserted when it dies
                original(model, vals_list[:1])
                raise Crash()
            return original(model, vals_list)

        with patch.object(Account, "_post_lines", crashing_post_lines):
            with self.assertRaises(Crash):
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {"cron_id": 1})
                    env["timebank.settlement.run"]._cron_process(batch_size=1)
        rows, run_state = self._snapshot()
        # two whole accounts settled and committed, the others untouched
        self.assertEqual(run_state[:3], ("running", 2, 4))
        self.assertEqual(run_state[3], ["done", "done", "pending", "pending"])
        # the run's hours are those of its done accounts (2 h + 4 h)
        self.assertEqual(run_state[4], run_state[5])
        self.assertEqual(run_state[4][0], 6.0)
        self.assertEqual([row[4] for row in rows], [3, 3, 0, 0])
        for _id, unsettled, goods, reserve, count in rows:
            if count:
                self.assertEqual(unsettled, 0.0)
                self.assertAlmostEqual(goods + reserve, 0.0 + goods + reserve)
            else:
                self.assertEqual((goods, reserve), (0.0, 0.0))
                self.assertGreater(unsettled, 0.0)

        # the job runs again: only the remaining accounts are posted
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"cron_id": 1})
            env["timebank.settlement.run"]._cron_process(batch_size=1)
        rows, run_state = self._snapshot()
        self.assertEqual(run_state[:3], ("done", 4, 4))
        self.assertEqual(run_state[3], ["done"] * 4)
        self.assertEqual(run_state[4], run_state[5])
        self.assertEqual(run_state[4][0], 2.0 + 4.0 + 6.0 + 8.0)
        # each account: 2h + 2h ... of services, settled exactly once
        self.assertEqual([row[4] for row in rows], [3, 3, 3, 3])
        for index, (_id, unsettled, goods, reserve, _count) in enumerate(rows):
            hours = 2 * (1 + index)
            self.assertEqual((unsettled, goods, reserve), (0.0, hours / 2, hours / 2))

        # and once more: nothing happens
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"cron_id": 1})
            env["timebank.settlement.run"]._cron_process(batch_size=1)
        self.assertEqual(self._snapshot()[0], rows)
