#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Benchmark of the time ledger of ``timebank_volunteer`` (issue 4).

Not part of the test run. One command:

    python3 bench/bench_ledger.py --db tb_led_bench --scale district
    python3 bench/bench_ledger.py --db tb_led_bench_small --scale small   # quick

It (re)creates the database, installs the module without demo data, then
generates data at SQL speed (``INSERT ... SELECT generate_series`` for the
tree, people and services; ledger lines are streamed with ``COPY`` because
each line's hash is chained to the previous one and is computed in Python by
the module's own ``_hash_values``, so the generated chains verify). It then
prints figures measured in the same run, as ratios:

(a) SQL queries to confirm 10 vs 1,000 service records in one batch
    (target: the same count);
(b) time to confirm 10,000 records through the module (``action_confirm``:
    checks, hash chain, ledger insert, balances, record update) vs a raw SQL
    ``INSERT ... SELECT`` of the same ledger rows (target <= 25x);
(c) time to read one balance with 1,000 vs 1,000,000 lines in the ledger
    (target <= 2x); the time of a balance derived with ``_read_group`` is
    printed next to it for comparison.

Scales: ``district`` = 200 sub-branches, 20,000 volunteers, 500,000 confirmed
services and their deposit lines, filled up to 1,000,000 ledger lines;
``small`` = 20 / 2,000 / 20,000 / 50,000, confirming 1,000 in (b).
Everything the benchmark confirms in (a) and (b) is rolled back.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALES = {
    "small": {
        "branches": 20,
        "volunteers": 2000,
        "services": 20000,
        "lines": 50000,
        "confirm": 1000,
    },
    "district": {
        "branches": 200,
        "volunteers": 20000,
        "services": 500000,
        "lines": 1000000,
        "confirm": 10000,
    },
}
DAY0 = datetime(2024, 1, 1, 1, 0, 0)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def install(db, addons_path, http_port):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", db], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={addons_path}",
            "-i",
            "timebank_volunteer",
            "--without-demo=all",
            "--stop-after-init",
            f"--http-port={http_port}",
            "--log-level=warn",
        ],
        check=True,
    )


def set_generator_defaults(cr, SQL):
    """Database defaults for required columns the SQL generator does not fill
    (set in the bench database only)."""
    for table, column, default in (
        ("timebank_volunteer", "source", SQL("'resident'")),
        ("timebank_volunteer", "registration_date", SQL("current_date")),
        ("timebank_recipient", "registration_date", SQL("current_date")),
        ("timebank_account", "hold_hours", SQL("0")),
    ):
        cr.execute(
            SQL(
                "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
                SQL.identifier(table),
                SQL.identifier(column),
                default,
            )
        )


def generate_people(cr, SQL, scale):
    """Tree, partners, volunteers, accounts, recipients: pure SQL.

    ``scale`` gives ``branches`` (sub-branches in all) and ``volunteers``, and
    optionally ``districts`` (default 1), ``towns`` per district (default 10)
    and ``recipients`` (default a tenth of the volunteers). Districts are
    coded BD1.., towns BT1.., sub-branches (villages) BV1..; the villages are
    spread evenly over the towns, the people evenly over the villages.
    """
    set_generator_defaults(cr, SQL)
    districts = scale.get("districts", 1)
    towns = districts * scale.get("towns", 10)
    branches = scale["branches"]
    volunteers = scale["volunteers"]
    recipients = scale.get("recipients", volunteers // 10)
    cr.execute(
        SQL(
            """
        INSERT INTO timebank_node (name, code, kind, active, parent_path,
                                   complete_name, create_date, write_date)
        SELECT 'Bench District ' || d, 'BD' || d, 'district', true, '',
               'Bench District ' || d, now(), now()
          FROM generate_series(1, %s) d""",
            districts,
        )
    )
    cr.execute(
        SQL("""
        UPDATE timebank_node SET parent_path = id || '/', district_id = id
         WHERE kind = 'district' AND parent_path = ''""")
    )
    cr.execute(
        SQL(
            """
        INSERT INTO timebank_node (name, code, kind, active, parent_id, district_id,
                                   parent_path, complete_name, create_date,
                                   write_date)
        SELECT 'Town ' || i, 'BT' || i, 'town', true, d.id, d.id, d.parent_path,
               d.complete_name || ' / Town ' || i, now(), now()
          FROM generate_series(1, %(t)s) i
          JOIN timebank_node d
            ON d.code = 'BD' || (1 + (i - 1) / %(per)s) AND d.kind = 'district'""",
            t=towns,
            per=towns // districts,
        )
    )
    cr.execute(  # parent_path was the parent's: append the node's own id
        SQL("""
        UPDATE timebank_node SET parent_path = parent_path || id || '/'
         WHERE kind = 'town' AND code ~ '^BT[0-9]+$'""")
    )
    cr.execute(
        SQL(
            """
        INSERT INTO timebank_node (name, code, kind, active, parent_id, district_id,
                                   parent_path, complete_name, create_date,
                                   write_date)
        SELECT 'Village ' || i, 'BV' || i, 'village', true, t.id, t.district_id,
               t.parent_path, t.complete_name || ' / Village ' || i, now(), now()
          FROM generate_series(1, %(n)s) i
          JOIN timebank_node t
            ON t.code = 'BT' || (1 + mod(i, %(t)s)) AND t.kind = 'town'""",
            n=branches,
            t=towns,
        )
    )
    cr.execute(  # parent_path was the parent's: append the node's own id
        SQL("""
        UPDATE timebank_node SET parent_path = parent_path || id || '/'
         WHERE kind = 'village' AND code ~ '^BV[0-9]+$'""")
    )
    cr.execute(
        SQL(
            """
        INSERT INTO res_partner (name, complete_name, active, type, is_company,
                                 create_date, write_date)
        SELECT 'Bench Person ' || i, 'Bench Person ' || i, true, 'contact', false,
               now(), now()
          FROM generate_series(1, %s) i""",
            volunteers + recipients,
        )
    )
    cr.execute(
        SQL(
            """
        WITH p AS (SELECT id, name, row_number() OVER (ORDER BY id) AS rn
                     FROM res_partner WHERE name LIKE %(person)s),
             v AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
                     FROM timebank_node WHERE code LIKE %(village)s)
        INSERT INTO timebank_volunteer (partner_id, name, node_id, state, active,
                                        create_date, write_date)
        SELECT p.id, p.name, v.id, 'active', true, now(), now()
          FROM p JOIN v ON v.rn = mod(p.rn, %(b)s)
         WHERE p.rn <= %(n)s""",
            b=branches,
            n=volunteers,
            person="Bench Person %",
            village="BV%",
        )
    )
    cr.execute(
        SQL(
            """
        WITH p AS (SELECT id, name, row_number() OVER (ORDER BY id) AS rn
                     FROM res_partner WHERE name LIKE %(person)s),
             v AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
                     FROM timebank_node WHERE code LIKE %(village)s)
        INSERT INTO timebank_recipient (partner_id, name, node_id, active,
                                        create_date, write_date)
        SELECT p.id, p.name, v.id, true, now(), now()
          FROM p JOIN v ON v.rn = mod(p.rn, %(b)s)
         WHERE p.rn > %(n)s""",
            b=branches,
            n=volunteers,
            person="Bench Person %",
            village="BV%",
        )
    )
    cr.execute(
        SQL("""
        INSERT INTO timebank_account (volunteer_id, node_id, balance_unsettled,
            balance_goods, balance_reserve, last_sequence, create_date, write_date)
        SELECT id, node_id, 0, 0, 0, 0, now(), now() FROM timebank_volunteer""")
    )


def insert_services(
    cr, SQL, count, state, day_offset, volunteers, day_step=1, start=DAY0, tag=""
):
    """``count`` services over the first ``volunteers`` volunteers (by id), for
    recipients of the volunteer's sub-branch, at most one per volunteer and
    day: the k-th service of a volunteer is on day ``day_offset + k *
    day_step`` after ``start`` (plus a phase of the volunteer's rank modulo
    ``day_step``, so the days of the volunteers differ), lasting 1 to 3 hours.
    Returns the new ids (``tag`` goes into their reference)."""
    cr.execute(
        SQL(
            """
        WITH v AS (SELECT id, node_id, row_number() OVER (ORDER BY id) - 1 AS rn
                     FROM timebank_volunteer),
             r AS (SELECT id, node_id,
                          row_number() OVER (PARTITION BY node_id ORDER BY id) - 1
                              AS rn
                     FROM timebank_recipient),
             nr AS (SELECT node_id, count(*) AS n FROM r GROUP BY node_id),
             t AS (SELECT t.id, t.category_id, c.coefficient,
                          row_number() OVER (ORDER BY t.id) - 1 AS rn
                     FROM timebank_service_type t
                     JOIN timebank_service_category c ON c.id = t.category_id),
             nt AS (SELECT count(*) AS n FROM t),
             s AS (SELECT i, %(start)s::timestamp
                             + ((%(offset)s + i / %(nv)s * %(step)s
                                 + mod(mod(i, %(nv)s), %(step)s))
                                || ' days')::interval AS day
                     FROM generate_series(0, %(count)s - 1) i)
        INSERT INTO timebank_service_record (
            name, volunteer_id, recipient_id, service_type_id, category_id, node_id,
            date_start, date_end, duration, coefficient, weighted_hours, state,
            confirm_date, create_date, write_date)
        SELECT 'SRB-' || %(state)s || %(tag)s || '-' || s.i, v.id, r.id, t.id,
               t.category_id, v.node_id, s.day,
               s.day + ((1 + mod(s.i, 3)) || ' hours')::interval,
               1 + mod(s.i, 3), t.coefficient, (1 + mod(s.i, 3)) * t.coefficient,
               %(state)s,
               CASE WHEN %(state)s = 'confirmed'
                    THEN s.day + ((1 + mod(s.i, 3)) || ' hours')::interval END,
               now(), now()
          FROM s
          JOIN v ON v.rn = mod(s.i, %(nv)s)
          JOIN nr ON nr.node_id = v.node_id
          JOIN r ON r.node_id = v.node_id AND r.rn = mod(s.i / %(nv)s, nr.n)
          JOIN nt ON true
          JOIN t ON t.rn = mod(s.i, nt.n)
        RETURNING id""",
            state=state,
            tag=tag,
            start=start,
            offset=day_offset,
            step=day_step,
            nv=volunteers,
            count=count,
        )
    )
    return [row[0] for row in cr.fetchall()]


def append_lines(env, SQL, lines_by_account):
    """COPY ledger lines (chained per account, like _post_lines) and update
    the accounts. ``lines_by_account``: {account_id: [(hours, bucket, kind,
    res_model, res_id, name, date[, service_date])]}."""
    cr = env.cr
    Line = env["timebank.ledger.line"]
    account_ids = sorted(lines_by_account)
    cr.execute(
        SQL(
            """
        SELECT id, volunteer_id, last_sequence, COALESCE(last_hash, '')
          FROM timebank_account WHERE id = ANY(%s)""",
            account_ids,
        )
    )
    accounts = {row[0]: list(row[1:]) for row in cr.fetchall()}
    buffer = io.StringIO()
    deltas = defaultdict(lambda: defaultdict(float))
    for account_id in account_ids:
        volunteer_id, sequence, previous = accounts[account_id]
        for (
            hours,
            bucket,
            kind,
            res_model,
            res_id,
            name,
            date,
            *rest,
        ) in lines_by_account[account_id]:
            service_date = rest[0] if rest else None
            sequence += 1
            values = {
                "account_id": account_id,
                "sequence": sequence,
                "date": date,
                "hours": hours,
                "bucket": bucket,
                "kind": kind,
                "res_model": res_model,
                "res_id": res_id,
                "name": name,
                "service_date": service_date,
            }
            digest = Line._hash_values(values, previous)
            buffer.write(
                "\t".join(
                    (
                        str(account_id),
                        str(volunteer_id),
                        str(sequence),
                        str(date),
                        f"{hours:.2f}",
                        bucket,
                        kind,
                        name,
                        res_model,
                        str(res_id),
                        str(service_date) if service_date else "\\N",
                        previous or "\\N",
                        digest,
                        str(date),
                        str(date),
                    )
                )
                + "\n"
            )
            deltas[account_id][bucket] += hours
            previous = digest
        accounts[account_id] = [volunteer_id, sequence, previous]
    buffer.seek(0)
    cr._obj.copy_expert(
        "COPY timebank_ledger_line (account_id, volunteer_id, sequence, date, hours, "
        "bucket, kind, name, res_model, res_id, service_date, previous_hash, hash, "
        "create_date, write_date) FROM STDIN",
        buffer,
    )
    cr.execute(
        SQL(
            """
        UPDATE timebank_account a
           SET balance_unsettled = a.balance_unsettled + v.u,
               balance_goods = a.balance_goods + v.g,
               balance_reserve = a.balance_reserve + v.r,
               last_sequence = v.s, last_hash = v.h
          FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::numeric[],
                      %s::int[], %s::varchar[]) AS v(id, u, g, r, s, h)
         WHERE a.id = v.id""",
            account_ids,
            [round(deltas[a]["unsettled"], 2) for a in account_ids],
            [round(deltas[a]["goods"], 2) for a in account_ids],
            [round(deltas[a]["reserve"], 2) for a in account_ids],
            [accounts[a][1] for a in account_ids],
            [accounts[a][2] for a in account_ids],
        )
    )


def post_deposits(registry, api, SQL, accounts_per_chunk=5000):
    """One chained deposit line per confirmed service record (call it once),
    account by account in chunks of accounts (one transaction each), each
    account's lines in the order of its services' end. Returns the count."""
    with registry.cursor() as cr:
        cr.execute(SQL("SELECT id FROM timebank_account ORDER BY id"))
        account_ids = [row[0] for row in cr.fetchall()]
    count = 0
    for offset in range(0, len(account_ids), accounts_per_chunk):
        with registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                SELECT a.id, r.weighted_hours, r.id, r.name, r.date_end, r.date_start
                  FROM timebank_account a
                  JOIN timebank_service_record r ON r.volunteer_id = a.volunteer_id
                 WHERE a.id = ANY(%s) AND r.state = 'confirmed'
                 ORDER BY a.id, r.date_end, r.id""",
                    account_ids[offset : offset + accounts_per_chunk],
                )
            )
            lines = defaultdict(list)
            for account_id, hours, res_id, name, when, start in cr.fetchall():
                lines[account_id].append(
                    (
                        hours,
                        "unsettled",
                        "deposit",
                        "timebank.service.record",
                        res_id,
                        name,
                        when,
                        start,
                    )
                )
                count += 1
            if lines:
                append_lines(api.Environment(cr, 1, {}), SQL, lines)
    return count


def filler_lines(account_ids, count, start_id, date):
    """``count`` historical 'adjustment' lines spread over the accounts."""
    result = defaultdict(list)
    for index in range(count):
        account_id = account_ids[index % len(account_ids)]
        result[account_id].append(
            (0.5, "reserve", "adjustment", "bench.filler", start_id + index, "", date)
        )
    return result


def time_balance_read(env, account_id, rounds=300):
    """Median seconds to read one stored balance (fresh cache each time)."""
    account = env["timebank.account"].browse(account_id)
    timings = []
    for _ in range(rounds):
        env.invalidate_all()
        start = time.perf_counter()
        account.balance_unsettled  # noqa: B018
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def time_derived_read(env, account_id, rounds=30):
    """Median seconds of the alternative: a balance derived with _read_group."""
    Line = env["timebank.ledger.line"]
    timings = []
    for _ in range(rounds):
        env.invalidate_all()
        start = time.perf_counter()
        Line._read_group(
            [("account_id", "=", account_id), ("bucket", "=", "reserve")],
            [],
            ["hours:sum"],
        )
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def vacuum(registry, SQL):
    with registry.cursor() as cr:
        cr._cnx.autocommit = True
        for table in (
            "timebank_ledger_line",
            "timebank_account",
            "timebank_service_record",
            "timebank_volunteer",
        ):
            cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))
        cr._cnx.autocommit = False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_led_bench")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--addons-path", default=f"/opt/odoo18/odoo/addons,{REPO}")
    parser.add_argument("--http-port", default="8269")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="reuse an existing database (data already generated)",
    )
    args = parser.parse_args()
    if not args.db.startswith("tb_led"):
        parser.error("use a database whose name starts with tb_led")
    scale = SCALES[args.scale]
    started = time.perf_counter()
    log(f"scale {args.scale}: {scale}")
    if not args.no_install:
        log(f"creating {args.db} and installing timebank_volunteer")
        install(args.db, args.addons_path, args.http_port)

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL, config

    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    registry = Registry(args.db)
    admin_uid = 2  # base.user_admin: district administrator of the time bank
    figures = {}
    volunteers = scale["volunteers"]

    # 1. people, and a small ledger of 1,000 lines
    if not args.no_install:
        log("generating the tree, people and accounts")
        with registry.cursor() as cr:
            generate_people(cr, SQL, scale)
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            cr.execute(SQL("SELECT id FROM timebank_account ORDER BY id"))
            account_ids = [row[0] for row in cr.fetchall()]
            append_lines(env, SQL, filler_lines(account_ids, 1000, 1, DAY0))
        vacuum(registry, SQL)
    with registry.cursor() as cr:
        env = api.Environment(cr, admin_uid, {})
        cr.execute(SQL("SELECT count(*) FROM timebank_ledger_line"))
        small_lines = cr.fetchone()[0]
        cr.execute(SQL("SELECT min(id) FROM timebank_account"))
        probe = cr.fetchone()[0]
        figures["c_small"] = (
            small_lines,
            time_balance_read(env, probe),
            time_derived_read(env, probe),
        )
    log(f"(c) small ledger measured: {small_lines} lines")

    # 2. district data: confirmed services with their deposits, then filler
    if not args.no_install:
        log(f"generating {scale['services']} confirmed services")
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            insert_services(cr, SQL, scale["services"], "confirmed", 0, volunteers)
        log("chaining and copying the deposit lines")
        post_deposits(registry, api, SQL)
        chunk = 100000
        with registry.cursor() as cr:
            cr.execute(SQL("SELECT count(*) FROM timebank_ledger_line"))
            missing = scale["lines"] - cr.fetchone()[0]
            cr.execute(SQL("SELECT id FROM timebank_account ORDER BY id"))
            account_ids = [row[0] for row in cr.fetchall()]
        log(f"chaining and copying {missing} filler lines")
        next_id = 10_000_000
        for offset in range(0, missing, chunk):
            count = min(chunk, missing - offset)
            with registry.cursor() as cr:
                append_lines(
                    api.Environment(cr, odoo.SUPERUSER_ID, {}),
                    SQL,
                    filler_lines(
                        account_ids, count, next_id + offset, DAY0 + timedelta(days=400)
                    ),
                )
        vacuum(registry, SQL)

    with registry.cursor() as cr:
        env = api.Environment(cr, admin_uid, {})
        cr.execute(SQL("SELECT count(*) FROM timebank_ledger_line"))
        big_lines = cr.fetchone()[0]
        log(f"ledger now holds {big_lines} lines")
        day_offset = scale["services"] // volunteers + 30
        Record = env["timebank.service.record"]

        # (a) queries, 10 vs 1,000 in one batch
        counts = {}
        for size in (5, 10, 1000):
            ids = insert_services(cr, SQL, size, "submitted", day_offset, volunteers)
            day_offset += size // volunteers + 2
            env.invalidate_all()
            records = Record.browse(ids)
            before = cr.sql_log_count
            records.action_confirm()
            env.flush_all()
            counts[size] = cr.sql_log_count - before
        figures["a"] = (counts[10], counts[1000])
        log("(a) measured")

        # (b) module vs raw SQL insert of the same ledger rows
        n = scale["confirm"]
        ids = insert_services(cr, SQL, n, "submitted", day_offset, volunteers)
        env.flush_all()
        cr.execute(SQL("SAVEPOINT raw"))
        start = time.perf_counter()
        cr.execute(
            SQL(
                """
            INSERT INTO timebank_ledger_line (
                account_id, volunteer_id, sequence, date, hours, bucket, kind, name,
                res_model, res_id, previous_hash, hash, create_uid, create_date,
                write_uid, write_date)
            SELECT a.id, a.volunteer_id,
                   a.last_sequence
                       + row_number() OVER (PARTITION BY a.id ORDER BY r.id),
                   now(), r.weighted_hours, 'unsettled', 'deposit', r.name,
                   'timebank.service.record', r.id, a.last_hash,
                   encode(sha256(convert_to(r.id::text || r.name, 'UTF8')), 'hex'),
                   %(uid)s, now(), %(uid)s, now()
              FROM timebank_service_record r
              JOIN timebank_account a ON a.volunteer_id = r.volunteer_id
             WHERE r.id = ANY(%(ids)s)""",
                ids=ids,
                uid=admin_uid,
            )
        )
        raw_time = time.perf_counter() - start
        cr.execute(SQL("ROLLBACK TO SAVEPOINT raw"))
        env.invalidate_all()
        records = Record.browse(ids)
        start = time.perf_counter()
        records.action_confirm()
        env.flush_all()
        module_time = time.perf_counter() - start
        figures["b"] = (n, module_time, raw_time)
        log("(b) measured")
        cr.rollback()  # nothing of (a) and (b) is kept

        # (c) one balance on the big ledger
        cr.execute(SQL("SELECT min(id) FROM timebank_account"))
        probe = cr.fetchone()[0]
        figures["c_big"] = (
            big_lines,
            time_balance_read(env, probe),
            time_derived_read(env, probe),
        )
        chain = env["timebank.account"].browse(probe)._check_chain()
        log(f"chain of the probed account: {chain['message']}")

    a10, a1000 = figures["a"]
    n, module_time, raw_time = figures["b"]
    small_lines, small_read, small_derived = figures["c_small"]
    big_lines, big_read, big_derived = figures["c_big"]
    print()
    print(
        f"=== Time ledger benchmark, scale {args.scale} "
        f"({scale['branches']} sub-branches, {volunteers} volunteers, "
        f"{scale['services']} confirmed services, {big_lines} ledger lines) ==="
    )
    print(
        f"(a) SQL queries to confirm 10 records: {a10}; 1,000 records: {a1000}; "
        f"ratio {a1000 / a10:.2f} (target 1.00)"
    )
    print(
        f"(b) confirm {n} records through the module: {module_time:.3f} s; raw SQL "
        f"insert of the same ledger rows: {raw_time:.3f} s; ratio "
        f"{module_time / raw_time:.1f}x (target <= 25x)"
    )
    print(
        f"(c) read one stored balance: {small_read * 1e6:.0f} us with {small_lines} "
        f"lines, {big_read * 1e6:.0f} us with {big_lines} lines; ratio "
        f"{big_read / small_read:.2f}x (target <= 2x)"
    )
    print(
        f"    for comparison, a balance derived with _read_group: "
        f"{small_derived * 1e6:.0f} us vs {big_derived * 1e6:.0f} us "
        f"(ratio {big_derived / small_derived:.2f}x)"
    )
    print(f"total run time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
