#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Benchmark of the periodic settlement of ``timebank_volunteer`` (issue 6).

Not part of the test run. One command:

    python3 bench/bench_settlement.py --db tb_set_bench --scale district
    python3 bench/bench_settlement.py --db tb_set_bench_small --scale small  # quick

It (re)creates the database, installs the module without demo data and
generates, with the SQL-speed helpers of ``bench_ledger.py``, accounts with
10 confirmed services each and their chained deposit lines. It then settles
the half-year through the module, on the code path of the background job
(``_process_batches`` with one commit per batch of 1,000 accounts, as
``_cron_process`` does), and measures in the same run a set-based SQL
aggregate of the same data (``SELECT account_id, SUM(hours) ... GROUP BY``).
It prints the times, their ratio, and checks the result (every account
settled once, parts adding up, balances equal to the sums of their lines).

Scales: ``district`` = 100,000 accounts x 10 lines (1,000,000 deposit
lines); ``small`` = 2,000 accounts x 10 lines.
"""

import argparse
import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_ledger import (  # noqa: E402
    generate_people,
    insert_services,
    install,
    log,
    post_deposits,
    vacuum,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALES = {
    "small": {"branches": 20, "volunteers": 2000, "lines_per_account": 10},
    "district": {"branches": 200, "volunteers": 100000, "lines_per_account": 10},
}
BATCH_SIZE = 1000


def generate(registry, api, SQL, scale):
    volunteers = scale["volunteers"]
    services = volunteers * scale["lines_per_account"]
    with registry.cursor() as cr:
        generate_people(cr, SQL, scale)
        insert_services(cr, SQL, services, "confirmed", 0, volunteers)
    log("chaining and copying the deposit lines")
    post_deposits(registry, api, SQL)
    vacuum(registry, SQL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_set_bench")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--addons-path", default=f"/opt/odoo18/odoo/addons,{REPO}")
    parser.add_argument("--http-port", default="8669")
    args = parser.parse_args()
    if not args.db.startswith("tb_set_bench"):
        parser.error("use a database whose name starts with tb_set_bench")
    scale = SCALES[args.scale]
    log(f"scale {args.scale}: {scale}")
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
    log("generating the tree, people, services and deposit lines")
    generate(registry, api, SQL, scale)

    with registry.cursor() as cr:
        cr.execute(SQL("SELECT count(*) FROM timebank_ledger_line"))
        lines = cr.fetchone()[0]
        cr.execute(SQL("SELECT id FROM timebank_node WHERE code = 'BD1'"))
        district = cr.fetchone()[0]
    log(f"ledger holds {lines} lines")

    # set-based SQL aggregate of the same data (best of 3, warm cache)
    sql_times = []
    for _ in range(3):
        with registry.cursor() as cr:
            start = time.perf_counter()
            cr.execute(
                SQL("""
                SELECT account_id, SUM(hours) FROM timebank_ledger_line
                 WHERE bucket = 'unsettled' AND kind IN ('deposit', 'reversal')
                 GROUP BY account_id""")
            )
            aggregate = dict(cr.fetchall())
            sql_times.append(time.perf_counter() - start)
    sql_time = min(sql_times)

    # the module: preview (one INSERT ... SELECT), then the job's batches
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        run = env["timebank.settlement.run"].create(
            {
                "node_id": district,
                "date_from": date(2024, 1, 1),
                "date_to": date(2024, 6, 30),
                "settle_anyway": True,
            }
        )
        start = time.perf_counter()
        run.action_preview()
        cr.commit()
        preview_time = time.perf_counter() - start
        run.action_confirm()
        cr.commit()
        run_id = run.id
    log(f"preview of {len(aggregate)} accounts: {preview_time:.2f} s; posting")
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        run = env["timebank.settlement.run"].browse(run_id)
        start = time.perf_counter()
        posted = run._process_batches(batch_size=BATCH_SIZE, commit=True)
        post_time = time.perf_counter() - start

    # checks
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """
                SELECT count(*), count(*) FILTER (WHERE state = 'done'),
                       SUM(hours_total), SUM(hours_goods + hours_reserve)
                  FROM timebank_settlement_line WHERE run_id = %s""",
                run_id,
            )
        )
        count, done, total, parts = cr.fetchone()
        cr.execute(SQL("ANALYZE timebank_ledger_line"))
        cr.execute(
            SQL("""
            WITH sums AS (
                SELECT account_id,
                       SUM(hours) FILTER (WHERE bucket = 'unsettled') AS u,
                       SUM(hours) FILTER (WHERE bucket = 'goods') AS g,
                       SUM(hours) FILTER (WHERE bucket = 'reserve') AS r
                  FROM timebank_ledger_line GROUP BY account_id)
            SELECT count(*) FROM timebank_account a JOIN sums s ON s.account_id = a.id
             WHERE a.balance_unsettled <> 0 OR COALESCE(s.u, 0) <> 0
                OR a.balance_goods <> COALESCE(s.g, 0)
                OR a.balance_reserve <> COALESCE(s.r, 0)""")
        )
        wrong = cr.fetchone()[0]
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(SQL("SELECT id FROM timebank_account ORDER BY id LIMIT 200"))
        chain = env["timebank.account"].browse([r[0] for r in cr.fetchall()])
        chain_ok = chain._check_chain()["ok"]
        cr.execute(SQL("SELECT count(*) FROM timebank_settlement_item"))
        items = cr.fetchone()[0]

    expected = round(sum(aggregate.values()), 2)
    print()
    print(f"Settlement benchmark, scale {args.scale}: {count} accounts, {lines} lines")
    print(
        f"  module: preview {preview_time:.2f} s + posting {post_time:.2f} s "
        f"({posted} accounts in batches of {BATCH_SIZE}, one commit each) "
        f"= {preview_time + post_time:.2f} s, "
        f"{1000 * post_time / max(posted, 1):.2f} ms per account"
    )
    print(f"  SQL aggregate (SELECT account_id, SUM(hours) GROUP BY): {sql_time:.3f} s")
    print(
        f"  ratio module / SQL aggregate: {(preview_time + post_time) / sql_time:.0f}x"
    )
    print(
        f"  checks: {done}/{count} accounts done, settled {total:.2f} h = aggregate "
        f"{expected:.2f} h: {abs(total - expected) < 0.005}; parts add up: "
        f"{abs(total - parts) < 0.005}; {items} ledger lines settled once; "
        f"accounts off: {wrong}; chain of 200 accounts ok: {chain_ok}"
    )


if __name__ == "__main__":
    main()
