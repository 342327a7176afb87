#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fuzz suite (issue 10): property-based service records through the ORM.

One command (not collected by ``make test``):

    python3 tests/load/fuzz_service_records.py --db tb_load_fuzz          # 300 cases
    python3 tests/load/fuzz_service_records.py --db tb_load_fuzz --quick  # 60 cases
    python3 tests/load/fuzz_service_records.py --db tb_load_fuzz --reuse  # keep DB

It (re)creates the database with ``timebank_volunteer`` and its demo data,
opens one Odoo environment in the script and, in ONE transaction that is
rolled back at the end (nothing is ever committed), lets hypothesis draw
service records: any demo volunteer (whatever its state), any recipient
(archived ones included), any service type, a start in the last 400 days or
between 2020 and two days from now, a duration of 15 minutes to 8 hours or
from -3 hours to 50 hours, the actions submit + confirm (+ cancel) or any
sequence of up to 4 among submit / confirm / reject / cancel / reset_draft, run as the
district administrator or as an operator of one sub-branch. Each example
runs in a savepoint, rolled back afterwards. Property: every example either

- succeeds, and then the volunteer's ledger verifies (``_check_chain``: chain
  and balance = sum of lines), no bucket is negative, and the record's own
  ledger lines add up to its weighted hours if it ends confirmed and to zero
  otherwise; or
- is refused with a translated Odoo error (UserError, ValidationError,
  AccessError, MissingError), and then the volunteer's balances and line
  count are exactly what they were before;

never another exception (hypothesis shrinks and prints the failing input).
Prints the outcomes by final state / refusal and exits 1 on a failure.
"""

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDONS = f"/opt/odoo18/odoo/addons,{REPO}"
ACTIONS = ("submit", "confirm", "reject", "cancel", "reset_draft")
REFUSAL_PATTERNS = (
    "end of a service must be after",
    "its end is in the future",
    "more than the maximum of",
    "cannot be in two services at once",
    "is not possible for",
    "outside the part of the time bank",
    "is not an active volunteer",
    "archived",
    "storage cap",
    "Only submitted service records can be confirmed",
)


class Rollback(Exception):
    pass


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_fuzz")
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="60 examples")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")
    if args.quick:
        args.examples = 60
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
                "--http-port=9275",
                "--log-level=warn",
            ],
            check=True,
        )

    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    import odoo
    from odoo import api
    from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
    from odoo.modules.registry import Registry
    from odoo.tools import config, float_compare

    config.parse_config(
        ["-d", args.db, f"--addons-path={ADDONS}", "--log-level=critical"]
    )
    registry = Registry(args.db)
    outcomes = Counter()
    failures = []

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        village = env.ref("timebank_volunteer.node_gucheng_demo")
        operator = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Fuzz operator",
                    "login": "tb_load_fuzz_operator",
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("base.group_user").id,
                                env.ref(
                                    "timebank_volunteer.group_timebank_operator"
                                ).id,
                            ],
                        )
                    ],
                    "timebank_node_ids": [(6, 0, village.ids)],
                }
            )
        )
        volunteers = (
            env["timebank.volunteer"]
            .with_context(active_test=False)
            .search([], order="id", limit=20)
        )
        env["timebank.account"]._ensure_accounts(volunteers)
        recipients = (
            env["timebank.recipient"]
            .with_context(active_test=False)
            .search([], order="id", limit=8)
        )
        types = (
            env["timebank.service.type"]
            .with_context(active_test=False)
            .search([], order="id")
        )
        now = datetime.now().replace(microsecond=0)
        log(
            f"{len(volunteers)} volunteers "
            f"({dict(Counter(volunteers.mapped('state')))}), {len(recipients)} "
            f"recipients, {len(types)} service types; operator on {village.name}"
        )

        def snapshot(volunteer_id):
            cr.execute(
                "SELECT a.id, a.balance_unsettled, a.balance_goods, a.balance_reserve,"
                " a.last_sequence, (SELECT count(*) FROM timebank_ledger_line l"
                " WHERE l.account_id = a.id) FROM timebank_account a"
                " WHERE a.volunteer_id = %s",
                [volunteer_id],
            )
            return cr.fetchone()

        @seed(args.seed)
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=False,
        )
        @given(
            volunteer=st.sampled_from(volunteers.ids),
            recipient=st.sampled_from(recipients.ids),
            service_type=st.sampled_from(types.ids),
            start=st.one_of(
                st.datetimes(
                    min_value=now - timedelta(days=400),
                    max_value=now - timedelta(days=1),
                ),
                st.datetimes(
                    min_value=datetime(2020, 1, 1), max_value=now + timedelta(days=2)
                ),
            ),
            minutes=st.one_of(
                st.integers(min_value=15, max_value=480),
                st.integers(min_value=-180, max_value=3000),
            ),
            actions=st.one_of(
                st.just(["submit", "confirm"]),
                st.just(["submit", "confirm", "cancel"]),
                st.lists(st.sampled_from(ACTIONS), max_size=4),
            ),
            as_operator=st.booleans(),
        )
        def property_(
            volunteer, recipient, service_type, start, minutes, actions, as_operator
        ):
            start = start.replace(microsecond=0)
            user = operator if as_operator else admin
            before = snapshot(volunteer)
            env.invalidate_all()
            try:
                with cr.savepoint():
                    Record = env["timebank.service.record"].with_user(user)
                    record = Record.create(
                        {
                            "volunteer_id": volunteer,
                            "recipient_id": recipient,
                            "service_type_id": service_type,
                            "date_start": start,
                            "date_end": start + timedelta(minutes=minutes),
                        }
                    )
                    for action in actions:
                        getattr(record, f"action_{action}")()
                    env.flush_all()
                    # success: check the invariants, then roll back
                    su = record.sudo()
                    account = su.volunteer_id.account_id
                    check = account._check_chain()
                    assert check["ok"], check["message"]
                    cr.execute(
                        "SELECT coalesce(sum(hours), 0) FROM timebank_ledger_line "
                        "WHERE res_model = 'timebank.service.record' AND res_id = %s",
                        [record.id],
                    )
                    own = float(cr.fetchone()[0])
                    expected = su.weighted_hours if su.state == "confirmed" else 0.0
                    assert not float_compare(own, expected, 2), (
                        f"{su.name} {su.state}: lines {own} vs {expected}"
                    )
                    for fname in (
                        "balance_unsettled",
                        "balance_goods",
                        "balance_reserve",
                    ):
                        assert account[fname] >= 0, f"{fname} {account[fname]}"
                    raise Rollback(f"ok: {su.state}")
            except Rollback as done:
                outcomes[done.args[0]] += 1
            except (UserError, ValidationError, AccessError, MissingError) as exc:
                text = str(exc)
                kind = next((p for p in REFUSAL_PATTERNS if p in text), text[:50])
                outcomes[f"refused {type(exc).__name__}: {kind}"] += 1
                env.invalidate_all(flush=False)
                after = snapshot(volunteer)
                assert after == before, (
                    f"a refusal changed the account: {before} -> {after}"
                )
            env.invalidate_all(flush=False)

        try:
            property_()
        except Exception as exc:  # noqa: BLE001 - report whatever broke
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            cr.rollback()

    print("\noutcomes:")
    for key, count in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {count:4d}  {key}")
    print(f"examples run: {sum(outcomes.values())}")
    for failure in failures:
        print("FAILURE", failure[:3000])
    log(f"done in {time.perf_counter() - started:.1f}s")
    print("RESULT:", "FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
