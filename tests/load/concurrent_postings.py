#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Load suite (issue 10): concurrent postings over JSON-RPC keep every hour.

One command (not collected by ``make test``):

    python3 tests/load/concurrent_postings.py --db tb_load_conc            # 1,000 ops
    python3 tests/load/concurrent_postings.py --db tb_load_conc --quick    # 200 ops

It (re)creates the database with ``timebank_volunteer`` and its demo data,
starts Odoo with ``--workers=4`` on localhost (port 9273 by default, stopped
at the end) and runs 8 client processes that make, in total, N mixed
operations as the district administrator over JSON-RPC against the accounts
of 10 volunteers:

    deposit   create a 1-hour service record, ``action_submit``,
              ``action_confirm`` (a deposit line)
    reversal  ``action_cancel`` on a confirmed record taken from a pool shared
              by all clients (a reversing debit line); two clients may race
              for the same record: exactly one may win, the other must get a
              clear refusal
    hold      create a withdrawal of 0.5-3 estimated hours (the volunteer
              serves itself) and ``action_apply`` it: a hold on the service
              reserve (each account is seeded once with 6 reserve hours through
              ``_post_lines``); over-promising must be refused
    release   ``action_cancel`` on an applied withdrawal from a shared pool

Odoo retries serialization conflicts of RPC requests itself; a request that
still fails with anything other than a UserError / ValidationError /
AccessError is an ERROR. Afterwards it checks, from the database: every
balance equals the sum of its lines (``_check_chain`` on the 10 accounts),
no bucket is negative, the number of new ledger lines equals the number of
successful postings (deposits + reversals), every confirmed record of the run
has exactly one deposit line and no reversal, every cancelled-after-confirm
record has net zero hours, the hours held on each account equal its active holds
and never exceed its reserve, the applied withdrawals = holds - releases.
Prints the figures and timing; exits 1 on any
broken invariant or ERROR.
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

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDONS = f"/opt/odoo18/odoo/addons,{REPO}"
ODOO_BIN = "/opt/odoo18/odoo-bin"
CLIENTS = 8
ACCOUNTS = 10
RESERVE = 6.0
DAY0 = datetime(2023, 1, 2, 1, 0, 0)  # 09:00 Asia/Shanghai


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Rpc:
    def __init__(self, url, db, uid, password):
        self.url, self.db, self.uid, self.password = url, db, uid, password
        self.counter = 0

    def __call__(self, model, method, args, kwargs=None):
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
            "odoo.exceptions.AccessError",
            "odoo.exceptions.MissingError",
        )


def reason(message):
    """A refusal, without the names in it."""
    for pattern in (
        "cannot be in two services at once",
        "is not possible for",
        "cannot be promised",
        "more than the maximum",
        "Not enough hours",
    ):
        if pattern in message:
            return pattern
    return message[:60]


def client(args):
    (
        number,
        ops,
        url,
        db,
        uid,
        password,
        volunteers,
        recipient,
        service_type,
        pool,
        lock,
        seed,
        selves,
        holds,
    ) = args
    rng = random.Random(seed + number)
    rpc = Rpc(url, db, uid, password)
    result = {
        "deposit_ok": 0,
        "deposit_refused": 0,
        "reversal_ok": 0,
        "reversal_refused": 0,
        "errors": [],
        "confirmed": [],
        "cancelled": [],
        "refusals": {},
        "hold_ok": 0,
        "hold_refused": 0,
        "release_ok": 0,
        "release_refused": 0,
    }
    for i in range(ops):
        with lock:
            can_reverse = len(pool) > 0
            can_release = len(holds) > 0
        draw = rng.random()
        if 0.3 <= draw < 0.45 or (can_release and 0.45 <= draw < 0.52):
            apply = draw < 0.45
            step = "hold" if apply else "release"
            try:
                if apply:
                    index = rng.randrange(len(volunteers))
                    withdrawal = rpc(
                        "timebank.withdrawal",
                        "create",
                        [
                            {
                                "volunteer_id": volunteers[index],
                                "recipient_id": selves[index],
                                "service_type_id": service_type,
                                "estimated_hours": rng.choice([0.5, 1.0, 2.0, 3.0]),
                            }
                        ],
                    )
                    rpc("timebank.withdrawal", "action_apply", [[withdrawal]])
                    with lock:
                        holds.append(withdrawal)
                else:
                    with lock:
                        withdrawal = holds[rng.randrange(len(holds))]
                    rpc("timebank.withdrawal", "action_cancel", [[withdrawal]])
                    with lock:
                        if withdrawal in holds:
                            holds.remove(withdrawal)
                result[f"{step}_ok"] += 1
            except RpcError as exc:
                if exc.clear:
                    result[f"{step}_refused"] += 1
                    key = reason(exc.message)
                    result["refusals"][key] = result["refusals"].get(key, 0) + 1
                else:
                    result["errors"].append(f"{step}: {exc}"[:300])
            continue
        if can_reverse and draw < 0.3:
            with lock:
                record_id = pool[rng.randrange(len(pool))]
            try:
                rpc("timebank.service.record", "action_cancel", [[record_id]])
                result["reversal_ok"] += 1
                result["cancelled"].append(record_id)
                with lock:
                    if record_id in pool:
                        pool.remove(record_id)
            except RpcError as exc:
                if exc.clear:
                    result["reversal_refused"] += 1
                    key = reason(exc.message)
                    result["refusals"][key] = result["refusals"].get(key, 0) + 1
                else:
                    result["errors"].append(f"reversal {record_id}: {exc}"[:300])
            continue
        # the clients share days (client n's i-th deposit is on day i): two
        # clients may record the same volunteer in the same slot at once
        slot = number * 10_000 + i
        start = DAY0 + timedelta(days=slot % 1000, minutes=(slot // 1000) * 70)
        volunteer = volunteers[rng.randrange(len(volunteers))]
        record_id = None
        try:
            record_id = rpc(
                "timebank.service.record",
                "create",
                [
                    {
                        "volunteer_id": volunteer,
                        "recipient_id": recipient,
                        "service_type_id": service_type,
                        "date_start": start.strftime("%Y-%m-%d %H:%M:%S"),
                        "date_end": (start + timedelta(hours=1)).strftime(
                            "%Y-%m-%d %H:%M:%S"
                        ),
                        "note": f"load {number}-{i}",
                    }
                ],
            )
            rpc("timebank.service.record", "action_submit", [[record_id]])
            rpc("timebank.service.record", "action_confirm", [[record_id]])
            result["deposit_ok"] += 1
            result["confirmed"].append(record_id)
            with lock:
                pool.append(record_id)
        except RpcError as exc:
            if exc.clear:
                result["deposit_refused"] += 1
                key = reason(exc.message)
                result["refusals"][key] = result["refusals"].get(key, 0) + 1
            else:
                result["errors"].append(f"deposit {record_id}: {exc}"[:300])
        except OSError as exc:
            result["errors"].append(f"deposit {record_id}: {exc}"[:300])
    return result


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
        log(f"creating {args.db} with timebank_volunteer and its demo data")
        subprocess.run(["dropdb", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", args.db], check=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-d",
                args.db,
                f"--addons-path={ADDONS}",
                "-i",
                "timebank_volunteer",
                "--stop-after-init",
                f"--http-port={args.http_port}",
                "--log-level=warn",
            ],
            check=True,
        )

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["-d", args.db, f"--addons-path={ADDONS}", "--log-level=critical"]
    )
    registry = Registry(args.db)
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
        # partner) and gets 6 reserve hours, posted once through _post_lines
        selves = []
        for volunteer in volunteers:
            self_recipient = env["timebank.recipient"].search(
                [("partner_id", "=", volunteer.partner_id.id)], limit=1
            ) or env["timebank.recipient"].create(
                {"partner_id": volunteer.partner_id.id, "node_id": volunteer.node_id.id}
            )
            selves.append(self_recipient.id)
        cr.execute(
            "SELECT count(*) FROM timebank_ledger_line WHERE res_model = 'tb.load.seed'"
        )
        if not cr.fetchone()[0]:
            env["timebank.account"]._post_lines(
                [
                    {
                        "account_id": account.id,
                        "hours": RESERVE,
                        "bucket": "reserve",
                        "kind": "adjustment",
                        "res_model": "tb.load.seed",
                        "res_id": account.id,
                        "name": "load test reserve",
                    }
                    for account in accounts
                ]
            )
        service_type = env["timebank.service.type"].search([], limit=1, order="id")
        cr.execute("SELECT count(*) FROM timebank_ledger_line")
        lines_before = cr.fetchone()[0]
        cr.execute("SELECT coalesce(max(id), 0) FROM timebank_service_record")
        record_max = cr.fetchone()[0]
        volunteer_ids, account_ids = volunteers.ids, accounts.ids
        uid = admin.id
    log(
        f"{len(volunteer_ids)} volunteers/accounts, recipient {recipient.id}, "
        f"type {service_type.id}, {lines_before} lines before"
    )
    if len(volunteer_ids) < ACCOUNTS:
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
    url = f"http://127.0.0.1:{args.http_port}"
    try:
        for _i in range(60):
            try:
                urllib.request.urlopen(f"{url}/web/login", timeout=5)
                break
            except OSError:
                time.sleep(1)
        log(f"server up on {url} (4 workers); {CLIENTS} clients, {args.ops} operations")
        manager = multiprocessing.Manager()
        pool, lock, holds = manager.list(), manager.Lock(), manager.list()
        per_client = [
            args.ops // CLIENTS + (1 if n < args.ops % CLIENTS else 0)
            for n in range(CLIENTS)
        ]
        t0 = time.perf_counter()
        with multiprocessing.Pool(CLIENTS) as workers:
            async_result = workers.map_async(
                client,
                [
                    (
                        n,
                        per_client[n],
                        url,
                        args.db,
                        uid,
                        "admin",
                        volunteer_ids,
                        recipient.id,
                        service_type.id,
                        pool,
                        lock,
                        args.seed,
                        selves,
                        holds,
                    )
                    for n in range(CLIENTS)
                ],
            )
            results = async_result.get(timeout=args.timeout)
        elapsed = time.perf_counter() - t0
    except BaseException:
        raise
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    total = {
        k: sum(r[k] for r in results)
        for k in (
            "deposit_ok",
            "deposit_refused",
            "reversal_ok",
            "reversal_refused",
            "hold_ok",
            "hold_refused",
            "release_ok",
            "release_refused",
        )
    }
    errors = [e for r in results for e in r["errors"]]
    cancelled = [i for r in results for i in r["cancelled"]]
    refusals = {}
    for r in results:
        for key, count in r["refusals"].items():
            refusals[key] = refusals.get(key, 0) + count
    postings = total["deposit_ok"] + total["reversal_ok"]
    failures = []

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        accounts = env["timebank.account"].browse(account_ids)
        check = accounts._check_chain()
        if not check["ok"]:
            failures.append(f"chain/balances: {check['message']}")
        cr.execute("SELECT count(*) FROM timebank_ledger_line")
        new_lines = cr.fetchone()[0] - lines_before
        if new_lines != postings:
            failures.append(f"{new_lines} new lines for {postings} successful postings")
        cr.execute(
            "SELECT count(*) FROM timebank_account WHERE id = ANY(%s) AND "
            "(balance_unsettled < 0 OR balance_goods < 0 OR balance_reserve < 0)",
            [account_ids],
        )
        if cr.fetchone()[0]:
            failures.append("a negative balance")
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
        if states["confirmed"] + states["cancelled"] != total["deposit_ok"]:
            failures.append(f"{states} records vs {total['deposit_ok']} deposits")
        if states["cancelled"] != total["reversal_ok"]:
            failures.append(
                f"{states['cancelled']} cancelled records vs "
                f"{total['reversal_ok']} reversals"
            )
        # holds never promise more than the reserve, and add up
        cr.execute(
            """SELECT a.id, a.balance_reserve, a.hold_hours,
                      coalesce((SELECT sum(h.hours) FROM timebank_hold h
                                 WHERE h.account_id = a.id AND h.state = 'active'), 0)
                 FROM timebank_account a WHERE a.id = ANY(%s)""",
            [account_ids],
        )
        held_total = 0.0
        for aid, reserve, held, active in cr.fetchall():
            held_total += float(active)
            if abs(float(held) - float(active)) > 0.001:
                failures.append(
                    f"account {aid}: hold_hours {held} != active holds {active}"
                )
            if float(active) - float(reserve) > 0.001:
                failures.append(
                    f"account {aid}: {active} hours held > reserve {reserve}"
                )
        cr.execute("SELECT count(*) FROM timebank_withdrawal WHERE state = 'applied'")
        applied_now = cr.fetchone()[0]
        if applied_now != total["hold_ok"] - total["release_ok"]:
            failures.append(
                f"{applied_now} applied withdrawals vs "
                f"{total['hold_ok']} holds - {total['release_ok']} releases"
            )
        # clients share days: two concurrent services of one volunteer in the
        # same slot must not both be active (the volunteer lock serializes)
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
        overlaps = cr.fetchone()[0]
        if overlaps:
            failures.append(f"{overlaps} pairs of active overlapping services")
        cr.execute(
            "SELECT sum(balance_unsettled + balance_goods + balance_reserve) "
            "FROM timebank_account WHERE id = ANY(%s)",
            [account_ids],
        )
        stored = cr.fetchone()[0]
        cr.rollback()

    ops_done = sum(total.values()) + len(errors)
    print("\nfigures:")
    print(
        f"  operations {ops_done}/{args.ops} in {elapsed:.1f}s "
        f"({ops_done / elapsed:.1f} ops/s, {CLIENTS} clients, 4 workers)"
    )
    print(f"  deposits  ok {total['deposit_ok']}, refused {total['deposit_refused']}")
    print(f"  reversals ok {total['reversal_ok']}, refused {total['reversal_refused']}")
    print(
        f"  withdrawal holds ok {total['hold_ok']}, refused {total['hold_refused']}; "
        f"releases ok {total['release_ok']}, refused {total['release_refused']}"
    )
    print(
        f"  hours held at the end {held_total:.2f} of {RESERVE * ACCOUNTS:.2f} "
        f"reserve; applied withdrawals {applied_now}"
    )
    for key, count in sorted(refusals.items(), key=lambda kv: -kv[1])[:6]:
        print(f"    refused x{count}: {key}")
    with open(server_log, encoding="utf-8", errors="replace") as handle:
        conflicts = sum("could not serialize access" in line for line in handle)
    print(
        f"  serialization conflicts retried by the server: {conflicts} "
        f"(in {server_log})"
    )
    print(f"  new ledger lines {new_lines} = successful postings {postings}")
    print(f"  records of the run: {states}")
    print(f"  stored hours on the 10 accounts: {stored}")
    print(f"  active overlapping services of one volunteer: {overlaps}")
    print(f"  verification: {check['message']}")
    for error in errors[:20]:
        print("ERROR", error)
    for failure in failures:
        print("BROKEN", failure)
    if ops_done != args.ops:
        failures.append("not every operation was accounted for")
    log(f"done in {time.perf_counter() - started:.1f}s")
    failed = bool(failures or errors)
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
