#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Load/fault suite (issue 10): the access matrix, probed over XML-RPC.

One command (not collected by ``make test``):

    python3 tests/load/access_matrix.py --db tb_load_access           # all roles
    python3 tests/load/access_matrix.py --db tb_load_access --quick   # 3 roles
    python3 tests/load/access_matrix.py --db tb_load_access --reuse   # keep the DB

It (re)creates the database with ``timebank_volunteer`` and
``timebank_exchange`` and their demo data (the Taierzhuang tree and its
people, services, outlets, finance), adds fixtures the demo data lacks
(``make_fixtures``: created as the district administrator through the real
methods, on a station, a village, a sibling village, a town and another
town: volunteers with a settled service, settlement runs / lines / items,
beneficiaries, applied withdrawals with their holds, outlets, redemptions
handed over and partly returned, the year's awards, an API idempotency key),
creates one real user per role on a sub-branch (the supervisor on its town),
starts a real Odoo server on localhost (``--http-port`` 9272 by default,
stopped at the end) and, for every ``timebank.%`` model of ``ir.model`` that
has records, x read / create / write / unlink x a record of the user's OWN
node, of a CHILD node and of a SIBLING node (neither in the user's subtree nor
one of its ancestors), calls the server as that user and records the outcome:

    ok       the call succeeded
    denied   AccessError (groups or record rules)
    refused  UserError / ValidationError / MissingError (a business refusal)
    error    any other server error (printed)

Tables whose records have no node (configuration: service categories and
types, skills, service wishes, priority groups, star levels, API idempotency
keys) are probed on one record ("config" column).

The probes: read = ``read([id], ['display_name'])``; write = ``write([id],
{})`` (Odoo 18 checks the model access and the record rules even for empty
values, and changes nothing); create = ``create(vals)`` with the
``copy_data()`` of the record (so it lands on the same node); unlink = on a
superuser ``copy()`` of the record (falling back to the record itself), so
the demo data stays for the next probes.

Expected (from each role's scope and from the ACL files, not read back from
the database): no role gets an operation on a model that the modules'
``security/ir.model.access.csv`` files do not grant to one of its groups (so
only the right admin role writes a configuration table); a role that is not
district-wide never reads, writes, creates or deletes a SIBLING record; the
auditor never writes, creates or deletes; nobody, the district administrator
included, creates, writes or deletes a ledger line. District-wide: the
district administrator for every model, the inventory manager for outlets /
donations / redemptions / returns, the finance manager for contributions /
spendings / fund and guarantee figures and for reading nodes. An ``ok`` where
the expectation is "never" is a LEAK. The script prints the matrix per role,
the tables not probed with the reason, and "leaks: N"; it exits 1 if N > 0 or
on any ``error``.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import xmlrpc.client
from collections import Counter, defaultdict

from _server import ADDONS, REPO, create_db
from _server import registry as open_registry

PASSWORD = "tb-load-Access-10"
# role -> (groups, node xmlid the user is assigned to)
ROLES = {
    "auditor": (["timebank_volunteer.group_timebank_auditor"], "village"),
    "operator": (["timebank_volunteer.group_timebank_operator"], "village"),
    "supervisor": (["timebank_volunteer.group_timebank_supervisor"], "town"),
    "finance": (["timebank_exchange.group_timebank_finance"], "village"),
    "finance_manager": (
        ["timebank_exchange.group_timebank_finance_manager"],
        "village",
    ),
    "outlet_staff": (["timebank_exchange.group_exchange_staff"], "village"),
    "inventory_manager": (["timebank_exchange.group_exchange_manager"], "village"),
    "admin": (["timebank_volunteer.group_timebank_admin"], "village"),
}
QUICK_ROLES = ("auditor", "operator", "admin")
OUTLET_MODELS = {
    "timebank.exchange.outlet",
    "timebank.donation",
    "timebank.donation.line",
    "timebank.redemption",
    "timebank.redemption.line",
    "timebank.redemption.return",
    "timebank.redemption.return.line",
}
FINANCE_MODELS = {"timebank.contribution", "timebank.spending"}
# many2one fields through which a record belongs to a node, in order
NODE_PATHS = (
    "node_id",
    "town_id",
    "outlet_id",
    "account_id",
    "volunteer_id",
    "recipient_id",
    "run_id",
    "redemption_id",
    "return_id",
    "donation_id",
    "activity_id",
    "request_id",
    "service_record_id",
    "record_id",
)
OPS = ("read", "create", "write", "unlink")
# config: one record of a table without a node (everybody may read it; only
# the groups of the ACL files may write it)
SCOPES = ("own", "child", "sibling", "config")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def district_wide(role, model, op):
    if role == "admin":
        return True
    if role == "inventory_manager" and model in OUTLET_MODELS:
        return True
    if role == "finance_manager" and (
        model in FINANCE_MODELS or "fund" in model or "guarantee" in model
    ):
        return True
    if role == "finance_manager" and model == "timebank.node" and op == "read":
        return True
    return False


def load_acl(env):
    """{(model, op): group ids granted} from the modules' ir.model.access
    CSV files (an empty group grants everybody): what is intended, read from
    the source files rather than from the database."""
    grants = defaultdict(set)
    for module in ("timebank_volunteer", "timebank_exchange"):
        path = os.path.join(REPO, module, "security", "ir.model.access.csv")
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                model_xmlid = row["model_id:id"]
                if "." not in model_xmlid:
                    model_xmlid = f"{module}.{model_xmlid}"
                model = env.ref(model_xmlid).model
                group = row["group_id:id"]
                if group and "." not in group:
                    group = f"{module}.{group}"
                group_id = env.ref(group).id if group else 0
                for op in OPS:
                    if row[f"perm_{op}"] == "1":
                        grants[(model, op)].add(group_id)
    return dict(grants)


def granted(acl, groups, model, op):
    allowed = acl.get((model, op), set())
    return 0 in allowed or bool(allowed & groups)


def expected(role, model, op, scope, acl_granted=True):
    """'never' or 'may' (allowed or refused, both fine)."""
    if not acl_granted:
        # the ACL files do not give this operation to any group of the role
        return "never"
    if scope == "config":
        return "may"
    if model == "timebank.ledger.line" and op != "read":
        return "never"
    if role == "auditor" and op != "read":
        return "never"
    if scope == "sibling" and not district_wide(role, model, op):
        return "never"
    return "may"


def node_of(record, depth=0):
    """The node a record belongs to (superuser), or None."""
    if record._name == "timebank.node":
        return record
    if depth > 2:
        return None
    for fname in NODE_PATHS:
        field = record._fields.get(fname)
        if field is None or field.type != "many2one":
            continue
        target = record[fname]
        if not target:
            continue
        if target._name == "timebank.node":
            return target
        node = node_of(target, depth + 1)
        if node:
            return node
    return None


# people (volunteers, recipients) are registered in sub-branches only
FIXTURE_PEOPLE = {
    "village": "timebank_volunteer.node_gucheng_demo",
    "sibling": "timebank_volunteer.node_dingzhuang_demo",
    "other_town": "timebank_volunteer.node_nigoucun_demo",
}
# settlement runs: (scope node, month of 2024); nested scopes get periods
# that do not overlap
FIXTURE_RUNS = (
    ("timebank_volunteer.node_gucheng_st1_demo", 1),
    ("timebank_volunteer.node_gucheng_demo", 2),
    ("timebank_volunteer.node_dingzhuang_demo", 1),
    ("timebank_volunteer.node_yunhe_demo", 3),
    ("timebank_volunteer.node_nigou_demo", 1),
)
# outlets: (outlet xmlid or (node xmlid, new code), whose volunteer redeems)
FIXTURE_OUTLETS = (
    ("timebank_exchange.outlet_yunhe_demo", "sibling"),
    ("timebank_exchange.outlet_nigou_demo", "other_town"),
    (("timebank_volunteer.node_gucheng_demo", "LDGC"), "village"),
    (("timebank_volunteer.node_gucheng_st1_demo", "LDGS1"), "village"),
)
FIXTURE_PREFIX = "Access fixture"


def make_fixtures(env):
    """Records of the models the demo data leaves without a node, created as
    the district administrator through the real methods, on the nodes the
    probed users see as own / child / sibling: per sub-branch (gucheng, its
    sibling dingzhuang, nigoucun of another town) a volunteer taken through
    its lifecycle with a confirmed 4-hour service of January 2024, a
    beneficiary and an applied withdrawal (a hold); settlement runs of a
    station, two villages and two towns (preview, confirm, post: runs, lines,
    items); redemptions handed over and partly returned at four outlets (two
    created, on the village and its station); the year's commendation
    (awards); an API idempotency key. Skipped when they exist (``--reuse``).
    Returns a summary."""
    from odoo import Command

    admin = env.ref("base.user_admin")
    aenv = env(user=admin, context={"tracking_disable": True, "tz": "Asia/Shanghai"})
    relation = aenv["timebank.beneficiary"]._get_allowed_relations()[0]
    if env["res.partner"].search_count([("name", "=like", f"{FIXTURE_PREFIX}%")]):
        # an earlier run's unlink probes may have deleted beneficiaries (their
        # copy breaks a unique key, so the probe deletes the record itself)
        added = 0
        for key in FIXTURE_PEOPLE:
            volunteer = aenv["timebank.volunteer"].search(
                [("partner_id.name", "=", f"{FIXTURE_PREFIX} {key}")]
            )
            relative = aenv["timebank.recipient"].search(
                [("partner_id.name", "=", f"{FIXTURE_PREFIX} {key} family")]
            )
            Beneficiary = aenv["timebank.beneficiary"].with_context(active_test=False)
            if (
                volunteer
                and relative
                and not Beneficiary.search_count([("volunteer_id", "=", volunteer.id)])
            ):
                aenv["timebank.beneficiary"].create(
                    {
                        "volunteer_id": volunteer.id,
                        "recipient_id": relative.id,
                        "relation": relation,
                    }
                )
                added += 1
        return f"fixtures exist (reused; {added} beneficiaries re-created)"
    service_type = aenv["timebank.service.type"].search([], limit=1, order="id")
    people = {}
    for key, xmlid in FIXTURE_PEOPLE.items():
        node = aenv.ref(xmlid)
        partner, family = aenv["res.partner"].create(
            [
                {"name": f"{FIXTURE_PREFIX} {key}"},
                {"name": f"{FIXTURE_PREFIX} {key} family"},
            ]
        )
        # the lifecycle: applied, reviewed, trained (a session), active
        volunteer = aenv["timebank.volunteer"].create(
            {"partner_id": partner.id, "node_id": node.id}
        )
        volunteer.action_review()
        aenv["timebank.training"].create(
            {
                "name": f"{FIXTURE_PREFIX} training",
                "node_id": node.id,
                "attendee_ids": [Command.link(volunteer.id)],
            }
        )
        volunteer.action_train()
        volunteer.action_activate()
        himself, relative = aenv["timebank.recipient"].create(
            [
                {"partner_id": partner.id, "node_id": node.id},
                {"partner_id": family.id, "node_id": node.id},
            ]
        )
        record = aenv["timebank.service.record"].create(
            {
                "volunteer_id": volunteer.id,
                "recipient_id": relative.id,
                "service_type_id": service_type.id,
                "date_start": "2024-01-10 01:00:00",
                "date_end": "2024-01-10 05:00:00",
            }
        )
        record.action_submit()
        record.action_confirm()
        people[key] = (node, volunteer, himself, relative)
    for xmlid, month in FIXTURE_RUNS:
        run = aenv["timebank.settlement.run"].create(
            {
                "node_id": aenv.ref(xmlid).id,
                "date_from": f"2024-{month:02d}-01",
                "date_to": f"2024-{month:02d}-{[31, 29, 31][month - 1]}",
                "tz": "Asia/Shanghai",
                "settle_anyway": True,
            }
        )
        run.action_preview()
        run.action_confirm()
        run.action_process_now()
    for _node, volunteer, himself, relative in people.values():
        aenv["timebank.beneficiary"].create(
            {
                "volunteer_id": volunteer.id,
                "recipient_id": relative.id,
                "relation": relation,
            }
        )
        withdrawal = aenv["timebank.withdrawal"].create(
            {
                "volunteer_id": volunteer.id,
                "recipient_id": himself.id,
                "service_type_id": service_type.id,
                "estimated_hours": 0.5,
            }
        )
        withdrawal.action_apply()
    # goods: outlets on the village and its station, stock, redemptions
    outlets = []
    for outlet, key in FIXTURE_OUTLETS:
        if isinstance(outlet, str):
            outlet = aenv.ref(outlet)
        else:
            node = aenv.ref(outlet[0])
            outlet = aenv["timebank.exchange.outlet"].create(
                {
                    "name": f"{FIXTURE_PREFIX} outlet {node.name}",
                    "code": outlet[1],
                    "node_id": node.id,
                }
            )
        outlets.append((outlet, key))
    product = aenv["product.product"].create(
        {
            "name": f"{FIXTURE_PREFIX} soap",
            "type": "consu",
            "is_storable": True,
            "timebank_exchangeable": True,
            "timebank_hour_price": 0.5,
        }
    )
    redemptions = aenv["timebank.redemption"]
    for outlet, key in outlets:
        # sudo inside: Inventory's own way to put goods on a shelf
        env["stock.quant"]._update_available_quantity(product, outlet.lot_stock_id, 3)
        redemption = aenv["timebank.redemption"].create(
            {
                "volunteer_id": people[key][1].id,
                "outlet_id": outlet.id,
                "line_ids": [Command.create({"product_id": product.id, "quantity": 2})],
            }
        )
        redemption.action_confirm()
        redemption.action_hand_over()
        goods_return = aenv["timebank.redemption.return"].create(
            {
                "redemption_id": redemption.id,
                "reason": "fixture",
                "line_ids": [
                    Command.create(
                        {"redemption_line_id": redemption.line_ids.id, "quantity": 1}
                    )
                ],
            }
        )
        goods_return.action_confirm()
        redemptions |= redemption
    # the year's awards, proposed and recorded by the commendation wizard
    wizard = aenv["timebank.commendation.wizard"].create(
        {"year": 2024, "top_count": 20}
    )
    wizard.action_propose()
    wizard.action_record()
    awards = aenv["timebank.award"].search([("year", "=", 2024)])
    # an API idempotency key, written as the JSON API does it (sudo)
    env["timebank.api.idempotency"].create(
        {
            "user_id": admin.id,
            "key": "access-fixture",
            "request_hash": "0" * 64,
            "response_status": 200,
            "response_body": "{}",
        }
    )
    env.flush_all()
    return (
        f"fixtures: {len(people)} volunteers with a settled service, "
        f"{len(FIXTURE_RUNS)} settlement runs, beneficiaries, withdrawals with "
        f"holds, {len(redemptions)} redemptions handed over and partly returned "
        f"at {len(outlets)} outlets, {len(awards)} awards, 1 API idempotency key"
    )


def setup(registry, roles):
    """Users per role; records per (model, scope) for each user node."""
    import odoo
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        fixtures = make_fixtures(env)
        acl = load_acl(env)
        Node = env["timebank.node"]
        village = env.ref("timebank_volunteer.node_gucheng_demo")
        town = village.parent_id
        nodes = {"village": village, "town": town}
        users = {}
        for role in roles:
            groups, where = ROLES[role]
            login = f"tb_load_{role}"
            user = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .search([("login", "=", login)])
            )
            vals = {
                "name": f"Load {role}",
                "login": login,
                "password": PASSWORD,
                "groups_id": [
                    (
                        6,
                        0,
                        [env.ref("base.group_user").id]
                        + [env.ref(g).id for g in groups],
                    )
                ],
                "timebank_node_ids": [(6, 0, nodes[where].ids)],
            }
            if user:
                user.write(vals)
            else:
                user = (
                    env["res.users"].with_context(no_reset_password=True).create(vals)
                )
            users[role] = (user.id, where, frozenset(user.groups_id.ids))

        models = env["ir.model"].search([("model", "=like", "timebank.%")])
        samples = {}  # (where, model) -> {scope: id}
        skipped = []
        for model in models.mapped("model"):
            Model = env[model]
            if Model._transient or Model._abstract or not Model._auto:
                skipped.append(f"{model} (not a table)")
                continue
            records = Model.with_context(active_test=False).search([], limit=3000)
            for where, base in nodes.items():
                subtree = Node.search([("id", "child_of", base.id)])
                ancestors = Node.search([("id", "parent_of", base.id)])
                found = {}
                for record in records:
                    node = node_of(record)
                    if node is None:
                        continue
                    if node == base:
                        scope = "own"
                    elif node in subtree:
                        scope = "child"
                    elif node not in ancestors:
                        scope = "sibling"
                    else:
                        continue
                    found.setdefault(scope, record.id)
                    if len(found) == 3:
                        break
                samples[(where, model)] = found
            if not any(samples[(w, model)] for w in nodes):
                if records and not any(node_of(r) for r in records[:50]):
                    # a configuration table: one record, probed by everybody
                    for where in nodes:
                        samples[(where, model)] = {"config": records[0].id}
                elif records:
                    skipped.append(f"{model} (no record on the probed nodes)")
                else:
                    skipped.append(f"{model} (no record)")
        return users, samples, skipped, acl, fixtures


def classify(fault):
    """/xmlrpc/2 fault codes: 4 AccessError, 3 AccessDenied, 2 UserError and
    its subclasses (ValidationError, MissingError, ...), 1 anything else."""
    if fault.faultCode in (3, 4):
        return "denied"
    if fault.faultCode == 2:
        return "refused"
    return "error"


def main():  # noqa: C901 (one linear script: setup, probe, report)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_access")
    parser.add_argument("--quick", action="store_true", help="3 roles only")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--http-port", type=int, default=9272)
    parser.add_argument(
        "--timeout", type=int, default=900, help="give up after this many seconds"
    )
    args = parser.parse_args()
    if not args.db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")
    if not 9269 <= args.http_port <= 9279:
        parser.error("use an HTTP port in 9269-9279")
    roles = QUICK_ROLES if args.quick else tuple(ROLES)
    started = time.perf_counter()
    deadline = time.monotonic() + args.timeout

    if not args.reuse:
        create_db(args.db, args.http_port, "timebank_volunteer,timebank_exchange")

    import odoo
    from odoo import api

    registry = open_registry(args.db)
    users, samples, skipped, acl, fixtures = setup(registry, roles)
    log(fixtures)
    log(f"{len(users)} users; {len({m for _w, m in samples})} models probed")

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            args.db,
            f"--addons-path={ADDONS}",
            f"--http-port={args.http_port}",
            "--http-interface=127.0.0.1",
            "--db-filter=^%s$" % args.db,
            "--workers=0",
            "--max-cron-threads=0",
            "--log-level=warn",
            "--logfile=/tmp/tb_load_access_server.log",
        ],
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{args.http_port}"
    leaks, errors = [], []
    table = defaultdict(Counter)  # role -> Counter((op, scope, outcome))
    cells = 0
    acl_cells = Counter()  # (granted by the ACL files, outcome) -> cells
    try:
        for _i in range(60):
            try:
                xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
                break
            except OSError:
                time.sleep(1)
        log(f"server up on {url}")
        for role in roles:
            uid, where, groups = users[role]
            common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
            assert common.authenticate(args.db, f"tb_load_{role}", PASSWORD, {}) == uid
            rpc = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

            def call(model, method, params, kw=None, uid=uid, rpc=rpc):
                return rpc.execute_kw(
                    args.db, uid, PASSWORD, model, method, params, kw or {}
                )

            for (w, model), found in sorted(samples.items()):
                if w != where:
                    continue
                for scope in SCOPES:
                    rid = found.get(scope)
                    if rid is None:
                        continue
                    for op in OPS:
                        if time.monotonic() > deadline:
                            raise TimeoutError("access matrix: timeout")
                        target = rid
                        if op == "create" or op == "unlink":
                            with registry.cursor() as cr:
                                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                                record = env[model].browse(rid)
                                if op == "create":
                                    try:
                                        data = record.copy_data()[0]
                                    except Exception:  # noqa: BLE001
                                        data = None
                                else:
                                    try:
                                        with cr.savepoint():
                                            target = record.copy().id
                                    except Exception:  # noqa: BLE001
                                        target = rid
                            if op == "create" and data is None:
                                continue
                            if op == "create":  # Command enums, dates -> plain
                                data = json.loads(json.dumps(data, default=str))
                        try:
                            if op == "read":
                                call(
                                    model,
                                    "read",
                                    [[target]],
                                    {"fields": ["display_name"]},
                                )
                            elif op == "write":
                                call(model, "write", [[target], {}])
                            elif op == "create":
                                call(model, "create", [data])
                            else:
                                call(model, "unlink", [[target]])
                            outcome = "ok"
                        except xmlrpc.client.Fault as fault:
                            outcome = classify(fault)
                            if outcome == "error":
                                errors.append(
                                    f"{role} {op} {model} {scope}: "
                                    f"{fault.faultString.strip().splitlines()[-1][:200]}"
                                )
                        except (TypeError, OverflowError) as exc:
                            outcome = "skipped"
                            errors.append(f"{role} {op} {model}: cannot marshal {exc}")
                        if op == "unlink" and target != rid and outcome != "ok":
                            with registry.cursor() as cr:
                                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                                try:
                                    with cr.savepoint():
                                        env[model].browse(target).unlink()
                                except Exception:  # noqa: BLE001
                                    pass
                        cells += 1
                        table[role][(op, scope, outcome)] += 1
                        acl_ok = granted(acl, groups, model, op)
                        acl_cells[(acl_ok, outcome)] += 1
                        if (
                            outcome == "ok"
                            and expected(role, model, op, scope, acl_ok) == "never"
                        ):
                            leaks.append(f"{role:17s} {op:6s} {scope:7s} {model}")
            log(f"{role}: done")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    print("\nmatrix per role: op/scope -> ok / denied / refused / error")
    for role in roles:
        print(f"  {role}")
        for op in OPS:
            parts = []
            for scope in SCOPES:
                c = {
                    o: table[role][(op, scope, o)]
                    for o in ("ok", "denied", "refused", "error")
                }
                parts.append(
                    f"{scope} {c['ok']}/{c['denied']}/{c['refused']}/{c['error']}"
                )
            print(f"    {op:6s} " + "   ".join(parts))
    node_models = sorted({m for (_w, m), f in samples.items() if set(f) - {"config"}})
    config_models = sorted({m for (_w, m), f in samples.items() if "config" in f})
    print(
        f"cells probed: {cells}; node-scoped models: {len(node_models)}; "
        f"configuration tables: {len(config_models)} ({', '.join(config_models)})"
    )
    for where in ("village", "town"):
        gaps = [
            f"{m} ({'/'.join(s for s in SCOPES[:3] if s not in samples[(where, m)])})"
            for m in node_models
            if len(samples[(where, m)]) < 3
        ]
        print(f"  scopes without a record for the {where} users: {', '.join(gaps)}")
    print(
        "  cells the ACL files grant: "
        + ", ".join(f"{o} {acl_cells[(True, o)]}" for o in ("ok", "denied", "refused"))
        + "; cells they do not grant: "
        + ", ".join(f"{o} {acl_cells[(False, o)]}" for o in ("ok", "denied", "refused"))
    )
    for line in skipped:
        print("  not probed:", line)
    for error in errors:
        print("ERROR", error)
    for leak in leaks:
        print("LEAK", leak)
    print(f"leaks: {len(leaks)}")
    log(f"done in {time.perf_counter() - started:.1f}s")
    failed = bool(leaks) or any(not e.startswith("skipped") for e in errors)
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
