#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fault suite (issue 10): a settlement killed with SIGKILL, then resumed.

One command (not collected by ``make test``):

    python3 tests/faults/crash_settlement.py --db tb_load_crash          # 20 x 100,000
    python3 tests/faults/crash_settlement.py --db tb_load_crash --quick  # 5 x 5,000
    python3 tests/faults/crash_settlement.py --db tb_load_crash --reuse  # keep the base

Base (built once, kept as a TEMPLATE database ``<db>_base``; ``--reuse``
keeps it when its account count matches): ``timebank_volunteer`` without demo
data, then the settlement benchmark's SQL-speed generator
(``bench/bench_settlement.py``'s ``generate``): N accounts with K confirmed
services each (first days of 2024) and their chained deposit lines. The
expected per-account totals are computed from the SERVICE RECORDS with a plain
SQL aggregate (``tb_crash_expected``), independent of the ledger and of the
module; the candidate deposit lines are listed in ``tb_crash_candidates``.
All scheduled jobs are moved to tomorrow, as on a server that has run its
daily jobs: the settlement job then runs only because Confirm triggered it
(and, after a crash, because that trigger survived).

Each run: ``CREATE DATABASE <db>_run TEMPLATE <db>_base``; a settlement run of
the district for the closed half-year 2024-01-01 - 2024-06-30 is created,
previewed and confirmed through the ORM (Confirm triggers the job). Then a
REAL Odoo server (``odoo-bin``, threaded, one cron thread, no HTTP) is started
on that database and posts it on the job's own code path
(``ir.cron`` -> ``timebank.settlement.run._cron_process``, one commit per
batch of 1,000 accounts). The script only wakes the cron thread with the
NOTIFY Odoo itself sends on a trigger (repeated until the job starts) so it
does not sleep its 60 s poll interval. The server is killed with SIGKILL
(the whole process: an OOM kill or a power cut for the job) at a time drawn
uniformly over the expected duration from the server's start (that of the
uninterrupted control run, run 0, then followed from the posting rate of
each run's last phase, as the shared cores change speed), and, in about a
third of the runs, killed a second time after the restart. After
each kill the script waits for PostgreSQL to drop the dead server's
connections, checks that nothing is half-done (every account with settlement
lines has exactly its posted parts and its items, every pending one has
none, the run's counter matches, stored balances = sums of lines over all
accounts), restarts the server and lets it finish. Then it checks:

* the run is done, every account of the scope was settled exactly once
  (one settlement line done per account, none pending or skipped);
* settled hours per account = the expected aggregate, exactly (numeric);
* goods = round(total x ratio / 100, 2), goods + reserve = total, none < 0;
* settlement items: one per candidate deposit line, none twice, none
  elsewhere, each on the settlement line of its account, summing to it;
* settlement ledger lines: per account exactly -total unsettled, +goods,
  +reserve (zero parts are not posted), none twice;
* ledger line count = base + 3 per account;
* every account: unsettled 0, goods and reserve as expected, no negative
  bucket, stored balances = SUM of its lines per bucket, last sequence = its
  line count (set-based SQL over ALL accounts), and ``_check_chain()``
  (hash chain and balances, the module's own verification) on a random
  sample of 200 accounts;
* the job is not marked failed and its trigger is consumed.

Prints per run: kill time(s), batches done at each kill, open write
transactions killed, time to finish after the restart, result; then a
summary. Ends with ``RESULT: PASS`` or ``RESULT: FAIL`` (exit 1).
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "bench"))
ADDONS = f"/opt/odoo18/odoo/addons,{REPO}"
ODOO_BIN = "/opt/odoo18/odoo-bin"
CRON_XMLID = "timebank_volunteer.ir_cron_timebank_settlement"
PERIOD = (date(2024, 1, 1), date(2024, 6, 30))
BATCH = 1000  # the job's batch size (DEFAULT_BATCH_SIZE of the module)
CHAIN_SAMPLE = 200
SECOND_KILL_RATE = 0.3
LOG_DIR = "/tmp/tb_load_crash_logs"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def connect(db):
    cnx = psycopg2.connect(dbname=db)
    cnx.autocommit = True
    return cnx


def one(cnx, query, params=None):
    with cnx.cursor() as cr:
        cr.execute(query, params)
        return cr.fetchone()


def db_exists(db):
    cnx = connect("postgres")
    try:
        return bool(one(cnx, "SELECT 1 FROM pg_database WHERE datname = %s", [db]))
    finally:
        cnx.close()


def admin_sql(statement):
    cnx = connect("postgres")
    try:
        with cnx.cursor() as cr:
            cr.execute(statement)
    finally:
        cnx.close()


def close_registry(db):
    import odoo
    from odoo.modules.registry import Registry

    Registry.delete(db)
    odoo.sql_db.close_db(db)


# ----------------------------------------------------------------------
# base database
# ----------------------------------------------------------------------


def build_base(base, accounts, per_account):
    from bench_ledger import install
    from bench_settlement import generate

    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL

    log(f"creating {base} and installing timebank_volunteer")
    install(base, ADDONS, "9285")
    registry = Registry(base)
    scale = {"branches": 200, "volunteers": accounts, "lines_per_account": per_account}
    log(f"generating {accounts} accounts x {per_account} confirmed services")
    generate(registry, api, SQL, scale)
    with registry.cursor() as cr:
        # independent expectation: from the service records, not the ledger
        cr.execute("""
            CREATE TABLE tb_crash_expected AS
            SELECT a.id AS account_id, SUM(r.weighted_hours)::numeric AS total,
                   count(*) AS services
              FROM timebank_service_record r
              JOIN timebank_account a ON a.volunteer_id = r.volunteer_id
             WHERE r.state = 'confirmed' AND r.date_start < '2024-07-01'
             GROUP BY a.id""")
        cr.execute("ALTER TABLE tb_crash_expected ADD PRIMARY KEY (account_id)")
        cr.execute("""
            CREATE TABLE tb_crash_candidates AS
            SELECT id AS ledger_line_id, account_id, hours
              FROM timebank_ledger_line
             WHERE bucket = 'unsettled' AND kind IN ('deposit', 'reversal')
               AND res_model = 'timebank.service.record'""")
        cr.execute("ALTER TABLE tb_crash_candidates ADD PRIMARY KEY (ledger_line_id)")
        # a server that has run its daily jobs: nothing is due before tomorrow
        cr.execute(
            "UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') "
            "+ interval '1 day'"
        )
        cr.execute("DELETE FROM ir_cron_trigger")
        cr.execute("ANALYZE tb_crash_expected")
        cr.execute("ANALYZE tb_crash_candidates")
    close_registry(base)


def base_accounts(base):
    cnx = connect(base)
    try:
        return one(cnx, "SELECT count(*) FROM tb_crash_expected")[0]
    except psycopg2.Error:
        return None
    finally:
        cnx.close()


# ----------------------------------------------------------------------
# one run
# ----------------------------------------------------------------------


def prepare_run(base, rundb):
    """Copy the base, then create, preview and confirm the settlement."""
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry

    admin_sql(f'DROP DATABASE IF EXISTS "{rundb}" WITH (FORCE)')
    start = time.perf_counter()
    admin_sql(f'CREATE DATABASE "{rundb}" TEMPLATE "{base}"')
    copy_time = time.perf_counter() - start
    registry = Registry(rundb)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT id FROM timebank_node WHERE code = 'BD1'")
        district = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM timebank_ledger_line")
        base_lines = cr.fetchone()[0]
        run = env["timebank.settlement.run"].create(
            {
                "node_id": district,
                "date_from": PERIOD[0],
                "date_to": PERIOD[1],
                "settle_anyway": True,
            }
        )
        start = time.perf_counter()
        run.action_preview()
        run.action_confirm()  # triggers the settlement job
        cr.commit()
        preview_time = time.perf_counter() - start
        info = {
            "run_id": run.id,
            "ratio": run.goods_ratio,
            "line_count": run.line_count,
            "base_lines": base_lines,
            "cron_id": env.ref(CRON_XMLID).id,
            "copy_time": copy_time,
            "preview_time": preview_time,
        }
    close_registry(rundb)
    return info


class Server:
    """A real Odoo server (threaded, one cron thread, no HTTP) on ``db``."""

    def __init__(self, db, logfile):
        self.db = db
        self.logfile = logfile
        self.out = open(logfile, "w")  # noqa: SIM115 (closed in stop/kill)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                ODOO_BIN,
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--addons-path={ADDONS}",
                "--no-http",
                "--workers=0",
                "--max-cron-threads=1",
                "--log-level=info",
            ],
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={k: v for k, v in os.environ.items() if k != "ODOO_PGAPPNAME"},
        )

    @property
    def elapsed(self):
        return time.perf_counter() - self.started

    @property
    def appname(self):
        return f"odoo-{self.proc.pid}"

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.out.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.out.close()


def wait_backends_gone(mon, appname, timeout=60):
    """PostgreSQL rolls back the dead server's transactions when it notices
    the closed connections; wait for that before looking or restarting."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if not one(
            mon,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [appname],
        )[0]:
            return True
        time.sleep(0.1)
    return False


def notify(db):
    """What ``ir.cron._notifydb`` does: NOTIFY on the ``postgres`` database,
    where the cron threads LISTEN (a NOTIFY is seen only in its database)."""
    cnx = connect("postgres")
    try:
        one(cnx, "SELECT pg_notify('cron_trigger', %s)", [db])
    finally:
        cnx.close()


def progress_max(mon, cron_id):
    return one(
        mon,
        "SELECT COALESCE(max(id), 0) FROM ir_cron_progress WHERE cron_id = %s",
        [cron_id],
    )[0]


def run_state(mon, run_id):
    return one(
        mon,
        "SELECT state, done_count FROM timebank_settlement_run WHERE id = %s",
        [run_id],
    )


def open_writes(mon, appname):
    """Transactions of the server with writes (an xid) at this instant."""
    return one(
        mon,
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
        "AND backend_xid IS NOT NULL",
        [appname],
    )[0]


def half_done(mon, run_id):
    """Anomalies of a killed run: accounts half posted, counters off,
    balances that are not the sums of their lines."""
    problems = {}
    problems["accounts half posted"] = one(
        mon,
        """
        WITH posted AS (
            SELECT res_id, count(*) AS n FROM timebank_ledger_line
             WHERE res_model = 'timebank.settlement.line' GROUP BY res_id),
        itemized AS (
            SELECT settlement_line_id, SUM(hours) AS h FROM timebank_settlement_item
             GROUP BY settlement_line_id)
        SELECT count(*) FROM timebank_settlement_line s
          LEFT JOIN posted p ON p.res_id = s.id
          LEFT JOIN itemized i ON i.settlement_line_id = s.id
         WHERE s.run_id = %(run)s AND (
               (s.state = 'pending' AND (p.n IS NOT NULL OR i.h IS NOT NULL))
            OR (s.state = 'done' AND (
                   p.n IS DISTINCT FROM (s.hours_total <> 0)::int
                       + (s.hours_goods <> 0)::int + (s.hours_reserve <> 0)::int
                OR i.h IS DISTINCT FROM s.hours_total)))
        """,
        {"run": run_id},
    )[0]
    problems["run counter off"] = one(
        mon,
        """
        SELECT abs(r.done_count - (SELECT count(*) FROM timebank_settlement_line
                                    WHERE run_id = r.id AND state <> 'pending'))
          FROM timebank_settlement_run r WHERE r.id = %s
        """,
        [run_id],
    )[0]
    problems["balances off"] = balances_off(mon)
    return {k: v for k, v in problems.items() if v}


def balances_off(mon):
    return one(
        mon,
        """
        WITH sums AS (
            SELECT account_id, count(*) AS n, max(sequence) AS last,
                   SUM(hours) FILTER (WHERE bucket = 'unsettled') AS u,
                   SUM(hours) FILTER (WHERE bucket = 'goods') AS g,
                   SUM(hours) FILTER (WHERE bucket = 'reserve') AS r
              FROM timebank_ledger_line GROUP BY account_id)
        SELECT count(*) FROM timebank_account a
          LEFT JOIN sums s ON s.account_id = a.id
         WHERE a.balance_unsettled <> COALESCE(s.u, 0)
            OR a.balance_goods <> COALESCE(s.g, 0)
            OR a.balance_reserve <> COALESCE(s.r, 0)
            OR a.last_sequence <> COALESCE(s.n, 0)
            OR a.last_sequence <> COALESCE(s.last, 0)
        """,
    )[0]


def final_checks(mon, info, rundb, rng):
    """Return a list of (name, ok, detail)."""
    run_id = info["run_id"]
    checks = []

    def check(name, ok, detail=""):
        checks.append((name, bool(ok), detail))

    expected_accounts, expected_total, expected_items = one(
        mon,
        "SELECT count(*), SUM(total), SUM(services) FROM tb_crash_expected",
    )
    state, done_count, line_count, total, goods, reserve = one(
        mon,
        "SELECT state, done_count, line_count, hours_total, hours_goods, "
        "hours_reserve FROM timebank_settlement_run WHERE id = %s",
        [run_id],
    )
    check("run done", state == "done", state)
    with mon.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM timebank_settlement_line "
            "WHERE run_id = %s GROUP BY state",
            [run_id],
        )
        by_state = dict(cr.fetchall())
    check(
        "every account settled once",
        by_state.get("done", 0) == expected_accounts == line_count == done_count
        and set(by_state) == {"done"},
        f"lines {by_state}, run {done_count}/{line_count}, "
        f"expected {expected_accounts}",
    )
    check(
        "run totals",
        total == expected_total and goods + reserve == total,
        f"{total} = {goods} + {reserve}, expected {expected_total}",
    )
    wrong = one(
        mon,
        """
        SELECT count(*) FROM tb_crash_expected e
          FULL JOIN (SELECT * FROM timebank_settlement_line WHERE run_id = %s) s
            ON s.account_id = e.account_id
         WHERE e.account_id IS NULL OR s.id IS NULL OR s.hours_total <> e.total
        """,
        [run_id],
    )[0]
    check("per-account totals = expected aggregate", not wrong, f"{wrong} off")
    wrong = one(
        mon,
        """
        SELECT count(*) FROM timebank_settlement_line
         WHERE run_id = %s AND (hours_goods + hours_reserve <> hours_total
            OR hours_goods <> round(hours_total * %s / 100.0, 2)
            OR hours_goods < 0 OR hours_reserve < 0)
        """,
        [run_id, info["ratio"]],
    )[0]
    check("goods + reserve = total, goods = ratio, none < 0", not wrong, f"{wrong}")
    items, distinct_items, stray = one(
        mon,
        """
        SELECT count(*), count(DISTINCT ledger_line_id),
               count(*) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM tb_crash_candidates c
                    WHERE c.ledger_line_id = i.ledger_line_id))
          FROM timebank_settlement_item i
        """,
    )
    missing, misplaced = one(
        mon,
        """
        SELECT count(*) FILTER (WHERE i.id IS NULL),
               count(*) FILTER (WHERE i.id IS NOT NULL AND (
                   i.account_id <> c.account_id OR s.account_id <> c.account_id
                   OR s.run_id <> %s OR i.hours <> c.hours))
          FROM tb_crash_candidates c
          LEFT JOIN timebank_settlement_item i ON i.ledger_line_id = c.ledger_line_id
          LEFT JOIN timebank_settlement_line s ON s.id = i.settlement_line_id
        """,
        [run_id],
    )
    check(
        "items: each candidate deposit line once",
        items == distinct_items == expected_items
        and not (stray or missing or misplaced),
        f"{items} items ({distinct_items} distinct) for {expected_items} lines; "
        f"stray {stray}, missing {missing}, misplaced {misplaced}",
    )
    wrong = one(
        mon,
        """
        WITH expected AS (
            SELECT s.id AS res_id, s.account_id, x.bucket, x.hours
              FROM timebank_settlement_line s
             CROSS JOIN LATERAL (
                   VALUES ('unsettled', -s.hours_total), ('goods', s.hours_goods),
                          ('reserve', s.hours_reserve)) AS x(bucket, hours)
             WHERE s.run_id = %(run)s AND x.hours <> 0),
        posted AS (
            SELECT res_id, account_id, bucket, count(*) AS n, SUM(hours) AS hours,
                   bool_and(res_model = 'timebank.settlement.line') AS model_ok
              FROM timebank_ledger_line WHERE kind = 'settlement'
             GROUP BY res_id, account_id, bucket)
        SELECT count(*) FROM expected x
          FULL JOIN posted p ON p.res_id = x.res_id AND p.bucket = x.bucket
                            AND p.account_id = x.account_id
         WHERE x.res_id IS NULL OR p.res_id IS NULL OR p.n <> 1
            OR p.hours <> x.hours OR NOT p.model_ok
        """,
        {"run": run_id},
    )[0]
    check("settlement ledger lines: -total, +goods, +reserve, none twice", not wrong)
    lines, settlement_lines = one(
        mon,
        "SELECT count(*), count(*) FILTER (WHERE kind = 'settlement') "
        "FROM timebank_ledger_line",
    )
    check(
        "ledger lines = base + 3 per account",
        lines == info["base_lines"] + 3 * expected_accounts
        and settlement_lines == 3 * expected_accounts,
        f"{lines} = {info['base_lines']} + {settlement_lines}",
    )
    wrong = one(
        mon,
        """
        SELECT count(*) FROM timebank_account a
          LEFT JOIN timebank_settlement_line s
            ON s.account_id = a.id AND s.run_id = %s
         WHERE a.balance_unsettled <> 0
            OR a.balance_goods <> COALESCE(s.hours_goods, 0)
            OR a.balance_reserve <> COALESCE(s.hours_reserve, 0)
            OR a.balance_unsettled < 0 OR a.balance_goods < 0
            OR a.balance_reserve < 0
        """,
        [run_id],
    )[0]
    check("final balances as settled, none negative", not wrong, f"{wrong} off")
    wrong = balances_off(mon)
    check("stored balances = sums of lines (all accounts)", not wrong, f"{wrong} off")
    failures, triggers = one(
        mon,
        "SELECT failure_count, (SELECT count(*) FROM ir_cron_trigger "
        "WHERE cron_id = c.id) FROM ir_cron c WHERE id = %s",
        [info["cron_id"]],
    )
    check(
        "job not failed, trigger consumed",
        failures == 0 and triggers == 0,
        f"failures {failures}, triggers {triggers}",
    )

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry

    registry = Registry(rundb)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT id FROM timebank_account ORDER BY id")
        ids = [row[0] for row in cr.fetchall()]
        sample = rng.sample(ids, min(CHAIN_SAMPLE, len(ids)))
        result = env["timebank.account"].browse(sample)._check_chain()
        check(f"_check_chain on {len(sample)} random accounts", result["ok"], "")
        if not result["ok"]:
            checks[-1] = (checks[-1][0], False, str(result["message"]))
    close_registry(rundb)
    return checks


def watch(server, mon, info, kill_at, timeout):
    """Wake the cron thread (as Odoo's trigger does: NOTIFY cron_trigger,
    repeated until the job starts, so it does not wait for its 60 s poll)
    and watch the run; SIGKILL the server at ``kill_at`` seconds if given.

    :return: (outcome, figures) with outcome "killed", "finished" or "failed".
    """
    cron_id, run_id = info["cron_id"], info["run_id"]
    before = progress_max(mon, cron_id)
    figures = {"job_started": None, "finished": None}
    last_notify = -1.0
    while True:
        now = server.elapsed
        if figures["job_started"] is None:
            if progress_max(mon, cron_id) > before:
                figures["job_started"] = now
            elif now - last_notify >= 1.0:
                notify(server.db)
                last_notify = now
        if kill_at is not None and now >= kill_at:
            writes = open_writes(mon, server.appname)
            server.kill()
            gone = wait_backends_gone(mon, server.appname)
            state, done = run_state(mon, run_id)
            figures.update(
                at=kill_at,
                writes=writes,
                backends_gone=gone,
                state=state,
                done=done,
                anomalies=half_done(mon, run_id),
            )
            return "killed", figures
        if server.proc.poll() is not None:
            figures["note"] = f"server exited by itself (rc {server.proc.returncode})"
            return "failed", figures
        state, _done = run_state(mon, run_id)
        if state == "done" and kill_at is None:
            if figures["finished"] is None:
                figures["finished"] = now
            # the job commits its reschedule (trigger consumed) just after
            triggers = one(
                mon,
                "SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s",
                [cron_id],
            )[0]
            if not triggers or now - figures["finished"] > 30:
                server.stop()
                return "finished", figures
        if now > timeout:
            server.kill()
            figures["note"] = f"not done {timeout:.0f} s after the (re)start"
            return "failed", figures
        time.sleep(0.2)


def execute_run(index, base, rundb, rng, control, timeout):
    """One run: returns a dict of figures and checks."""
    double = rng.random() < SECOND_KILL_RATE
    draws = [rng.random(), rng.random()]
    info = prepare_run(base, rundb)
    result = {
        "info": info,
        "kills": [],
        "ok": True,
        "notes": [],
        "finish": None,
        "startup": None,
        "checks": [],
        "window": control["duration"] if control else None,
    }
    planned = 0 if control is None else (2 if double else 1)
    mon = connect(rundb)
    try:
        while True:
            phase = len(result["kills"]) + 1
            kill_at = None
            if phase == 1 and planned:
                kill_at = draws[0] * control["duration"]
            elif phase == 2 and planned == 2:
                _state, done = run_state(mon, info["run_id"])
                left = 1 - done / max(info["line_count"], 1)
                kill_at = draws[1] * (control["startup"] + left * control["posting"])
            _state, done = run_state(mon, info["run_id"])
            result["pending_at_start"] = info["line_count"] - done
            server = Server(rundb, f"{LOG_DIR}/{rundb}_{index:02d}_{phase}.log")
            try:
                outcome, figures = watch(server, mon, info, kill_at, timeout)
            finally:
                if server.proc.poll() is None:
                    server.kill()
            if outcome == "killed":
                result["kills"].append(figures)
                if figures["anomalies"] or not figures["backends_gone"]:
                    result["ok"] = False
                continue
            if outcome == "failed":
                result["ok"] = False
                result["notes"].append(figures["note"])
            else:
                result["finish"] = figures["finished"]
                result["startup"] = figures["job_started"]
            break
    finally:
        mon.close()
    if result["finish"] is not None:
        mon = connect(rundb)
        try:
            result["checks"] = final_checks(mon, info, rundb, rng)
        finally:
            mon.close()
        result["ok"] = result["ok"] and all(ok for _n, ok, _d in result["checks"])
    return result


def update_estimate(control, result):
    """Follow the speed of the (shared) machine: the kill window of the next
    run is the duration expected now, half from the previous estimate, half
    from the last phase of this run (its posting rate, its job start)."""
    start, finish = result["startup"], result["finish"]
    pending, count = result["pending_at_start"], result["info"]["line_count"]
    if start is None or finish is None or finish <= start or pending < count / 10:
        return
    posting = (finish - start) * count / pending
    control["startup"] = (control["startup"] + start) / 2
    control["posting"] = (control["posting"] + posting) / 2
    control["duration"] = control["startup"] + control["posting"]


def kill_where(kill):
    if kill["job_started"] is None:
        return "before the job started"
    if kill["state"] == "done":
        return "after the run was done"
    if not kill["done"]:
        return "before the first batch"
    return "after some batches"


def describe_kill(kill, line_count):
    where = kill_where(kill)
    batches = -(-kill["done"] // BATCH)
    total = -(-line_count // BATCH)
    text = (
        f"kill at {kill['at']:6.1f} s, {batches:3d}/{total} batches done "
        f"({kill['done']} accounts), {kill['writes']} open write tx killed, "
        f"{where}"
    )
    if kill["anomalies"]:
        text += f", HALF-DONE: {kill['anomalies']}"
    if not kill["backends_gone"]:
        text += ", dead server's connections still open after 60 s"
    return text


def main():  # noqa: C901 (one linear script: base, runs, summary)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_crash", help="database prefix")
    parser.add_argument("--runs", type=int, default=20, help="killed runs")
    parser.add_argument("--accounts", type=int, default=100000)
    parser.add_argument(
        "--services", type=int, default=5, help="confirmed services per account"
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="5 runs x 5,000")
    parser.add_argument("--reuse", action="store_true", help="keep the base")
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database prefix starting with tb_load")
    if args.quick:
        args.runs, args.accounts = 5, 5000
    base, rundb = f"{args.db}_base", f"{args.db}_run"
    os.makedirs(LOG_DIR, exist_ok=True)
    rng = random.Random(args.seed)
    started = time.perf_counter()

    from odoo.tools import config

    config.parse_config([f"--addons-path={ADDONS}", "--log-level=warn"])
    if args.reuse and db_exists(base) and base_accounts(base) == args.accounts:
        log(f"reusing {base}")
    else:
        if db_exists(rundb):
            admin_sql(f'DROP DATABASE "{rundb}" WITH (FORCE)')
        build_base(base, args.accounts, args.services)
    build_time = time.perf_counter() - started

    results = []
    control = None
    for index in range(args.runs + 1):
        label = "control" if index == 0 else f"run {index:2d}"
        timeout = 1800 if control is None else 5 * control["duration"] + 120
        t0 = time.perf_counter()
        result = execute_run(index, base, rundb, rng, control, timeout)
        info = result["info"]
        wall = time.perf_counter() - t0
        if index == 0:
            if result["finish"] is None or result["startup"] is None:
                log("control run did not finish; giving up")
                print("RESULT: FAIL")
                return 1
            control = {
                "duration": result["finish"],
                "startup": result["startup"],
                "posting": result["finish"] - result["startup"],
            }
            first = dict(control)
        else:
            update_estimate(control, result)
        for kill in result["kills"]:
            log(f"{label}: {describe_kill(kill, info['line_count'])}")
        failed = [f"{n} ({d})" for n, ok, d in result["checks"] if not ok]
        finish = result["finish"]
        log(
            f"{label}: {info['line_count']} accounts"
            + (f", kill window {result['window']:.0f} s" if result["window"] else "")
            + f"; copy {info['copy_time']:.1f} s, "
            f"preview+confirm {info['preview_time']:.1f} s; "
            + (
                f"finished {finish:.1f} s after the "
                + ("start" if index == 0 else "last restart")
                if finish is not None
                else "NOT finished"
            )
            + f"; {len(result['checks'])} checks, "
            + ("all ok" if not failed else "FAILED: " + "; ".join(failed))
            + (f"; {'; '.join(result['notes'])}" if result["notes"] else "")
            + f" -> {'PASS' if result['ok'] else 'FAIL'} ({wall:.0f} s)"
        )
        results.append(result)

    killed = results[1:]
    kills = [k for r in killed for k in r["kills"]]
    print()
    print(
        f"Crash runs of the settlement job: {args.accounts} accounts x "
        f"{args.services} services, {len(killed)} killed runs + 1 control, "
        f"seed {args.seed}"
    )
    print(
        f"  control: job started {first['startup']:.1f} s after the server, "
        f"run done at {first['duration']:.1f} s ({first['posting']:.1f} s of "
        f"posting); kill window at the end {control['duration']:.0f} s"
    )
    kinds = {}
    for kill in kills:
        key = kill_where(kill)
        kinds[key] = kinds.get(key, 0) + 1
    print(
        f"  kills: {len(kills)} in {len(killed)} runs "
        f"({sum(1 for r in killed if len(r['kills']) > 1)} runs killed twice); "
        + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    )
    print(
        f"  kills with an open write transaction: "
        f"{sum(1 for k in kills if k['writes'])}; half-done states found: "
        f"{sum(1 for k in kills if k['anomalies'])}"
    )
    finishes = [r["finish"] for r in killed if r["finish"] is not None]
    if finishes:
        print(
            f"  time to finish after the last restart: min {min(finishes):.1f} s, "
            f"max {max(finishes):.1f} s"
        )
    passed = sum(1 for r in results if r["ok"])
    print(
        f"  runs passing every check: {passed}/{len(results)}; base built in "
        f"{build_time:.0f} s; total {time.perf_counter() - started:.0f} s; "
        f"server logs in {LOG_DIR}"
    )
    ok = passed == len(results)
    print(f"RESULT: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
