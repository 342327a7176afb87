#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Load suite (issue 10): concurrent postings over JSON-RPC keep every hour.

One command (not collected by ``make test``):

    python3 tests/load/concurrent_postings.py --db tb_load_conc            # 1,000 ops
    python3 tests/load/concurrent_postings.py --db tb_load_conc --quick    # 200 ops

It (re)creates the database with ``timebank_volunteer``, ``timebank_exchange``
and their demo data, starts Odoo with ``--workers=4`` on localhost (port 9273
by default, stopped at the end) and runs 8 client processes that make, in
total, N mixed operations as the district administrator over JSON-RPC against
the accounts of 10 volunteers (each seeded once through ``_post_lines`` with 6
service-reserve and 5 goods-exchangeable hours):

    deposit    create a 1-hour service record, ``action_submit``,
               ``action_confirm`` (a deposit line)
    reversal   ``action_cancel`` on a confirmed record taken from a pool shared
               by all clients (a reversing line); two clients may race for the
               same record: exactly one may win, the other gets a clear refusal
               (so does a reversal of hours already settled)
    hold       a withdrawal of 0.5-3 estimated hours (the volunteer is served)
               and ``action_apply``: a hold on the service reserve
    release    ``action_cancel`` on an applied withdrawal from a shared pool
    debit      delivery of an applied withdrawal: another volunteer's service
               record for the person is created, linked to the withdrawal
               (``service_record_id``), submitted and confirmed: a deposit for
               the server and a ``withdrawal`` line of the real weighted hours
               on the reserve, the hold consumed (refused when the reserve
               minus the other holds cannot pay; then the service is cancelled)
    settle     clients 0 and 1, every 20 operations, both try to settle the
               same closed month of 2023 for the district (deposits are dated
               in those months while the others post): create, preview,
               confirm (with "Settle Anyway" when services of the month are
               still in flight) and run the settlement job as the scheduler
               does (``ir.cron.method_direct_trigger``); one run per month is
               created, the other client is refused
    redeem     a redemption of 1-2 units of two products at an outlet (40 and 6
               units, 1 and 2.5 hours each), ``action_confirm``: a goods debit
               and a real reserved picking; refused for the last unit or the
               last hours
    hand-over  ``action_hand_over`` (the picking validated), cancel
               (``action_cancel``: a reversal, the picking cancelled) and
               return of one unit of a handed-over order
               (``timebank.redemption.return`` + ``action_confirm``: a return
               picking and a reversal), each on shared pools, so they race

Odoo retries serialization conflicts of RPC requests itself (5 tries); when
it gives up, the client sends the same request again. A request that fails
with anything but a UserError / ValidationError is an ERROR. Afterwards it
checks, from the database: every balance equals the sum of its lines
(``_check_chain`` on every account touched), no bucket is negative, the new
ledger lines of each kind equal the successful operations of that kind
(deposits, reversals, withdrawal debits, redemptions, their cancellations,
returns, and per settled account one line per non-zero part: -total,
+goods, +reserve), each settlement line's items add up to its total and lie
in its period, no run is left unfinished, every confirmed record has one
deposit and no reversal, every cancelled one nets to zero, the hours held
equal the active holds and never exceed the reserve, every debited withdrawal
has one line of its service's weighted hours and a consumed hold, every
redemption has one debit (and a netting reversal if cancelled) and a picking
in the matching state, every return one credit and a done picking, and the
outlet's stock: on hand before - after = handed over - returned = done
delivery moves - done return moves, reserved = waiting orders, no negative
or over-reserved stock (and no negative quant once Odoo's ``_merge_quants``
ran). Prints the figures and timing; exits 1 on any broken invariant or
ERROR.
"""

import argparse
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from _server import ADDONS, create_db
from _server import registry as open_registry

ODOO_BIN = "/opt/odoo18/odoo-bin"
CLIENTS = 8
ACCOUNTS = 10
RESERVE = 6.0
GOODS = 5.0
SETTLE_EVERY = 20  # clients 0 and 1 settle a month every 20 operations
# (code, name, price in hours, units at the outlet)
PRODUCTS = (
    ("TB-LOAD-RICE", "Load test rice", 1.0, 40),
    ("TB-LOAD-OIL", "Load test oil", 2.5, 6),
)
DAY0 = datetime(2023, 1, 2, 1, 0, 0)  # 09:00 Asia/Shanghai


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Rpc:
    def __init__(self, url, db, uid, password):
        self.url, self.db, self.uid, self.password = url, db, uid, password
        self.counter = 0
        self.retries = 0

    def __call__(self, model, method, args, kwargs=None):
        """One JSON-RPC call. Odoo retries a serialization failure itself (5
        tries); when it gives up, the client sends the same request again
        (the failed one was rolled back entirely), up to 5 more times."""
        for attempt in range(6):
            try:
                return self._call(model, method, args, kwargs)
            except RpcError as exc:
                if attempt == 5 or "SerializationFailure" not in exc.name:
                    raise
                self.retries += 1
                time.sleep(random.uniform(0.1, 1.0))

    def _call(self, model, method, args, kwargs=None):
        self.counter += 1
        payload = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "id": self.counter,
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        self.db,
                        self.uid,
                        self.password,
                        model,
                        method,
                        args,
                        kwargs or {},
                    ],
                },
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.url}/jsonrpc", payload, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.loads(response.read())
        if "error" in body:
            data = body["error"].get("data") or {}
            raise RpcError(data.get("name", "?"), data.get("message", str(body)))
        return body["result"]


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message

    @property
    def clear(self):
        return self.name in (
            "odoo.exceptions.UserError",
            "odoo.exceptions.ValidationError",
        )


REFUSALS = (
    "cannot be in two services at once",
    "is not possible for",
    "cannot be promised",
    "more than the maximum",
    "Not enough goods-exchangeable hours",
    "Not enough hours",
    "in stock at",
    "can still be returned",
    "already handed over",
    "you cannot",
    "already settled or being settled",
    "are not confirmed yet",
    "can be linked only to an applied",
    "more than the",
    "cannot be modified right now",
)


def reason(message):
    """A refusal, without the names in it."""
    for pattern in REFUSALS:
        if pattern in message:
            return pattern
    return message[:60]


class Client:
    """One client process: ``ops`` operations drawn from a shared mix."""

    def __init__(self, number, ops, ctx, shared):
        self.number, self.ops, self.ctx = number, ops, ctx
        self.shared = shared
        self.lock = shared["lock"]
        self.rng = random.Random(ctx["seed"] + number)
        self.rpc = Rpc(ctx["url"], ctx["db"], ctx["uid"], ctx["password"])
        self.result = {"errors": [], "confirmed": [], "cancelled": [], "refusals": {}}
        for key in COUNTERS:
            self.result[key] = 0

    # -- bookkeeping ----------------------------------------------------
    def outcome(self, step, call):
        """Run ``call``; count ``step_ok`` or ``step_refused`` (clear
        UserError / ValidationError) or an ERROR. Returns the value or None."""
        try:
            value = call()
        except RpcError as exc:
            if exc.clear:
                self.result[f"{step}_refused"] += 1
                key = reason(exc.message)
                self.result["refusals"][key] = self.result["refusals"].get(key, 0) + 1
            else:
                self.result["errors"].append(f"{step}: {exc}"[:400])
            return None
        except OSError as exc:
            self.result["errors"].append(f"{step}: {exc}"[:400])
            return None
        self.result[f"{step}_ok"] += 1
        return value

    def pick(self, name, remove=False):
        pool = self.shared[name]
        with self.lock:
            if not len(pool):
                return None
            item = pool[self.rng.randrange(len(pool))]
            if remove:
                pool.remove(item)
            return item

    def drop(self, name, item):
        with self.lock:
            if item in self.shared[name]:
                self.shared[name].remove(item)

    def slot(self, i):
        # the clients share days (client n's i-th operation is on day i): two
        # clients may record the same volunteer in the same slot at once
        slot = self.number * 10_000 + i
        return DAY0 + timedelta(days=slot % 1000, minutes=(slot // 1000) * 70)

    # -- the mix --------------------------------------------------------
    def run(self):
        ctx = self.ctx
        for i in range(self.ops):
            self.result["operations"] += 1
            if (
                ctx["settle_every"]
                and self.number < 2
                and i % ctx["settle_every"] == 10
            ):
                # clients 0 and 1 both try to settle the same closed month:
                # one run is created, the other is refused
                self.settle(1 + i // ctx["settle_every"])
                continue
            draw = self.rng.random()
            with self.lock:
                sizes = {
                    name: len(self.shared[name])
                    for name in ("pool", "holds", "red_confirmed", "red_done")
                }
            if draw < 0.22 and sizes["pool"]:
                self.reversal()
            elif 0.22 <= draw < 0.32:
                self.hold()
            elif 0.32 <= draw < 0.37 and sizes["holds"]:
                self.release()
            elif 0.37 <= draw < 0.44 and sizes["holds"]:
                self.debit(i)
            elif 0.44 <= draw < 0.54:
                self.redeem()
            elif 0.54 <= draw < 0.59 and sizes["red_confirmed"]:
                self.hand_over()
            elif 0.59 <= draw < 0.62 and sizes["red_confirmed"]:
                self.cancel_redemption()
            elif 0.62 <= draw < 0.66 and sizes["red_done"]:
                self.goods_return()
            else:
                self.deposit(i)
        self.result["client_retries"] = self.rpc.retries
        return self.result

    def deposit(self, i):
        ctx, rpc = self.ctx, self.rpc
        start = self.slot(i)
        volunteer = ctx["volunteers"][self.rng.randrange(len(ctx["volunteers"]))]

        def call():
            record_id = rpc(
                "timebank.service.record",
                "create",
                [
                    {
                        "volunteer_id": volunteer,
                        "recipient_id": ctx["recipient"],
                        "service_type_id": ctx["service_type"],
                        "date_start": fmt(start),
                        "date_end": fmt(start + timedelta(hours=1)),
                        "note": f"load {self.number}-{i}",
                    }
                ],
            )
            rpc("timebank.service.record", "action_submit", [[record_id]])
            rpc("timebank.service.record", "action_confirm", [[record_id]])
            return record_id

        record_id = self.outcome("deposit", call)
        if record_id:
            self.result["confirmed"].append(record_id)
            with self.lock:
                self.shared["pool"].append(record_id)

    def reversal(self):
        record_id = self.pick("pool")
        if record_id is None:
            return
        done = self.outcome(
            "reversal",
            lambda: self.rpc("timebank.service.record", "action_cancel", [[record_id]]),
        )
        if done:
            self.result["cancelled"].append(record_id)
            self.drop("pool", record_id)

    def hold(self):
        ctx, rpc = self.ctx, self.rpc
        index = self.rng.randrange(len(ctx["volunteers"]))

        def call():
            withdrawal = rpc(
                "timebank.withdrawal",
                "create",
                [
                    {
                        "volunteer_id": ctx["volunteers"][index],
                        "recipient_id": ctx["selves"][index],
                        "service_type_id": ctx["service_type"],
                        "estimated_hours": self.rng.choice([0.5, 1.0, 2.0, 3.0]),
                    }
                ],
            )
            rpc("timebank.withdrawal", "action_apply", [[withdrawal]])
            return withdrawal

        withdrawal = self.outcome("hold", call)
        if withdrawal:
            with self.lock:
                self.shared["holds"].append((withdrawal, index))

    def release(self):
        item = self.pick("holds")
        if item is None:
            return
        done = self.outcome(
            "release",
            lambda: self.rpc("timebank.withdrawal", "action_cancel", [[item[0]]]),
        )
        if done:
            self.drop("holds", item)

    def debit(self, i):
        """Deliver an applied withdrawal: another volunteer serves the person,
        the service record is linked to the withdrawal, submitted and
        confirmed; the confirmation deposits for the server and debits the
        real weighted hours from the reserve, consuming the hold."""
        ctx, rpc = self.ctx, self.rpc
        item = self.pick("holds", remove=True)  # claimed; a release may race
        if item is None:
            return
        withdrawal, index = item
        others = [v for n, v in enumerate(ctx["volunteers"]) if n != index]
        server = others[self.rng.randrange(len(others))]
        start = self.slot(i)
        hours = self.rng.choice([0.5, 1.0, 1.5, 2.0, 3.0])
        created = []

        def link():
            created.append(
                rpc(
                    "timebank.service.record",
                    "create",
                    [
                        {
                            "volunteer_id": server,
                            "recipient_id": ctx["selves"][index],
                            "service_type_id": ctx["service_type"],
                            "date_start": fmt(start),
                            "date_end": fmt(start + timedelta(hours=hours)),
                            "note": f"load withdrawal {self.number}-{i}",
                        }
                    ],
                )
            )
            return rpc(
                "timebank.withdrawal",
                "write",
                [[withdrawal], {"service_record_id": created[0]}],
            )

        if not self.outcome("link", link):
            # refused: the draft service is deleted; the withdrawal was
            # cancelled by a release (or the slot was taken)
            self.cleanup(
                lambda: (
                    created and self.rpc("timebank.service.record", "unlink", [created])
                )
            )
            self.cleanup(lambda: self.requeue(withdrawal, item))
            return
        record_id = created[0]

        def call():
            rpc("timebank.service.record", "action_submit", [[record_id]])
            rpc("timebank.service.record", "action_confirm", [[record_id]])
            return True

        if not self.outcome("debit", call):
            # refused (e.g. more real hours than the reserve can pay): the
            # service is cancelled, which unlinks it; the hold stays
            self.cleanup(
                lambda: rpc("timebank.service.record", "action_cancel", [[record_id]])
            )
            self.cleanup(lambda: self.requeue(withdrawal, item))
            return
        self.result["confirmed_debit"].append(record_id)
        state = rpc("timebank.withdrawal", "read", [[withdrawal], ["state"]])[0]
        if state["state"] == "done":
            self.result["debited"] += 1
        else:
            # a release cancelled the withdrawal between link and confirm:
            # the service was a plain deposit
            self.result["debit_lost"] += 1

    def requeue(self, withdrawal, item):
        """Put a still applied withdrawal back in the pool of holds."""
        state = self.rpc("timebank.withdrawal", "read", [[withdrawal], ["state"]])
        if state[0]["state"] == "applied":
            with self.lock:
                self.shared["holds"].append(item)

    def cleanup(self, call):
        try:
            call()
        except (RpcError, OSError) as exc:
            self.result["errors"].append(f"cleanup: {exc}"[:400])

    def redeem(self):
        ctx, rpc = self.ctx, self.rpc
        volunteer = ctx["volunteers"][self.rng.randrange(len(ctx["volunteers"]))]
        product = self.rng.choice(ctx["products"])
        quantity = self.rng.choice([1, 1, 2])

        def call():
            redemption = rpc(
                "timebank.redemption",
                "create",
                [
                    {
                        "volunteer_id": volunteer,
                        "outlet_id": ctx["outlet"],
                        "line_ids": [
                            [0, 0, {"product_id": product, "quantity": quantity}]
                        ],
                    }
                ],
            )
            try:
                rpc("timebank.redemption", "action_confirm", [[redemption]])
            except RpcError:
                rpc("timebank.redemption", "unlink", [[redemption]])
                raise
            return redemption

        redemption = self.outcome("redeem", call)
        if redemption:
            with self.lock:
                self.shared["red_confirmed"].append(redemption)

    def _settle_confirmed_redemption(self, outcome, method, done_pool=None):
        """Call ``method`` on a confirmed redemption from the shared pool
        (two clients may race for the same one)."""
        redemption = self.pick("red_confirmed")
        if redemption is None:
            return
        done = self.outcome(
            outcome,
            lambda: self.rpc("timebank.redemption", method, [[redemption]]),
        )
        if done:
            self.drop("red_confirmed", redemption)
            if done_pool:
                with self.lock:
                    self.shared[done_pool].append(redemption)

    def hand_over(self):
        self._settle_confirmed_redemption("hand_over", "action_hand_over", "red_done")

    def cancel_redemption(self):
        self._settle_confirmed_redemption("red_cancel", "action_cancel")

    def goods_return(self):
        """Return one unit of a handed-over order (two clients may race for
        its last returnable unit)."""
        rpc = self.rpc
        redemption = self.pick("red_done")
        if redemption is None:
            return
        lines = rpc(
            "timebank.redemption.line",
            "search_read",
            [[("redemption_id", "=", redemption)], ["id"]],
        )

        def call():
            ret = rpc(
                "timebank.redemption.return",
                "create",
                [
                    {
                        "redemption_id": redemption,
                        "reason": "load test",
                        "line_ids": [
                            [
                                0,
                                0,
                                {"redemption_line_id": lines[0]["id"], "quantity": 1},
                            ]
                        ],
                    }
                ],
            )
            try:
                rpc("timebank.redemption.return", "action_confirm", [[ret]])
            except RpcError:
                rpc("timebank.redemption.return", "unlink", [[ret]])
                raise
            return ret

        if self.outcome("return", call):
            state = rpc("timebank.redemption", "read", [[redemption], ["state"]])[0]
            if state["state"] == "returned":
                self.drop("red_done", redemption)

    def settle(self, month):
        """Settle a closed month of 2023 over the district while the others
        post: create, preview, confirm (ticking 'Settle Anyway' when services
        of the month are still in flight) and run the settlement job the way
        the scheduler does (``ir.cron.method_direct_trigger``)."""
        ctx, rpc = self.ctx, self.rpc
        month += ctx["month0"]
        date_from = datetime(2023 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        date_to = datetime(2023 + month // 12, month % 12 + 1, 1) - timedelta(days=1)

        created = []

        def call():
            created.append(
                rpc(
                    "timebank.settlement.run",
                    "create",
                    [
                        {
                            "node_id": ctx["district"],
                            "date_from": date_from.strftime("%Y-%m-%d"),
                            "date_to": date_to.strftime("%Y-%m-%d"),
                            "tz": "Asia/Shanghai",
                        }
                    ],
                )
            )
            run = created[0]
            rpc("timebank.settlement.run", "action_preview", [[run]])
            try:
                rpc("timebank.settlement.run", "action_confirm", [[run]])
            except RpcError as exc:
                if "are not confirmed yet" not in exc.message:
                    raise
                self.result["settle_anyway"] += 1
                rpc(
                    "timebank.settlement.run",
                    "write",
                    [[run], {"settle_anyway": True}],
                )
                rpc("timebank.settlement.run", "action_confirm", [[run]])
            return run

        if not self.outcome("settle", call):
            # a run created but not started is cancelled (frees its period)
            self.cleanup(
                lambda: (
                    created
                    and rpc("timebank.settlement.run", "action_cancel", [created])
                )
            )
            return
        # the job may be running already for the other client's run: a clear
        # "cannot be modified right now"; the final trigger finishes
        self.outcome(
            "trigger",
            lambda: rpc("ir.cron", "method_direct_trigger", [[ctx["cron"]]]),
        )


COUNTERS = [
    f"{step}_{outcome}"
    for step in (
        "deposit",
        "reversal",
        "hold",
        "release",
        "link",
        "debit",
        "redeem",
        "hand_over",
        "red_cancel",
        "return",
        "settle",
        "trigger",
    )
    for outcome in ("ok", "refused")
] + ["debited", "debit_lost", "settle_anyway", "operations", "client_retries"]


def fmt(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def client(args):
    number, ops, ctx, shared = args
    worker = Client(number, ops, ctx, shared)
    worker.result["confirmed_debit"] = []
    return worker.run()


def stock_figures(cr, product_ids, location_id):
    """{product: [on hand, reserved]} in the outlet's stock (and below)."""
    cr.execute(
        """SELECT q.product_id, coalesce(sum(q.quantity), 0),
                  coalesce(sum(q.reserved_quantity), 0)
             FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
            WHERE q.product_id = ANY(%s) AND l.parent_path LIKE
                  (SELECT parent_path FROM stock_location WHERE id = %s) || '%%'
            GROUP BY q.product_id""",
        [product_ids, location_id],
    )
    figures = {product: [0.0, 0.0] for product in product_ids}
    for product, quantity, reserved in cr.fetchall():
        figures[product] = [float(quantity), float(reserved)]
    return figures


def expect(failures, label, seen, wanted):
    if abs(float(seen) - float(wanted)) > 0.001:
        failures.append(f"{label}: {seen} != {wanted}")


def check_database(  # noqa: C901 (the invariants, one after the other)
    env,
    cr,
    total,
    cancelled,
    account_ids,
    maxima,
    lines_before,
    product_ids,
    location_id,
    stock_before,
    failures,
):
    """Check every invariant from the database; return the figures."""
    figures = {}
    line_max = maxima["timebank_ledger_line"]
    cr.execute(
        "SELECT DISTINCT account_id FROM timebank_ledger_line WHERE id > %s",
        [line_max],
    )
    touched = sorted({row[0] for row in cr.fetchall()} | set(account_ids))
    check = env["timebank.account"].browse(touched)._check_chain()
    figures["check"] = check["message"]
    if not check["ok"]:
        failures.append(f"chain/balances: {check['message']}")
    cr.execute(
        "SELECT count(*) FROM timebank_account WHERE id = ANY(%s) AND "
        "(balance_unsettled < 0 OR balance_goods < 0 OR balance_reserve < 0 "
        "OR hold_hours < 0)",
        [touched],
    )
    if cr.fetchone()[0]:
        failures.append("a negative balance")

    # -- settlement: 3 lines per settled account (a zero part posts nothing)
    cr.execute(
        """SELECT s.id, s.hours_total, s.hours_goods, s.hours_reserve, s.goods_ratio,
                  (SELECT coalesce(sum(i.hours), 0) FROM timebank_settlement_item i
                    WHERE i.settlement_line_id = s.id),
                  (SELECT count(*) FROM timebank_settlement_item i
                    WHERE i.settlement_line_id = s.id)
             FROM timebank_settlement_line s
            WHERE s.run_id > %s AND s.state = 'done'""",
        [maxima["timebank_settlement_run"]],
    )
    settled_lines = 0
    settled = cr.fetchall()
    items_total = 0
    for line_id, hours, goods, reserve, ratio, items, item_count in settled:
        items_total += item_count
        parts = {
            "unsettled": -float(hours),
            "goods": float(goods),
            "reserve": float(reserve),
        }
        expect(failures, f"settlement line {line_id} items", items, hours)
        expect(
            failures,
            f"settlement line {line_id} parts",
            float(goods) + float(reserve),
            hours,
        )
        expect(
            failures,
            f"settlement line {line_id} goods share",
            goods,
            float(
                (Decimal(str(hours)) * Decimal(str(ratio)) / 100).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            ),
        )
        cr.execute(
            "SELECT bucket, hours FROM timebank_ledger_line WHERE "
            "res_model = 'timebank.settlement.line' AND res_id = %s",
            [line_id],
        )
        posted = dict(cr.fetchall())
        wanted = {bucket: h for bucket, h in parts.items() if abs(h) > 0.001}
        settled_lines += len(wanted)
        if {b: float(h) for b, h in posted.items()} != wanted:
            failures.append(
                f"settlement line {line_id}: posted {posted}, wanted {wanted}"
            )
    cr.execute(
        """SELECT count(*) FROM timebank_settlement_item i
             JOIN timebank_ledger_line l ON l.id = i.ledger_line_id
             JOIN timebank_settlement_line s ON s.id = i.settlement_line_id
             JOIN timebank_settlement_run r ON r.id = s.run_id
             JOIN timebank_service_record sr ON sr.id = l.res_id
            WHERE r.id > %s AND (l.res_model != 'timebank.service.record'
                  OR l.bucket != 'unsettled' OR sr.date_start >=
                  ((r.date_to + 1)::timestamp AT TIME ZONE r.tz) AT TIME ZONE 'UTC')""",
        [maxima["timebank_settlement_run"]],
    )
    wrong_items = cr.fetchone()[0]
    if wrong_items:
        failures.append(
            f"{wrong_items} settled ledger lines outside their run's period"
        )
    cr.execute(
        "SELECT state, count(*) FROM timebank_settlement_run WHERE id > %s "
        "GROUP BY state",
        [maxima["timebank_settlement_run"]],
    )
    runs = dict(cr.fetchall())
    if runs.get("running") or runs.get("previewed") or runs.get("draft"):
        failures.append(f"settlement runs left unfinished: {runs}")
    if sum(runs.values()) - runs.get("cancelled", 0) != total["settle_ok"]:
        failures.append(f"{runs} settlement runs for {total['settle_ok']} started")
    cr.execute(
        "SELECT count(*) FROM timebank_settlement_line WHERE run_id > %s "
        "AND state = 'skipped'",
        [maxima["timebank_settlement_run"]],
    )
    skipped = cr.fetchone()[0]
    figures["settled"] = (
        f"{runs.get('done', 0)} runs done, {len(settled)} accounts settled "
        f"({skipped} skipped), {items_total} ledger lines settled, "
        f"{settled_lines} settlement lines posted"
    )

    # -- new ledger lines per kind = successful operations of that kind
    wanted_kinds = {
        ("deposit", "timebank.service.record"): total["deposit_ok"] + total["debit_ok"],
        ("reversal", "timebank.service.record"): total["reversal_ok"],
        ("withdrawal", "timebank.withdrawal"): total["debited"],
        ("settlement", "timebank.settlement.line"): settled_lines,
        ("redemption", "timebank.redemption"): total["redeem_ok"],
        ("reversal", "timebank.redemption"): total["red_cancel_ok"],
        ("reversal", "timebank.redemption.return"): total["return_ok"],
    }
    cr.execute(
        "SELECT kind, res_model, count(*) FROM timebank_ledger_line WHERE id > %s "
        "GROUP BY kind, res_model",
        [line_max],
    )
    seen_kinds = {(kind, model): count for kind, model, count in cr.fetchall()}
    for key in set(wanted_kinds) | set(seen_kinds):
        if seen_kinds.get(key, 0) != wanted_kinds.get(key, 0):
            failures.append(
                f"{seen_kinds.get(key, 0)} new {key[0]} lines of {key[1]} for "
                f"{wanted_kinds.get(key, 0)} successful operations"
            )
    cr.execute("SELECT count(*) FROM timebank_ledger_line")
    figures["new_lines"] = cr.fetchone()[0] - lines_before
    figures["postings"] = sum(wanted_kinds.values())
    figures["by_kind"] = {
        f"{kind}/{model.split('.')[-1]}": count
        for (kind, model), count in sorted(wanted_kinds.items())
    }
    if figures["new_lines"] != figures["postings"]:
        failures.append(
            f"{figures['new_lines']} new lines for {figures['postings']} postings"
        )

    # -- service records of the run
    record_max = maxima["timebank_service_record"]
    if len(cancelled) != len(set(cancelled)):
        failures.append("a record was reversed twice")
    cr.execute(
        """SELECT r.id, r.state, count(l.id) FILTER (WHERE l.kind = 'deposit'),
                  count(l.id) FILTER (WHERE l.kind = 'reversal'),
                  coalesce(sum(l.hours), 0)
             FROM timebank_service_record r
             LEFT JOIN timebank_ledger_line l
               ON l.res_model = 'timebank.service.record' AND l.res_id = r.id
            WHERE r.id > %s GROUP BY r.id, r.state""",
        [record_max],
    )
    states = {"confirmed": 0, "cancelled": 0, "other": 0}
    for rid, state, deposits, reversals, net in cr.fetchall():
        if state == "confirmed":
            states["confirmed"] += 1
            if deposits != 1 or reversals != 0 or net <= 0:
                failures.append(
                    f"record {rid} confirmed: {deposits} deposits, "
                    f"{reversals} reversals, net {net}"
                )
        elif state == "cancelled" and deposits:
            states["cancelled"] += 1
            if deposits != 1 or reversals != 1 or abs(net) > 0.001:
                failures.append(
                    f"record {rid} cancelled: {deposits} deposits, "
                    f"{reversals} reversals, net {net}"
                )
        else:
            states["other"] += 1
            if deposits or reversals:
                failures.append(f"record {rid} {state} has ledger lines")
    figures["states"] = states
    confirmed_ok = total["deposit_ok"] + total["debit_ok"]
    if states["confirmed"] + states["cancelled"] != confirmed_ok:
        failures.append(f"{states} records vs {confirmed_ok} confirmations")
    if states["cancelled"] != total["reversal_ok"]:
        failures.append(
            f"{states['cancelled']} cancelled records vs "
            f"{total['reversal_ok']} reversals"
        )
    cr.execute(
        """SELECT count(*) FROM timebank_service_record a
             JOIN timebank_service_record b
               ON a.volunteer_id = b.volunteer_id AND a.id < b.id
              AND a.date_start < b.date_end AND b.date_start < a.date_end
            WHERE a.id > %s AND b.id > %s
              AND a.state NOT IN ('rejected', 'cancelled')
              AND b.state NOT IN ('rejected', 'cancelled')""",
        [record_max, record_max],
    )
    figures["overlaps"] = cr.fetchone()[0]
    if figures["overlaps"]:
        failures.append(f"{figures['overlaps']} pairs of active overlapping services")

    # -- withdrawals: holds add up, debits are the real hours of the service
    cr.execute(
        """SELECT a.id, a.balance_reserve, a.hold_hours,
                  coalesce((SELECT sum(h.hours) FROM timebank_hold h
                             WHERE h.account_id = a.id AND h.state = 'active'), 0)
             FROM timebank_account a WHERE a.id = ANY(%s)""",
        [touched],
    )
    held_total = 0.0
    for aid, reserve, held, active in cr.fetchall():
        held_total += float(active)
        expect(failures, f"account {aid}: hold_hours vs active holds", held, active)
        if float(active) - float(reserve) > 0.001:
            failures.append(f"account {aid}: {active} hours held > reserve {reserve}")
    figures["held"] = held_total
    cr.execute(
        """SELECT w.id, w.state, w.estimated_hours, w.hours_debited, r.state,
                  r.weighted_hours,
                  (SELECT coalesce(sum(h.hours), 0) FROM timebank_hold h
                    WHERE h.withdrawal_id = w.id AND h.state = 'active'),
                  (SELECT count(*) FROM timebank_hold h
                    WHERE h.withdrawal_id = w.id AND h.state = 'consumed'),
                  (SELECT count(*) FROM timebank_ledger_line l
                    WHERE l.res_model = 'timebank.withdrawal' AND l.res_id = w.id),
                  (SELECT coalesce(sum(l.hours), 0) FROM timebank_ledger_line l
                    WHERE l.res_model = 'timebank.withdrawal' AND l.res_id = w.id)
             FROM timebank_withdrawal w
             LEFT JOIN timebank_service_record r ON r.id = w.service_record_id
            WHERE w.id > %s""",
        [maxima["timebank_withdrawal"]],
    )
    by_state = {}
    debited_hours = 0.0
    for (
        wid,
        state,
        estimated,
        debited,
        rstate,
        weighted,
        active,
        consumed,
        n,
        net,
    ) in cr.fetchall():
        by_state[state] = by_state.get(state, 0) + 1
        if state == "done":
            debited_hours += float(debited)
            if (
                rstate != "confirmed"
                or n != 1
                or consumed != 1
                or active
                or abs(float(net) + float(debited)) > 0.001
                or abs(float(debited) - float(weighted)) > 0.001
            ):
                failures.append(
                    f"withdrawal {wid} done: service {rstate}, {n} lines net {net}, "
                    f"debited {debited} of {weighted}, holds {consumed} consumed "
                    f"{active} active"
                )
        elif state == "applied":
            expect(
                failures, f"withdrawal {wid} applied: active hold", active, estimated
            )
            if n:
                failures.append(f"withdrawal {wid} applied has ledger lines")
        elif active or n:
            failures.append(f"withdrawal {wid} {state}: hold {active}, {n} lines")
    figures["applied"] = by_state.get("applied", 0)
    figures["debited_hours"] = debited_hours
    if by_state.get("done", 0) != total["debited"]:
        failures.append(f"{by_state} withdrawals vs {total['debited']} debits")
    if figures["applied"] != total["hold_ok"] - total["release_ok"] - total["debited"]:
        failures.append(
            f"{figures['applied']} applied withdrawals vs {total['hold_ok']} holds - "
            f"{total['release_ok']} releases - {total['debited']} debits"
        )

    # -- redemptions: hours and goods move together
    cr.execute(
        """SELECT r.id, r.state, r.total_hours, p.state,
                  count(l.id) FILTER (WHERE l.kind = 'redemption'),
                  count(l.id) FILTER (WHERE l.kind = 'reversal'),
                  coalesce(sum(l.hours), 0)
             FROM timebank_redemption r
             LEFT JOIN stock_picking p ON p.id = r.picking_id
             LEFT JOIN timebank_ledger_line l
               ON l.res_model = 'timebank.redemption' AND l.res_id = r.id
            WHERE r.id > %s GROUP BY r.id, r.state, r.total_hours, p.state""",
        [maxima["timebank_redemption"]],
    )
    red_states = {}
    for rid, state, hours, picking, debits, reversals, net in cr.fetchall():
        red_states[state] = red_states.get(state, 0) + 1
        if state in ("confirmed", "done", "partial_return", "returned"):
            ok = (
                debits == 1
                and reversals == 0
                and abs(float(net) + float(hours)) < 0.001
                and picking == ("assigned" if state == "confirmed" else "done")
            )
        elif state == "cancel":
            ok = debits == 1 and reversals == 1 and abs(net) < 0.001
            ok = ok and picking == "cancel"
        else:
            ok = False  # refused drafts were deleted
        if not ok:
            failures.append(
                f"redemption {rid} {state}: {debits} debits, {reversals} reversals, "
                f"net {net} for {hours} h, picking {picking}"
            )
    handed = sum(red_states.get(s, 0) for s in ("done", "partial_return", "returned"))
    if sum(red_states.values()) != total["redeem_ok"]:
        failures.append(f"{red_states} redemptions vs {total['redeem_ok']} confirmed")
    if red_states.get("cancel", 0) != total["red_cancel_ok"]:
        failures.append(f"{red_states} vs {total['red_cancel_ok']} cancellations")
    if handed != total["hand_over_ok"]:
        failures.append(f"{red_states} vs {total['hand_over_ok']} hand-overs")
    cr.execute(
        """SELECT t.id, t.state, t.total_hours, p.state,
                  (SELECT count(*) FROM timebank_ledger_line l
                    WHERE l.res_model = 'timebank.redemption.return'
                      AND l.res_id = t.id),
                  (SELECT coalesce(sum(l.hours), 0) FROM timebank_ledger_line l
                    WHERE l.res_model = 'timebank.redemption.return'
                      AND l.res_id = t.id)
             FROM timebank_redemption_return t
             LEFT JOIN stock_picking p ON p.id = t.picking_id
            WHERE t.id > %s""",
        [maxima["timebank_redemption_return"]],
    )
    returns_done = 0
    for tid, state, hours, picking, n, net in cr.fetchall():
        returns_done += state == "done"
        if state != "done" or picking != "done" or n != 1 or abs(net - hours) > 0.001:
            failures.append(
                f"return {tid} {state}: picking {picking}, {n} lines net {net} "
                f"for {hours} h"
            )
    if returns_done != total["return_ok"]:
        failures.append(f"{returns_done} returns done vs {total['return_ok']}")
    # stock: quantity delivered = redeemed - returned, reserved = waiting
    stock_after = stock_figures(cr, product_ids, location_id)
    cr.execute(
        """SELECT l.product_id,
                  coalesce(sum(l.quantity) FILTER (WHERE r.state IN
                      ('done', 'partial_return', 'returned')), 0),
                  coalesce(sum(l.quantity) FILTER (WHERE r.state = 'confirmed'), 0),
                  coalesce(sum(l.qty_returned), 0)
             FROM timebank_redemption_line l
             JOIN timebank_redemption r ON r.id = l.redemption_id
            WHERE r.id > %s GROUP BY l.product_id""",
        [maxima["timebank_redemption"]],
    )
    redeemed = {p: (float(a), float(b), float(c)) for p, a, b, c in cr.fetchall()}
    cr.execute(
        """SELECT m.product_id,
                  coalesce(sum(m.quantity) FILTER (WHERE p.timebank_redemption_id
                      > %s), 0),
                  coalesce(sum(m.quantity) FILTER (WHERE t.id > %s), 0)
             FROM stock_move m JOIN stock_picking p ON p.id = m.picking_id
             LEFT JOIN timebank_redemption_return t
               ON t.id = p.timebank_redemption_return_id
            WHERE m.state = 'done' AND m.product_id = ANY(%s)
            GROUP BY m.product_id""",
        [
            maxima["timebank_redemption"],
            maxima["timebank_redemption_return"],
            product_ids,
        ],
    )
    moved = {p: (float(a), float(b)) for p, a, b in cr.fetchall()}
    # no negative stock and no over-reservation per product and location;
    # single quant rows may be negative: Odoo creates a new quant when the
    # row is locked by a concurrent transaction (a confirmation holding the
    # outlet's quants) and merges them later (_merge_quants, its quant task)
    negative_sql = """
        SELECT count(*) FROM (
            SELECT q.product_id, q.location_id FROM stock_quant q
              JOIN stock_location l ON l.id = q.location_id
             WHERE q.product_id = ANY(%s) AND l.usage = 'internal'
             GROUP BY q.product_id, q.location_id
            HAVING sum(coalesce(q.quantity, 0)) < 0
                OR sum(q.reserved_quantity) < 0
                OR sum(q.reserved_quantity) > sum(coalesce(q.quantity, 0))) AS n"""
    cr.execute(negative_sql, [product_ids])
    negative = cr.fetchone()[0]
    if negative:
        failures.append(f"{negative} products with negative or over-reserved stock")
    quant_rows_sql = """
        SELECT count(*) FROM stock_quant q JOIN stock_location l
            ON l.id = q.location_id WHERE q.product_id = ANY(%s)
           AND l.usage = 'internal' AND (coalesce(q.quantity, 0) < 0
            OR q.reserved_quantity < 0
            OR q.reserved_quantity > coalesce(q.quantity, 0))"""
    cr.execute(quant_rows_sql, [product_ids])
    split = cr.fetchone()[0]
    env["stock.quant"]._merge_quants()
    env.flush_all()
    cr.execute(quant_rows_sql, [product_ids])
    merged = cr.fetchone()[0]
    if merged:
        failures.append(f"{merged} negative or over-reserved quants after merging")
    stock = []
    for product in product_ids:
        handed_qty, waiting_qty, returned_qty = redeemed.get(product, (0.0, 0.0, 0.0))
        delivered, back = moved.get(product, (0.0, 0.0))
        before, after = stock_before[product], stock_after[product]
        expect(failures, f"product {product} delivered", delivered, handed_qty)
        expect(failures, f"product {product} returned", back, returned_qty)
        expect(
            failures,
            f"product {product} on hand",
            before[0] - after[0],
            handed_qty - returned_qty,
        )
        expect(
            failures, f"product {product} reserved", after[1] - before[1], waiting_qty
        )
        stock.append(
            f"#{product}: {before[0]:g} -> {after[0]:g} on hand (delivered "
            f"{delivered:g} = handed over {handed_qty:g}, returned {back:g}), "
            f"reserved {after[1] - before[1]:+g} = waiting {waiting_qty:g}"
        )
    figures["stock"] = "; ".join(stock) + (
        f"; negative stock {negative}; quant rows split by concurrent updates "
        f"(negative alone) {split}, after Odoo's _merge_quants {merged}"
    )
    return figures


def main():  # noqa: C901 (one linear script: setup, load, checks)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_conc")
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 operations")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--http-port",
        type=int,
        default=9273,
        help="HTTP port; the gevent port is the next one",
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")
    if not 9269 <= args.http_port <= 9278:
        parser.error("use an HTTP port in 9269-9279")
    if args.quick:
        args.ops = 200
    started = time.perf_counter()
    if not args.reuse:
        create_db(args.db, args.http_port, "timebank_volunteer,timebank_exchange")

    import odoo
    from odoo import api

    registry = open_registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        admin.password = "admin"
        volunteers = env["timebank.volunteer"].search(
            [("state", "=", "active")], limit=ACCOUNTS, order="id"
        )
        accounts = env["timebank.account"]._ensure_accounts(volunteers)
        recipient = env["timebank.recipient"].search([], limit=1, order="id")
        # withdrawals: each volunteer serves itself (a recipient of its own
        # partner) and gets 6 reserve hours, posted once through _post_lines;
        # redemptions: 5 goods-exchangeable hours each, posted once the same way
        selves = []
        for volunteer in volunteers:
            self_recipient = env["timebank.recipient"].search(
                [("partner_id", "=", volunteer.partner_id.id)], limit=1
            ) or env["timebank.recipient"].create(
                {"partner_id": volunteer.partner_id.id, "node_id": volunteer.node_id.id}
            )
            selves.append(self_recipient.id)
        for source, bucket, hours in (
            ("tb.load.seed", "reserve", RESERVE),
            ("tb.load.seed.goods", "goods", GOODS),
        ):
            cr.execute(
                "SELECT count(*) FROM timebank_ledger_line WHERE res_model = %s",
                [source],
            )
            if not cr.fetchone()[0]:
                env["timebank.account"]._post_lines(
                    [
                        {
                            "account_id": account.id,
                            "hours": hours,
                            "bucket": bucket,
                            "kind": "adjustment",
                            "res_model": source,
                            "res_id": account.id,
                            "name": "load test seed",
                        }
                        for account in accounts
                    ]
                )
        service_type = env["timebank.service.type"].search([], limit=1, order="id")
        district = env["timebank.node"].search([("parent_id", "=", False)])
        if len(district) != 1 or not all(
            v.node_id.parent_path.startswith(district.parent_path) for v in volunteers
        ):
            print("FAIL: the demo data has not one district above the volunteers")
            return 1
        cron = env.ref("timebank_volunteer.ir_cron_timebank_settlement")
        # months of 2023 onwards already settled by an earlier run (--reuse)
        cr.execute(
            "SELECT max(date_to) FROM timebank_settlement_run "
            "WHERE state != 'cancelled' AND date_to < '2026-01-01'"
        )
        last = cr.fetchone()[0]
        month0 = (last.year - 2023) * 12 + last.month if last else 0
        # goods: two products at one outlet; few units of the dearer one, so
        # that redemptions race for the last unit (and for the last hours)
        outlet = env.ref("timebank_exchange.outlet_yunhe_demo")
        products = env["product.product"]
        for code, name, price, qty in PRODUCTS:
            product = products.search([("default_code", "=", code)])
            if not product:
                product = products.create(
                    {
                        "name": name,
                        "default_code": code,
                        "type": "consu",
                        "is_storable": True,
                        "timebank_exchangeable": True,
                        "timebank_hour_price": price,
                    }
                )
                env["stock.quant"]._update_available_quantity(
                    product, outlet.lot_stock_id, qty
                )
            products |= product
        env.flush_all()
        location = outlet.lot_stock_id
        stock_before = stock_figures(cr, products.ids, location.id)
        cr.execute("SELECT count(*) FROM timebank_ledger_line")
        lines_before = cr.fetchone()[0]
        maxima = {}
        for table in (
            "timebank_service_record",
            "timebank_withdrawal",
            "timebank_redemption",
            "timebank_redemption_return",
            "timebank_settlement_run",
            "timebank_ledger_line",
        ):
            cr.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
            maxima[table] = cr.fetchone()[0]
        ctx = {
            "volunteers": volunteers.ids,
            "selves": selves,
            "recipient": recipient.id,
            "service_type": service_type.id,
            "district": district.id,
            "cron": cron.id,
            "outlet": outlet.id,
            "products": products.ids,
            "uid": admin.id,
            "password": "admin",
            "db": args.db,
            "seed": args.seed,
            "settle_every": SETTLE_EVERY,
            "month0": month0,
        }
        account_ids = accounts.ids
    log(
        f"{len(ctx['volunteers'])} volunteers/accounts, recipient {recipient.id}, "
        f"type {service_type.id}, {lines_before} lines before, stock before "
        f"{stock_before}"
    )
    if len(ctx["volunteers"]) < ACCOUNTS:
        print("FAIL: the demo data has fewer than 10 active volunteers")
        return 1

    server_log = f"/tmp/{args.db}_server.log"
    if os.path.exists(server_log):
        os.remove(server_log)
    server = subprocess.Popen(
        # odoo-bin, not "-m odoo": the prefork server re-executes sys.argv[0]
        # for its gevent process
        [
            sys.executable,
            ODOO_BIN,
            "-d",
            args.db,
            f"--addons-path={ADDONS}",
            f"--http-port={args.http_port}",
            f"--gevent-port={args.http_port + 1}",
            "--http-interface=127.0.0.1",
            "--db-filter=^%s$" % args.db,
            "--workers=4",
            "--max-cron-threads=0",
            "--limit-time-real=300",
            "--limit-time-cpu=240",
            "--log-level=warn",
            f"--logfile={server_log}",
        ],
        start_new_session=True,
    )
    ctx["url"] = url = f"http://127.0.0.1:{args.http_port}"
    try:
        for _i in range(60):
            try:
                urllib.request.urlopen(f"{url}/web/login", timeout=5)
                break
            except OSError:
                time.sleep(1)
        log(f"server up on {url} (4 workers); {CLIENTS} clients, {args.ops} operations")
        manager = multiprocessing.Manager()
        shared = {
            "lock": manager.Lock(),
            "pool": manager.list(),
            "holds": manager.list(),
            "red_confirmed": manager.list(),
            "red_done": manager.list(),
        }
        per_client = [
            args.ops // CLIENTS + (1 if n < args.ops % CLIENTS else 0)
            for n in range(CLIENTS)
        ]
        t0 = time.perf_counter()
        with multiprocessing.Pool(CLIENTS) as workers:
            async_result = workers.map_async(
                client, [(n, per_client[n], ctx, shared) for n in range(CLIENTS)]
            )
            results = async_result.get(timeout=args.timeout)
        elapsed = time.perf_counter() - t0
        # the scheduler's next call: finish a run whose job was busy
        final = Rpc(url, args.db, ctx["uid"], ctx["password"])
        final("ir.cron", "method_direct_trigger", [[ctx["cron"]]])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    total = {k: sum(r[k] for r in results) for k in COUNTERS}
    errors = [e for r in results for e in r["errors"]]
    cancelled = [i for r in results for i in r["cancelled"]]
    refusals = {}
    for r in results:
        for key, count in r["refusals"].items():
            refusals[key] = refusals.get(key, 0) + count
    failures = []
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        figures = check_database(
            env,
            cr,
            total,
            cancelled,
            account_ids,
            maxima,
            lines_before,
            products.ids,
            location.id,
            stock_before,
            failures,
        )
        cr.rollback()

    print("\nfigures:")
    print(
        f"  operations {total['operations']}/{args.ops} in {elapsed:.1f}s "
        f"({total['operations'] / elapsed:.1f} ops/s, {CLIENTS} clients, 4 workers)"
    )
    print(f"  deposits  ok {total['deposit_ok']}, refused {total['deposit_refused']}")
    print(f"  reversals ok {total['reversal_ok']}, refused {total['reversal_refused']}")
    print(
        f"  withdrawal holds ok {total['hold_ok']}, refused {total['hold_refused']}; "
        f"releases ok {total['release_ok']}, refused {total['release_refused']}"
    )
    print(
        f"  withdrawal debits: linked {total['link_ok']} (refused "
        f"{total['link_refused']}), confirmed {total['debit_ok']} (refused "
        f"{total['debit_refused']}): debited {total['debited']}, released "
        f"meanwhile {total['debit_lost']}"
    )
    print(
        f"  hours held at the end {figures['held']:.2f}; applied withdrawals "
        f"{figures['applied']}; reserve debited {figures['debited_hours']:.2f} h"
    )
    print(
        f"  settlements: runs ok {total['settle_ok']}, refused "
        f"{total['settle_refused']} ('settle anyway' {total['settle_anyway']}); "
        f"job runs ok {total['trigger_ok']}, busy {total['trigger_refused']}; "
        f"{figures['settled']}"
    )
    print(
        f"  redemptions ok {total['redeem_ok']}, refused {total['redeem_refused']}; "
        f"hand-overs ok {total['hand_over_ok']}, refused "
        f"{total['hand_over_refused']}; cancels ok {total['red_cancel_ok']}, refused "
        f"{total['red_cancel_refused']}; returns ok {total['return_ok']}, refused "
        f"{total['return_refused']}"
    )
    print(f"  stock {figures['stock']}")
    for key, count in sorted(refusals.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    refused x{count}: {key}")
    with open(server_log, encoding="utf-8", errors="replace") as handle:
        conflicts = sum("could not serialize access" in line for line in handle)
    print(
        f"  serialization conflicts retried by the server: {conflicts} "
        f"(in {server_log}); requests sent again by a client after the "
        f"server's 5 tries: {total['client_retries']}"
    )
    print(
        f"  new ledger lines {figures['new_lines']} = successful postings "
        f"{figures['postings']} {figures['by_kind']}"
    )
    print(f"  records of the run: {figures['states']}")
    print(f"  active overlapping services of one volunteer: {figures['overlaps']}")
    print(f"  verification: {figures['check']}")
    for error in errors[:20]:
        print("ERROR", error)
    if total["operations"] != args.ops:
        failures.append("not every operation was accounted for")
    for failure in failures:
        print("BROKEN", failure)
    log(f"done in {time.perf_counter() - started:.1f}s")
    failed = bool(failures or errors)
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
