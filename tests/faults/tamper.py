#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fault suite (issue 10): tampering with the time ledger behind the ORM's back.

One command (not collected by ``make test``):

    python3 tests/faults/tamper.py --db tb_load_tamper            # 300 accounts
    python3 tests/faults/tamper.py --db tb_load_tamper --quick    # 100 accounts
    python3 tests/faults/tamper.py --db tb_load_tamper --reuse    # keep the data

It (re)creates the database, installs ``timebank_volunteer`` without demo
data, generates the tree, people and accounts with the benchmark's SQL
generator (``bench/bench_ledger.py``) and posts 3-15 chained lines per account
through the module's own ``timebank.account._post_lines`` (deposits in the
three buckets, then debits). It checks the whole ledger verifies, then applies
100 random tamperings directly in SQL, each in its own transaction:

    hours     alter the hours of a line
    bucket    alter the bucket of a line
    kind      alter the kind of a line
    res_id    alter the source document of a line
    delete    delete a line (in the middle or the last one)
    swap      swap the sequence numbers of two lines (reorder)
    forge     insert a forged line after the last one (hash not recomputed)
    balance   change an account's stored balance

After each, it runs ``_check_chain()`` on the account and checks it reports
the ledger broken AND names the first broken line, which the script computes
itself from what it altered (``None`` where the break is at account level:
last line deleted -> "its last lines are missing", balance changed -> "the
... balance differs"). Then it rolls back. It prints the tamperings by kind,
detected N/100, named correctly N/100, and exits 1 on any miss.

Two "informed forger" probes follow: a forged line whose sha256 is
recomputed correctly by someone who can write the database but does not know
the ledger key, with and without also rewriting the account's last sequence,
last hash and balance. Without a ledger key they are printed but not counted
(the plain sha256 chain cannot catch the second one). With
``--ledger-key KEY`` the ledger is generated sealed with that key (HMAC, as a
server configured with ``timebank_ledger_key`` does) and both probes count:
each must be reported, naming the forged line.
"""

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "bench"))

KINDS = ["hours", "bucket", "kind", "res_id", "delete", "swap", "forge", "balance"]
RES_MODEL = "tb.load.tamper"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def generate(registry, accounts_wanted, rng):
    from bench_ledger import generate_people

    import odoo
    from odoo import api
    from odoo.tools import SQL

    with registry.cursor() as cr:
        generate_people(cr, SQL, {"branches": 10, "volunteers": accounts_wanted})
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(SQL("SELECT id FROM timebank_account ORDER BY id"))
        account_ids = [row[0] for row in cr.fetchall()]
        vals_list = []
        res_id = 0
        for account_id in account_ids:
            balances = defaultdict(float)
            for _i in range(rng.randint(3, 15)):
                res_id += 1
                bucket = rng.choice(["unsettled", "goods", "reserve"])
                if balances[bucket] >= 1.0 and rng.random() < 0.3:
                    hours = -round(rng.uniform(0.25, balances[bucket]), 2)
                    kind = {
                        "unsettled": "settlement",
                        "goods": "redemption",
                        "reserve": "withdrawal",
                    }[bucket]
                else:
                    hours = round(rng.choice([0.5, 1, 1.5, 2, 2.5, 3]) * 1.2, 2)
                    kind = "deposit"
                balances[bucket] = round(balances[bucket] + hours, 2)
                vals_list.append(
                    {
                        "account_id": account_id,
                        "hours": hours,
                        "bucket": bucket,
                        "kind": kind,
                        "res_model": RES_MODEL,
                        "res_id": res_id,
                        "name": f"load {res_id}",
                    }
                )
        env["timebank.account"]._post_lines(vals_list)
        return len(account_ids), len(vals_list)


def lines_of(cr, account_id):
    cr.execute(
        "SELECT id, sequence, hours, bucket, kind, res_id, hash "
        "FROM timebank_ledger_line WHERE account_id = %s ORDER BY sequence",
        [account_id],
    )
    cols = ["id", "sequence", "hours", "bucket", "kind", "res_id", "hash"]
    return [dict(zip(cols, row, strict=True)) for row in cr.fetchall()]


def tamper(cr, kind, account_id, lines, rng):
    """Apply one tampering in SQL; return (expected line id or None,
    expected reason substring, description)."""
    pick = rng.choice(lines)
    lid = pick["id"]
    if kind == "hours":
        new = float(pick["hours"]) + rng.choice([0.01, 0.5, 1.0, -0.01, 10.0])
        if round(new, 2) == 0:
            new += 1.0
        cr.execute(
            "UPDATE timebank_ledger_line SET hours = %s WHERE id = %s",
            [round(new, 2), lid],
        )
        return (
            lid,
            "does not match its hash",
            f"line {lid} hours {pick['hours']}->{new:.2f}",
        )
    if kind == "bucket":
        new = rng.choice(
            [b for b in ("unsettled", "goods", "reserve") if b != pick["bucket"]]
        )
        cr.execute(
            "UPDATE timebank_ledger_line SET bucket = %s WHERE id = %s", [new, lid]
        )
        return (
            lid,
            "does not match its hash",
            f"line {lid} bucket {pick['bucket']}->{new}",
        )
    if kind == "kind":
        new = rng.choice(
            [
                k
                for k in (
                    "deposit",
                    "reversal",
                    "settlement",
                    "redemption",
                    "withdrawal",
                    "adjustment",
                )
                if k != pick["kind"]
            ]
        )
        cr.execute(
            "UPDATE timebank_ledger_line SET kind = %s WHERE id = %s", [new, lid]
        )
        return lid, "does not match its hash", f"line {lid} kind {pick['kind']}->{new}"
    if kind == "res_id":
        new = pick["res_id"] + 1_000_000
        cr.execute(
            "UPDATE timebank_ledger_line SET res_id = %s WHERE id = %s", [new, lid]
        )
        return lid, "does not match its hash", f"line {lid} res_id -> {new}"
    if kind == "delete":
        cr.execute("DELETE FROM timebank_ledger_line WHERE id = %s", [lid])
        index = lines.index(pick)
        if index + 1 < len(lines):
            return (
                lines[index + 1]["id"],
                "a line before it is missing",
                f"deleted line {lid} (seq {pick['sequence']})",
            )
        return None, "its last lines are missing", f"deleted last line {lid}"
    if kind == "swap":
        i, j = sorted(rng.sample(range(len(lines)), 2))
        a, b = lines[i], lines[j]
        cr.execute(
            "UPDATE timebank_ledger_line SET sequence = -1 WHERE id = %s", [a["id"]]
        )
        cr.execute(
            "UPDATE timebank_ledger_line SET sequence = %s WHERE id = %s",
            [a["sequence"], b["id"]],
        )
        cr.execute(
            "UPDATE timebank_ledger_line SET sequence = %s WHERE id = %s",
            [b["sequence"], a["id"]],
        )
        # line b now sits at position i: its previous_hash is not line i-1's
        return (
            b["id"],
            "does not follow the previous line",
            f"swapped seq {a['sequence']} <-> {b['sequence']}",
        )
    if kind == "forge":
        last = lines[-1]
        cr.execute(
            """INSERT INTO timebank_ledger_line (account_id, volunteer_id, sequence,
                   date, hours, bucket, kind, name, res_model, res_id,
                   previous_hash, hash)
               SELECT account_id, volunteer_id, sequence + 1, date, 100.0,
                      'goods', 'adjustment', 'forged', %s, %s, hash,
                      md5(random()::text) || md5(random()::text)
                 FROM timebank_ledger_line WHERE id = %s RETURNING id""",
            [RES_MODEL, 9_000_000 + last["id"], last["id"]],
        )
        forged = cr.fetchone()[0]
        return (
            forged,
            "does not match its hash",
            f"forged line {forged} after seq {last['sequence']}",
        )
    if kind == "balance":
        column = rng.choice(["balance_unsettled", "balance_goods", "balance_reserve"])
        delta = rng.choice([0.01, 1.0, 50.0])
        cr.execute(
            f"UPDATE timebank_account SET {column} = {column} + %s WHERE id = %s",
            [delta, account_id],
        )
        return None, "differs from the sum of its lines", f"{column} +{delta}"
    raise ValueError(kind)


def informed_forger(registry, account_id, rewrite_account):
    """Forge a line with a correctly recomputed hash; return the check result."""
    import odoo
    from odoo import api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Line = env["timebank.ledger.line"]
        cr.execute(
            "SELECT account_id, volunteer_id, sequence, date, hash "
            "FROM timebank_ledger_line WHERE account_id = %s "
            "ORDER BY sequence DESC LIMIT 1",
            [account_id],
        )
        acc, volunteer, sequence, date, previous = cr.fetchone()
        values = {
            "account_id": acc,
            "sequence": sequence + 1,
            "date": fields.Datetime.to_datetime(date),
            "hours": 100.0,
            "bucket": "goods",
            "kind": "adjustment",
            "res_model": RES_MODEL,
            "res_id": 8_000_000 + account_id,
            "name": "forged",
        }
        digest = Line._hash_values(values, previous, "")  # the key is unknown
        cr.execute(
            """INSERT INTO timebank_ledger_line (account_id, volunteer_id, sequence,
                   date, hours, bucket, kind, name, res_model, res_id,
                   previous_hash, hash)
               VALUES (%s, %s, %s, %s, 100.0, 'goods', 'adjustment', 'forged',
                       %s, %s, %s, %s) RETURNING id""",
            [
                acc,
                volunteer,
                sequence + 1,
                date,
                RES_MODEL,
                8_000_000 + account_id,
                previous,
                digest,
            ],
        )
        forged = cr.fetchone()[0]
        if rewrite_account:
            cr.execute(
                "UPDATE timebank_account SET last_sequence = %s, last_hash = %s, "
                "balance_goods = balance_goods + 100 WHERE id = %s",
                [sequence + 1, digest, account_id],
            )
        env.invalidate_all()
        result = env["timebank.account"].browse(account_id)._check_chain()
        cr.rollback()
        return forged, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_tamper")
    parser.add_argument("--quick", action="store_true", help="100 accounts")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--tamperings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the generated database"
    )
    parser.add_argument("--addons-path", default=f"/opt/odoo18/odoo/addons,{REPO}")
    parser.add_argument("--http-port", default="9270")
    parser.add_argument(
        "--ledger-key",
        default="",
        help="seal the ledger with this key (HMAC) and count the forger probes",
    )
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")
    if args.quick:
        args.accounts = 100
    rng = random.Random(args.seed)
    started = time.perf_counter()

    if not args.reuse:
        from bench_ledger import install

        log(f"creating {args.db} and installing timebank_volunteer")
        install(args.db, args.addons_path, args.http_port)

    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        ["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    if args.ledger_key:
        config["timebank_ledger_key"] = args.ledger_key
    registry = Registry(args.db)
    if not args.reuse:
        accounts, posted = generate(registry, args.accounts, rng)
        log(f"generated {accounts} accounts, posted {posted} lines via _post_lines")

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        all_accounts = env["timebank.account"].search([("last_sequence", ">", 0)])
        clean = all_accounts._check_chain()
        log(f"baseline: {clean['message']}")
        if not clean["ok"]:
            print("FAIL: the generated ledger does not verify before tampering")
            return 1
        cr.execute(
            "SELECT id FROM timebank_account WHERE last_sequence >= 2 ORDER BY id"
        )
        candidates = [row[0] for row in cr.fetchall()]

    plan = (KINDS * (args.tamperings // len(KINDS) + 1))[: args.tamperings]
    rng.shuffle(plan)
    by_kind = Counter()
    detected = Counter()
    named = Counter()
    misses = []
    for number, kind in enumerate(plan, 1):
        account_id = rng.choice(candidates)
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            lines = lines_of(cr, account_id)
            expected, reason, what = tamper(cr, kind, account_id, lines, rng)
            env.invalidate_all()
            result = env["timebank.account"].browse(account_id)._check_chain()
            cr.rollback()
        by_kind[kind] += 1
        got = result["line"].id or None
        ok_detect = not result["ok"]
        ok_named = ok_detect and got == expected and reason in result["message"]
        detected[kind] += ok_detect
        named[kind] += ok_named
        if not (ok_detect and ok_named):
            misses.append(
                f"#{number} {kind} account {account_id}: {what}; expected line "
                f"{expected} ({reason}), got ok={result['ok']} line={got}: "
                f"{result['message']}"
            )

    # the rollbacks left the ledger intact
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        after = (
            env["timebank.account"].search([("last_sequence", ">", 0)])._check_chain()
        )
    log(f"after the rollbacks: {after['message']}")

    total = len(plan)
    print("\ntamperings by kind (detected / named correctly / applied):")
    for kind in KINDS:
        print(
            f"  {kind:8s} {detected[kind]:3d} / {named[kind]:3d} / {by_kind[kind]:3d}"
        )
    print(f"detected {sum(detected.values())}/{total}")
    print(f"named correctly {sum(named.values())}/{total}")
    for miss in misses:
        print("MISS", miss)

    if args.ledger_key:
        print("\ninformed forger probes (counted: the ledger is sealed with a key):")
    else:
        print("\ninformed forger probes (not counted; the sha256 chain is not keyed):")
    probe_account = candidates[0]
    probes_missed = 0
    for rewrite in (False, True):
        forged, result = informed_forger(registry, probe_account, rewrite)
        label = "line + account rewritten" if rewrite else "line only"
        print(
            f"  {label:25s} forged line {forged}: ok={result['ok']} "
            f"line={result['line'].id or None}: {result['message']}"
        )
        if args.ledger_key and (result["ok"] or result["line"].id != forged):
            probes_missed += 1
    if args.ledger_key:
        print(f"forger probes detected and named {2 - probes_missed}/2")
    log(f"done in {time.perf_counter() - started:.1f}s")
    failed = (
        bool(misses)
        or not after["ok"]
        or sum(named.values()) != total
        or probes_missed > 0
    )
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
