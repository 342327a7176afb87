# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Two redemptions confirmed at once, in two real transactions.

A ``TransactionCase`` cannot do this (its cursors share one transaction), so
this is a ``BaseCase`` that opens its own cursors on the test database like
``odoo/addons/base/tests/test_ir_sequence.py`` and
``timebank_volunteer/tests/test_ledger_concurrency.py``: it commits its data
and removes all of it afterwards.

The outlet is created on the company's main warehouse (``stock.warehouse0``,
created with the stock module, not demo data) so that no warehouse, with its
locations, routes, operation types and sequences, has to be created and
deleted by the test.
"""

import threading

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL, mute_logger

from odoo.addons.timebank_volunteer.tests.common import create_node_chain

SOURCE = "timebank.redemption.test.concurrency"


@tagged("post_install", "-at_install")
class TestRedemptionConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            district, town, village = create_node_chain(env, "RC")
            warehouse = env.ref("stock.warehouse0")
            cls.warehouse_was_outlet = warehouse.timebank_is_outlet
            outlet = env["timebank.exchange.outlet"].create(
                {
                    "name": "Concurrency Outlet",
                    "code": "RCO",
                    "node_id": town.id,
                    "warehouse_id": warehouse.id,
                }
            )
            products = env["product.product"].create(
                [
                    {
                        "name": f"Concurrency Goods {name}",
                        "type": "consu",
                        "is_storable": True,
                        "timebank_exchangeable": True,
                        "timebank_hour_price": 5.0,
                    }
                    for name in ("A", "B")
                ]
            )
            partners = env["res.partner"].create(
                [{"name": "Concurrent Wu"}, {"name": "Concurrent Zhou"}]
            )
            volunteers = env["timebank.volunteer"].create(
                [
                    {"partner_id": partner.id, "node_id": village.id, "state": "active"}
                    for partner in partners
                ]
            )
            cls.node_ids = [village.id, town.id, district.id]
            cls.warehouse_id = warehouse.id
            cls.outlet_id = outlet.id
            cls.location_id = outlet.lot_stock_id.id
            cls.product_ids = products.ids
            cls.partner_ids = partners.ids
            cls.volunteer_ids = volunteers.ids
            cls.account_ids = volunteers.account_id.ids
            cls.redemption_ids = []
        # committed when the cursor is closed

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute(
                SQL(
                    "SELECT id FROM timebank_redemption WHERE outlet_id = %s",
                    cls.outlet_id,
                )
            )
            redemption_ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                SQL(
                    "SELECT id FROM stock_picking "
                    "WHERE timebank_redemption_id = ANY(%s)",
                    redemption_ids,
                )
            )
            picking_ids = [row[0] for row in cr.fetchall()]
            # chatter of the documents
            for model, ids in (
                ("timebank.redemption", redemption_ids),
                ("stock.picking", picking_ids),
                ("timebank.exchange.outlet", [cls.outlet_id]),
                ("timebank.volunteer", cls.volunteer_ids),
            ):
                cr.execute(
                    SQL(
                        "DELETE FROM mail_message "
                        "WHERE model = %s AND res_id = ANY(%s)",
                        model,
                        ids,
                    )
                )
                cr.execute(
                    SQL(
                        "DELETE FROM mail_followers WHERE res_model = %s "
                        "AND res_id = ANY(%s)",
                        model,
                        ids,
                    )
                )
            # stock: done or reserved moves cannot be deleted through the ORM
            for table in ("stock_move_line", "stock_move", "stock_quant"):
                cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE product_id = ANY(%s)",
                        SQL.identifier(table),
                        cls.product_ids,
                    )
                )
            cr.execute(SQL("DELETE FROM stock_picking WHERE id = ANY(%s)", picking_ids))
            # confirmed redemptions cannot be deleted through the ORM, by design
            cr.execute(
                SQL(
                    "DELETE FROM timebank_redemption WHERE id = ANY(%s)",
                    redemption_ids,
                )
            )
            # nor can an outlet (it owns a warehouse); this one borrowed one
            cr.execute(
                SQL("DELETE FROM timebank_exchange_outlet WHERE id = %s", cls.outlet_id)
            )
            cr.execute(
                SQL(
                    "UPDATE stock_warehouse SET timebank_is_outlet = %s WHERE id = %s",
                    cls.warehouse_was_outlet,
                    cls.warehouse_id,
                )
            )
            # ledger lines cannot be deleted through the ORM, by design
            cr.execute(
                SQL(
                    "DELETE FROM timebank_ledger_line WHERE account_id = ANY(%s)",
                    cls.account_ids,
                )
            )
            cr.execute(
                SQL("DELETE FROM timebank_account WHERE id = ANY(%s)", cls.account_ids)
            )
            env.invalidate_all()
            volunteers = env["timebank.volunteer"].browse(cls.volunteer_ids)
            # only withdrawn volunteers may be deleted (the registry's guard)
            volunteers.state = "withdrawn"
            volunteers.unlink()
            env["res.partner"].browse(cls.partner_ids).unlink()
            env["product.product"].browse(cls.product_ids).product_tmpl_id.unlink()
            env["timebank.node"].browse(cls.node_ids).unlink()
        super().tearDownClass()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _setup(self, goods_hours, stock):
        """Goods hours per volunteer and stock per product, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Account = env["timebank.account"]
            for account_id, hours in zip(self.account_ids, goods_hours, strict=True):
                balance = Account.browse(account_id).balance_goods
                if hours != balance:
                    cr.execute(
                        SQL(
                            "SELECT COALESCE(MAX(res_id), 0) + 1 "
                            "FROM timebank_ledger_line WHERE res_model = %s",
                            SOURCE,
                        )
                    )
                    Account._post_lines(
                        [
                            {
                                "account_id": account_id,
                                "hours": hours - balance,
                                "bucket": "goods",
                                "kind": "adjustment",
                                "res_model": SOURCE,
                                "res_id": cr.fetchone()[0],
                            }
                        ]
                    )
            Quant = env["stock.quant"]
            location = env["stock.location"].browse(self.location_id)
            for product_id, qty in zip(self.product_ids, stock, strict=True):
                product = env["product.product"].browse(product_id)
                free = product.with_context(location=location.id).free_qty
                if qty != free:
                    Quant._update_available_quantity(product, location, qty - free)

    def _draft(self, volunteer_index, product_index, qty=1):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            redemption = env["timebank.redemption"].create(
                {
                    "volunteer_id": self.volunteer_ids[volunteer_index],
                    "outlet_id": self.outlet_id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_ids[product_index],
                                "quantity": qty,
                            }
                        )
                    ],
                }
            )
            return redemption.id

    def _confirm(self, redemption_id, results, key, barrier=None):
        """Confirm in a new transaction, retried on serialization failure
        like Odoo's RPC service does. Runs in a thread."""
        attempts = 0
        if barrier:
            barrier.wait(timeout=10)
        while attempts < 5:
            attempts += 1
            try:
                with self.registry.cursor() as cr:
                    # the test runner holds the registry lock: give the cursor
                    # its transaction so that Environment() does not look the
                    # registry up again from this thread
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["timebank.redemption"].browse(redemption_id).action_confirm()
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

    def _state(self, redemption_ids):
        """Per order: (state, ledger hours, picking state); balances; stock."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = []
            for redemption in env["timebank.redemption"].browse(redemption_ids):
                lines = env["timebank.ledger.line"].search(
                    [
                        ("res_model", "=", "timebank.redemption"),
                        ("res_id", "=", redemption.id),
                    ]
                )
                pickings = env["stock.picking"].search(
                    [("timebank_redemption_id", "=", redemption.id)]
                )
                orders.append(
                    (
                        redemption.state,
                        sum(lines.mapped("hours")),
                        pickings.mapped("state"),
                    )
                )
            accounts = env["timebank.account"].browse(self.account_ids)
            for account in accounts:
                check = account._check_chain()
                self.assertTrue(check["ok"], check["message"])
            location = env["stock.location"].browse(self.location_id)
            free = [
                product.with_context(location=location.id).free_qty
                for product in env["product.product"].browse(self.product_ids)
            ]
            return orders, accounts.mapped("balance_goods"), free

    def _run_while_locked(self, first_id, second_id):
        """Transaction A confirms and stays open while B tries to confirm."""
        results = {}
        with self.registry.cursor() as cr_a:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_a["timebank.redemption"].browse(first_id).action_confirm()
            thread = threading.Thread(
                target=self._confirm, args=(second_id, results, "b")
            )
            thread.start()
            thread.join(1.5)
            # B waits for A's locks
            self.assertTrue(thread.is_alive(), "the second confirmation did not wait")
            self.assertFalse(results)
            waiting = self._waiting_queries()
        # A committed
        thread.join(30)
        self.assertFalse(thread.is_alive())
        return results["b"], waiting

    def _waiting_queries(self):
        """The statements of this database waiting for a lock right now."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT query FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return " ".join(row[0] for row in cr.fetchall())

    def _race(self, first_id, second_id):
        results = {}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=self._confirm, args=(rid, results, key, barrier))
            for key, rid in (("x", first_id), ("y", second_id))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return results

    def _assert_one_won(self, orders, winner, loser):
        self.assertEqual(orders[winner], ("confirmed", -5.0, ["assigned"]))
        self.assertEqual(orders[loser], ("draft", 0, []), "the loser left nothing")

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------

    @mute_logger("odoo.sql_db")
    def test_last_hours_while_locked(self):
        """One volunteer, 5 hours, two orders of 5 hours on two products."""
        self._setup([5.0, 0.0], [3, 3])
        first, second = self._draft(0, 0), self._draft(0, 1)
        outcome, waiting = self._run_while_locked(first, second)
        # B waited on the volunteer's account row, locked by A's posting
        self.assertIn("FROM timebank_account", waiting)
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("goods-exchangeable hours", outcome[2])
        # B read a stale balance and had to start again after A committed
        self.assertGreaterEqual(outcome[1], 2)
        orders, balances, free = self._state([first, second])
        self._assert_one_won(orders, 0, 1)
        self.assertEqual(balances, [0.0, 0.0])
        self.assertEqual(free, [2, 3])

    @mute_logger("odoo.sql_db")
    def test_last_hours_race(self):
        self._setup([5.0, 0.0], [3, 3])
        first, second = self._draft(0, 0), self._draft(0, 1)
        results = self._race(first, second)
        outcomes = sorted(results[key][0] for key in ("x", "y"))
        self.assertEqual(outcomes, ["ok", "refused"], results)
        orders, balances, free = self._state([first, second])
        winner = 0 if results["x"][0] == "ok" else 1
        self._assert_one_won(orders, winner, 1 - winner)
        self.assertEqual(balances, [0.0, 0.0])
        # the winner's goods left the shelf, the loser's did not
        self.assertEqual(free[winner], 2)
        self.assertEqual(free[1 - winner], 3)

    @mute_logger("odoo.sql_db")
    def test_last_unit_while_locked(self):
        """Two volunteers with hours, one unit left at the outlet."""
        self._setup([10.0, 10.0], [1, 0])
        first, second = self._draft(0, 0), self._draft(1, 0)
        outcome, waiting = self._run_while_locked(first, second)
        # B waited on the outlet's quants before reading availability (not
        # later, when reserving, with its hours already posted)
        self.assertIn("FOR NO KEY UPDATE OF q", waiting)
        self.assertEqual(outcome[0], "refused", outcome)
        self.assertIn("Not enough Concurrency Goods A", outcome[2])
        self.assertGreaterEqual(outcome[1], 2)
        orders, balances, free = self._state([first, second])
        self._assert_one_won(orders, 0, 1)
        self.assertEqual(balances, [5.0, 10.0])
        self.assertEqual(free, [0, 0])

    @mute_logger("odoo.sql_db")
    def test_last_unit_race(self):
        self._setup([10.0, 10.0], [1, 0])
        first, second = self._draft(0, 0), self._draft(1, 0)
        results = self._race(first, second)
        outcomes = sorted(results[key][0] for key in ("x", "y"))
        self.assertEqual(outcomes, ["ok", "refused"], results)
        orders, balances, free = self._state([first, second])
        winner = 0 if results["x"][0] == "ok" else 1
        self._assert_one_won(orders, winner, 1 - winner)
        # the winner paid, the loser kept its hours
        self.assertEqual(balances[winner], 5.0)
        self.assertEqual(balances[1 - winner], 10.0)
        self.assertEqual(free, [0, 0])

    # ------------------------------------------------------------------
    # stock moves of the outlet while a confirmation holds its quants
    # ------------------------------------------------------------------

    def _act(self, redemption_id, method, results, key):
        """Call ``method`` of a redemption in a new transaction, retried on
        serialization failure like Odoo's RPC service. Runs in a thread."""
        for attempt in range(1, 6):
            try:
                with self.registry.cursor() as cr:
                    cr.transaction = api.Transaction(self.registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    getattr(env["timebank.redemption"].browse(redemption_id), method)()
                results[key] = ("ok", attempt)
                return
            except psycopg2.errors.SerializationFailure:
                continue
            except Exception as error:  # noqa: BLE001 (reported to the test)
                results[key] = ("error", attempt, repr(error))
                return
        results[key] = ("gave up", 5)

    def _quants(self):
        """(quantity, reserved) of every quant row of goods A at the outlet,
        and the quantity reserved by the open deliveries (the move lines)."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT coalesce(quantity, 0), reserved_quantity FROM stock_quant "
                    "WHERE product_id = %s AND location_id = %s ORDER BY id",
                    self.product_ids[0],
                    self.location_id,
                )
            )
            rows = [(float(q), float(r)) for q, r in cr.fetchall()]
            cr.execute(
                SQL(
                    "SELECT coalesce(sum(l.quantity), 0) FROM stock_move_line l "
                    "JOIN stock_move m ON m.id = l.move_id WHERE l.product_id = %s "
                    "AND l.location_id = %s AND m.state NOT IN ('done', 'cancel')",
                    self.product_ids[0],
                    self.location_id,
                )
            )
            return rows, float(cr.fetchone()[0])

    def _stock_move_while_confirming(self, method):
        """Order 1 is confirmed; transaction A confirms order 2 (holding the
        outlet's quants) while B runs ``method`` on order 1."""
        self._setup([10.0, 10.0], [5, 0])
        first, second = self._draft(0, 0), self._draft(1, 0)
        results = {}
        self._confirm(first, results, "first")
        self.assertEqual(results["first"][0], "ok", results)
        (quantity, _reserved), *others = self._quants()[0]
        self.assertFalse(others, "one quant before")
        with self.registry.cursor() as cr_a:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_a["timebank.redemption"].browse(second).action_confirm()
            thread = threading.Thread(
                target=self._act, args=(first, method, results, "b")
            )
            thread.start()
            thread.join(1.5)
            waited = thread.is_alive()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertEqual(results["b"][0], "ok", results)
        # order 2 keeps its reserved delivery whatever B did to order 1
        orders = self._state([first, second])[0]
        self.assertEqual(orders[1][2], ["assigned"], orders)
        return quantity, *self._quants(), waited, orders[0][2]

    @mute_logger("odoo.sql_db")
    def test_hand_over_while_confirming(self):
        """Odoo creates a second quant (-1 on hand, -1 reserved) when the one
        it would update is locked by another transaction: the hand-over
        waits for the outlet's quants instead, so the stock stays in one row
        and its reservation equals the open deliveries. (With the second
        quant, a later unreservation landing on a quant reserved 0 is clipped
        to 0 by Odoo: a phantom reservation that hides goods on the shelf.)"""
        before, rows, reserved, waited, pickings = self._stock_move_while_confirming(
            "action_hand_over"
        )
        self.assertEqual(pickings, ["done"])
        self.assertEqual(rows, [(before - 1, reserved)])
        # B waited for the quants A holds instead of skipping them
        self.assertTrue(waited)

    @mute_logger("odoo.sql_db")
    def test_cancel_while_confirming(self):
        before, rows, reserved, waited, pickings = self._stock_move_while_confirming(
            "action_cancel"
        )
        self.assertEqual(pickings, ["cancel"])
        self.assertEqual(rows, [(before, reserved)])
        self.assertTrue(waited)
