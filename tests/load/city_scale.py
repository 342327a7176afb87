#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""City-scale suite (issue 10): generate a city at SQL speed, time the screens.

One command (not collected by ``make test``):

    python3 tests/load/city_scale.py --db tb_load_city               # the city
    python3 tests/load/city_scale.py --db tb_load_city_s --scale small  # quick
    python3 tests/load/city_scale.py --db tb_load_city --reuse       # timings only

Generation, with the SQL-speed helpers of ``bench/bench_ledger.py``
(``INSERT ... SELECT generate_series``; ledger lines chained in Python by the
module's own ``_hash_values`` and streamed with ``COPY``): a city of 5
districts x 10 towns x 20 sub-branches (villages) = 1,000 sub-branches,
100,000 volunteers, 200,000 recipients, 2,000,000 confirmed service records
over the 24 months before today (each volunteer about one service every 36
days; 10 "heavy" volunteers serve every day for 500 days on top, so that one
passbook is long) and one chained deposit line per record. Two non-admin
users are created: a district supervisor (district 1) and a town supervisor
(the town of the first heavy volunteer).

Timings, in this process through the ORM methods the web client calls over
RPC (median of several rounds after one warm-up round, the record cache
emptied before each round, registry caches warm as on a running server):

1. the service-record list: ``web_search_read`` with the fields of the
   module's list view, its default order, limit 80, count_limit 10001;
2. the pivot by sub-branch x month: the four ``read_group(lazy=False)`` calls
   Odoo 18's pivot model makes for one row and one column group-by
   (``[]``, ``[month]``, ``[node]``, ``[node, month]``), on the module's
   service statistics (``timebank.service.stat``, kept by every confirmation
   and cancellation; rebuilt here after the SQL generation), measures
   ``record_count`` and ``weighted_hours``; the same pivot grouped from the
   2,000,000 service records themselves is printed for comparison;
3. a volunteer's passbook as the web client opens it: ``web_read`` of the
   account form (balances and the first 80 lines of the passbook with their
   running balances), and the ledger-line list of that account
   (``web_search_read``, first page);
4. a settlement preview (``action_preview``, flushed) of the default period
   for each district (a run is for one node; the district, top of the tree,
   is the largest run), and for comparison the five districts' runs previewed
   in one call; rolled back after each round.

Each target is < 1 s. Then it verifies the chains of about 100 accounts with
``_check_chain`` (the heavy ones among them) and that the total of the
balances equals the total of the confirmed weighted hours, prints the phase
times and the database size and ends with ``RESULT: PASS`` or ``FAIL``.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "bench"))

from bench_ledger import (  # noqa: E402
    generate_people,
    insert_services,
    install,
    log,
    post_deposits,
    vacuum,
)

SCALES = {
    "city": {
        "districts": 5,
        "towns": 10,
        "branches": 1000,
        "volunteers": 100000,
        "recipients": 200000,
        "services": 2000000,
        "heavy": 10,
        "heavy_days": 500,
        "rounds": 5,
    },
    "small": {
        "districts": 1,
        "towns": 4,
        "branches": 20,
        "volunteers": 2000,
        "recipients": 4000,
        "services": 20000,
        "heavy": 2,
        "heavy_days": 200,
        "rounds": 5,
    },
}
MONTHS = 24
# the module's index for the list's default order (date_start desc, id desc)
LIST_INDEX = "timebank_service_record__date_start_index"
TARGET = 1.0
CONTEXT = {"lang": "en_US", "tz": "Asia/Shanghai", "allowed_company_ids": [1]}
ADMIN_UID = 2  # base.user_admin: district administrator of the time bank
SUPERVISORS = (
    ("tb_city_district_supervisor", "City District Supervisor"),
    ("tb_city_town_supervisor", "City Town Supervisor"),
)


# ---------------------------------------------------------------- generation
def generate(registry, api, SQL, scale, phases):
    """Everything at SQL speed; ``phases`` collects (name, seconds)."""
    from odoo.fields import Command

    def phase(name, started):
        phases.append((name, time.perf_counter() - started))
        log(f"{name}: {phases[-1][1]:.1f} s")

    started = time.perf_counter()
    with registry.cursor() as cr:
        generate_people(cr, SQL, scale)
    phase(
        f"tree, {scale['volunteers']} volunteers + accounts, "
        f"{scale['recipients']} recipients",
        started,
    )

    # the heavy volunteers serve every day at 05:00 UTC, the others about
    # every 36 days at 01:00 UTC: no overlap, at most 6 hours a day
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=MONTHS * 365 // 12)
    heavy = scale["heavy"] * scale["heavy_days"]
    regular = scale["services"] - heavy
    per_volunteer = -(-regular // scale["volunteers"])
    started = time.perf_counter()
    with registry.cursor() as cr:
        insert_services(
            cr,
            SQL,
            regular,
            "confirmed",
            0,
            scale["volunteers"],
            day_step=(MONTHS * 365 // 12 - 1) // per_volunteer,
            start=start + timedelta(hours=1),
        )
        insert_services(
            cr,
            SQL,
            heavy,
            "confirmed",
            0,
            scale["heavy"],
            start=start + timedelta(hours=5),
            tag="H",
        )
    phase(f"{scale['services']} confirmed service records", started)

    started = time.perf_counter()
    count = post_deposits(registry, api, SQL)
    phase(f"{count} chained deposit lines (hash + COPY)", started)

    started = time.perf_counter()
    rebuild_stats(registry, api)
    phase("service statistics (timebank.service.stat._rebuild)", started)

    started = time.perf_counter()
    vacuum(registry, SQL)
    phase("VACUUM ANALYZE", started)

    with registry.cursor() as cr:
        env = api.Environment(cr, 1, {})
        volunteer = first_heavy_volunteer(env)
        town = volunteer.node_id.parent_id
        groups = [
            env.ref("base.group_user").id,
            env.ref("timebank_volunteer.group_timebank_supervisor").id,
        ]
        for (login, name), node in zip(
            SUPERVISORS, (town.district_id, town), strict=True
        ):
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": name,
                    "login": login,
                    "groups_id": [Command.set(groups)],
                    "timebank_node_ids": [Command.set(node.ids)],
                }
            )


def rebuild_stats(registry, api):
    """The records were inserted in SQL, not confirmed through the module:
    count them as the module does for existing data (``_rebuild``)."""
    with registry.cursor() as cr:
        api.Environment(cr, 1, {})["timebank.service.stat"]._rebuild()


def first_heavy_volunteer(env):
    return env["timebank.volunteer"].search([], order="id", limit=1)


# ------------------------------------------------------------------- timings
def median_time(env, call, rounds, before=None, after=None):
    """Median seconds of ``call()`` over ``rounds`` after one warm-up round;
    the record cache is emptied before each round."""
    timings = []
    for index in range(rounds + 1):
        if before:
            before()
        env.invalidate_all()
        started = time.perf_counter()
        call()
        elapsed = time.perf_counter() - started
        if after:
            after()
        if index:
            timings.append(elapsed)
    return statistics.median(timings)


def view_spec(model, node):
    """The web client's field specification for the fields of a view node
    (sub-views of x2many fields included)."""
    spec = {}
    for element in node.iter("field"):
        nested = False
        for ancestor in element.iterancestors():
            if ancestor is node:
                break
            nested = nested or ancestor.tag == "field"
        if nested:
            continue
        name = element.get("name")
        field = model._fields[name]
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            sub = element.find("list")
            if sub is None:
                spec[name] = {}
                continue
            spec[name] = {
                "fields": view_spec(model.env[field.comodel_name], sub),
                "limit": int(sub.get("limit", 40)),
                "order": sub.get("default_order", ""),
            }
        else:
            spec[name] = {}
    return spec


def arch(model, view_type):
    from lxml import etree

    return etree.fromstring(model.get_view(view_type=view_type)["arch"])


def index_exists(cr, name):
    cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
    return bool(cr.fetchone())


def without_index(cr, name=None):
    """(before, after) callables: drop the index in a savepoint, restore it
    by rolling back, to measure the same call without it in the same run."""
    name = name or LIST_INDEX

    def before():
        cr.execute("SAVEPOINT city_without_index")
        cr.execute(f'DROP INDEX "{name}"')

    def after():
        cr.execute("ROLLBACK TO SAVEPOINT city_without_index")

    return before, after


def time_screens(env_for, users, account, scale, figures, comparisons):
    """figures, comparisons: lists of (label, user, seconds); the comparisons
    (the same call without the index the module adds for it) are not
    targets."""
    rounds = scale["rounds"]
    Record = env_for(ADMIN_UID)["timebank.service.record"]
    list_arch = arch(Record, "list")
    record_spec = view_spec(Record, list_arch)
    order = list_arch.get("default_order") or Record._order
    Line = env_for(ADMIN_UID)["timebank.ledger.line"]
    line_arch = arch(Line, "list")
    line_spec = view_spec(Line, line_arch)
    Account = env_for(ADMIN_UID)["timebank.account"]
    account_spec = {"display_name": {}, **view_spec(Account, arch(Account, "form"))}
    log(f"list view fields: {', '.join(record_spec)}; order {order}")

    for login, uid in users:
        env = env_for(uid)
        records = env["timebank.service.record"]
        result = {}

        def list_call(records=records, result=result):
            result["list"] = records.web_search_read(
                [],
                record_spec,
                order=order,
                limit=80,
                count_limit=10001,
            )

        seconds = median_time(env, list_call, rounds)
        figures.append(
            (
                f"1. service-record list (80 of {result['list']['length']} counted)",
                login,
                seconds,
            )
        )
        if index_exists(env.cr, LIST_INDEX):
            seconds = median_time(env, list_call, rounds, *without_index(env.cr))
            comparisons.append(
                (f"1. service-record list WITHOUT {LIST_INDEX}", login, seconds)
            )

        def pivot_call(
            model=records, month="date_start:month", count="__count", result=result
        ):
            measures = ["__count", "weighted_hours:sum"]
            if count != "__count":
                measures.append(f"{count}:sum")
            for groupby in ([], [month], ["node_id"], ["node_id", month]):
                result[len(groupby)] = model.read_group(
                    [], measures, groupby, lazy=False
                )
            result["cells"] = len(result[2])
            result["total"] = result[0][0][count] if result[0] else 0

        stats = env["timebank.service.stat"]
        seconds = median_time(
            env,
            lambda stats=stats: pivot_call(stats, "period", "record_count"),
            rounds,
        )
        figures.append(
            (
                f"2. pivot sub-branch x month ({result['cells']} cells, "
                f"{result['total']} records), the module's pivot "
                "(service statistics)",
                login,
                seconds,
            )
        )
        seconds = median_time(env, pivot_call, rounds)
        comparisons.append(
            (
                f"2. the same pivot grouped from the service records "
                f"({result['cells']} cells, {result['total']} records)",
                login,
                seconds,
            )
        )

        if env["timebank.account"].search_count([("id", "=", account.id)]):
            accounts = env["timebank.account"].browse(account.id)

            def passbook_call(accounts=accounts, result=result):
                result["form"] = accounts.web_read(account_spec)

            seconds = median_time(env, passbook_call, rounds)
            lines = result["form"][0]["line_ids"]
            figures.append(
                (
                    f"3. passbook form ({len(lines)} lines, "
                    f"{sum(1 for x in lines if 'hours' in x)} read)",
                    login,
                    seconds,
                )
            )
            ledger = env["timebank.ledger.line"]

            def lines_call(ledger=ledger, result=result):
                result["lines"] = ledger.web_search_read(
                    [("account_id", "=", account.id)],
                    line_spec,
                    order=line_arch.get("default_order") or ledger._order,
                    limit=80,
                    count_limit=10001,
                )

            seconds = median_time(env, lines_call, rounds)
            figures.append(
                (
                    f"3. passbook ledger-line list (80 of {result['lines']['length']})",
                    login,
                    seconds,
                )
            )


def time_settlement(env, SQL, scale, figures, comparisons):
    """action_preview of the default period for each district (a run is for
    one node, and the district is the top of the tree: the largest run
    there is), each a target; then the five in one call, for comparison.
    Each round rolled back to a savepoint."""
    Run = env["timebank.settlement.run"]
    districts = env["timebank.node"].search(
        [("kind", "=", "district"), ("code", "=like", "BD%")], order="id"
    )
    env.cr.execute(SQL("SAVEPOINT city_settlement"))
    runs = Run.create(
        [{"node_id": node.id, "settle_anyway": True} for node in districts]
    )
    env.flush_all()
    period = f"{runs[0].date_from} - {runs[0].date_to}"
    cases = [(f"district {run.node_id.code}", run, figures) for run in runs] + [
        (f"the city's {len(runs)} districts in one call", runs, comparisons)
    ]
    for label, subset, results in cases:

        def before():
            env.cr.execute(SQL("SAVEPOINT city_preview"))

        def after():
            env.cr.execute(SQL("ROLLBACK TO SAVEPOINT city_preview"))

        def preview(subset=subset):
            subset.action_preview()
            env.flush_all()
            env.cr.execute(
                SQL(
                    "SELECT count(*), sum(hours_total) FROM timebank_settlement_line"
                    " WHERE run_id = ANY(%s)",
                    subset.ids,
                )
            )
            preview.result = env.cr.fetchone()

        seconds = median_time(
            env, preview, max(2, scale["rounds"] - 2), before=before, after=after
        )
        accounts, hours = preview.result
        results.append(
            (
                f"4. settlement preview {period}, {label}: {accounts} accounts, "
                f"{hours or 0:.2f} h",
                "admin",
                seconds,
            )
        )
    env.cr.execute(SQL("ROLLBACK TO SAVEPOINT city_settlement"))
    env.invalidate_all()


# -------------------------------------------------------------------- checks
def check(env, SQL, scale):
    """Return a list of failures (strings) and prints the figures."""
    failures = []
    cr = env.cr
    cr.execute(
        SQL("""
        SELECT (SELECT count(*) FROM timebank_node WHERE kind = 'district'),
               (SELECT count(*) FROM timebank_node WHERE kind = 'town'),
               (SELECT count(*) FROM timebank_node WHERE kind = 'village'),
               (SELECT count(*) FROM timebank_volunteer),
               (SELECT count(*) FROM timebank_recipient),
               (SELECT count(*) FROM timebank_service_record
                 WHERE state = 'confirmed'),
               (SELECT count(*) FROM timebank_ledger_line),
               (SELECT count(DISTINCT date_trunc('month', date_start))
                  FROM timebank_service_record)""")
    )
    districts, towns, villages, volunteers, recipients, records, lines, months = (
        cr.fetchone()
    )
    print(
        f"  data: {districts} districts, {towns} towns, {villages} sub-branches, "
        f"{volunteers} volunteers, {recipients} recipients, {records} confirmed "
        f"records over {months} months, {lines} ledger lines"
    )
    expected = (
        scale["districts"],
        scale["districts"] * scale["towns"],
        scale["branches"],
        scale["volunteers"],
        scale["recipients"],
        scale["services"],
        scale["services"],
    )
    if (districts, towns, villages, volunteers, recipients, records, lines) != (
        expected
    ):
        failures.append(f"generated counts differ from the scale {expected}")
    cr.execute(
        SQL("""
        SELECT (SELECT sum(balance_unsettled + balance_goods + balance_reserve)
                  FROM timebank_account),
               (SELECT sum(weighted_hours) FROM timebank_service_record
                 WHERE state = 'confirmed')""")
    )
    balances, hours = cr.fetchone()
    print(
        f"  total of balances {balances:.2f} h, total of confirmed weighted hours "
        f"{hours:.2f} h"
    )
    if round(balances - hours, 2):
        failures.append("total of balances != total of confirmed weighted hours")
    cr.execute(
        SQL(
            """
        (SELECT id FROM timebank_account ORDER BY last_sequence DESC, id LIMIT 10)
        UNION
        (SELECT id FROM timebank_account WHERE mod(id, %s) = 0 ORDER BY id LIMIT 90)
        """,
            max(1, scale["volunteers"] // 90),
        )
    )
    sample = env["timebank.account"].browse(sorted(row[0] for row in cr.fetchall()))
    started = time.perf_counter()
    result = sample._check_chain()
    print(
        f"  chain check of {len(sample)} accounts (the 10 longest among them, up "
        f"to {max(sample.mapped('last_sequence'))} lines): {result['message']} "
        f"({time.perf_counter() - started:.2f} s)"
    )
    if not result["ok"]:
        failures.append("chain check failed")
    cr.execute(
        SQL("""
        SELECT (SELECT count(*) FROM timebank_service_stat),
               (SELECT sum(record_count) FROM timebank_service_stat),
               (SELECT sum(weighted_hours) FROM timebank_service_stat)""")
    )
    rows, stat_records, stat_hours = cr.fetchone()
    print(
        f"  service statistics: {rows} rows, {stat_records} records, "
        f"{stat_hours or 0:.2f} weighted hours"
    )
    if (stat_records, round(stat_hours or 0, 2)) != (records, round(hours, 2)):
        failures.append("service statistics != confirmed records")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_city")
    parser.add_argument("--scale", choices=SCALES, default="city")
    parser.add_argument("--reuse", action="store_true", help="skip generation")
    parser.add_argument("--addons-path", default=f"/opt/odoo18/odoo/addons,{REPO}")
    parser.add_argument("--http-port", default="9279")
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")
    scale = SCALES[args.scale]
    started = time.perf_counter()
    phases = []
    log(f"scale {args.scale}: {scale}")
    if not args.reuse:
        log(f"creating {args.db} and installing timebank_volunteer")
        install(args.db, args.addons_path, args.http_port)
        phases.append(("create + install", time.perf_counter() - started))

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL, config

    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    registry = Registry(args.db)
    if not args.reuse:
        generate(registry, api, SQL, scale, phases)
    else:
        with registry.cursor() as cr:
            cr.execute("SELECT 1 FROM timebank_service_stat LIMIT 1")
            empty = not cr.fetchone()
        if empty:  # a database generated before the statistics existed
            started = time.perf_counter()
            rebuild_stats(registry, api)
            phases.append(
                ("service statistics (_rebuild)", time.perf_counter() - started)
            )

    figures = []
    comparisons = []
    failures = []
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        users = [("admin", ADMIN_UID)] + [
            (login, env["res.users"].search([("login", "=", login)]).id)
            for login, _name in SUPERVISORS
        ]
        volunteer = first_heavy_volunteer(env)
        account = volunteer.account_id
        log(
            f"passbook of {volunteer.name} ({account.last_sequence} lines), "
            f"{volunteer.node_id.complete_name}"
        )

        def env_for(uid):
            return api.Environment(cr, uid, dict(CONTEXT, uid=uid))

        log("timing the screens")
        time_screens(env_for, users, account, scale, figures, comparisons)
        log("timing the settlement preview")
        time_settlement(env_for(ADMIN_UID), SQL, scale, figures, comparisons)
        cr.rollback()

        print()
        print(f"=== City scale ({args.scale}), database {args.db} ===")
        failures += check(env, SQL, scale)
        cr.execute(SQL("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        size = cr.fetchone()[0]
        cr.rollback()

    if phases:
        print("  generation:")
        for name, seconds in phases:
            print(f"    {seconds:8.1f} s  {name}")
    print(f"  database size: {size}")
    print(f"  timings (median of {scale['rounds']} rounds, warm; target < 1 s):")
    for label, login, seconds in figures:
        mark = "ok " if seconds < TARGET else "SLOW"
        print(f"    {mark} {seconds * 1000:8.1f} ms  {login:<28} {label}")
        if seconds >= TARGET:
            failures.append(f"{label} as {login}: {seconds:.2f} s")
    if comparisons:
        print("  for comparison, measured in the same run (not targets):")
        for label, login, seconds in comparisons:
            print(f"         {seconds * 1000:8.1f} ms  {login:<28} {label}")
    print(f"total run time {time.perf_counter() - started:.0f} s")
    for failure in failures:
        print(f"  FAILED: {failure}")
    print("RESULT:", "FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
