#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Load suite (issue 10): the 12349 JSON API under concurrent clients.

One command (not collected by ``make test``):

    python3 tests/load/api_load.py --db tb_load_api            # 20 x 500 calls
    python3 tests/load/api_load.py --db tb_load_api --quick    # 4 x 50 calls

It (re)creates the database with ``timebank_volunteer`` and its demo data,
creates one integration user per town (an operator whose time-bank nodes are
that town) and one real API key per client process, starts Odoo with
``--workers=4`` on localhost (port 9290 by default, stopped at the end) and
runs the client processes against ``/timebank/api/v1``. The clients of one
town share its user. Each client makes its share of calls, a mix of

    reads    GET /needs (pages, state filter), /volunteers (node filter),
             /recipients, /volunteers/{id}/balances and /passbook, some of a
             volunteer outside the town (must be 404)
    writes   POST /needs, POST /service-records (services land submitted; a
             volunteer serving twice in the same hour or outside the town
             must be refused), PATCH /needs/{id} (note / urgency, or cancel)

Every write carries an ``Idempotency-Key`` and is sent twice with it: either
right after by the same client, or handed to another client of the same user
that sends it while the first may still be in flight; some are then sent a
third time with the same key and another body, which must be refused with
409 ``idempotency_conflict``.

Afterwards it checks, from the database: one idempotency row per key used, no
duplicate (the records the run created are exactly the ids of the 2xx replies
of distinct keys, one per key), nothing lost (every 2xx reply's record exists
with the values sent), every resend got the same status and body as the first
reply (and as the stored one), every reply is a documented status of its
operation with a documented error code (never a 5xx), no list read leaks a
record outside the town, and the ledger is untouched (the API posts no hours:
same number of lines, all chains verify). Prints latency p50/p95/p99 per
operation and overall, the throughput and the counts by status; exits 1 on
any broken invariant.
"""

import argparse
import http.client
import json
import math
import multiprocessing
import os
import queue
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from _server import (
    REPO,
    check_db_name,
    create_db,
    log,
    registry,
    start_server,
    stop_server,
)

PREFIX = "/timebank/api/v1"
OPENAPI = os.path.join(REPO, "timebank_volunteer/static/openapi/timebank-api-v1.json")
TOWNS = 4  # integration users, one per town
# services are recorded in one-hour slots from here on (all in the past)
SLOT0 = datetime(2024, 1, 1, 0, 0, 0)
SLOTS = 24 * 120
NEED0 = datetime(2027, 1, 4, 1, 0, 0)  # needs are wanted in the future
CHANNELS = ("hotline", "station", "walk_in", "family", "online")
URGENCIES = ("normal", "urgent", "emergency")
READ_SHARE = 0.45


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------
# Client processes
# ----------------------------------------------------------------------


class Client:
    def __init__(self, spec):
        self.spec = spec
        self.number = spec["number"]
        self.rng = random.Random(spec["seed"] * 1000 + self.number)
        self.calls = []  # one dict per HTTP call
        self.writes = []  # one dict per logical write (its key)
        self.leaks = []
        self.my_needs = []  # needs this client created, not patched yet
        self.count = 0

    def http(self, method, path, body=None, key=None, raw=None):
        headers = {"Authorization": f"Bearer {self.spec['api_key']}"}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        wall0, t0 = time.time(), time.perf_counter()
        try:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.spec["port"], timeout=300
            )
            connection.request(method, PREFIX + path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
            replayed = response.getheader("Idempotent-Replayed") == "true"
            connection.close()
        except OSError as error:
            payload, status, replayed = str(error).encode(), 0, False
        duration = time.perf_counter() - t0
        try:
            content = json.loads(payload)
            json_ok = True
        except ValueError:
            content, json_ok = payload[:300].decode(errors="replace"), False
        self.count += 1
        return {
            "client": self.number,
            "user": self.spec["user"],
            "method": method,
            "path": path,
            "status": status,
            "replayed": replayed,
            "json": json_ok,
            "body": content,
            "start": wall0,
            "end": wall0 + duration,
            "duration": duration,
        }

    def record(self, call, operation, key=None, role=None):
        call["operation"] = operation
        call["key"] = key
        call["role"] = role
        if not (key or (call["status"] >= 400 and call["json"])):
            call["body"] = None  # keep the memory small: reads are not compared
        self.calls.append(call)
        return call

    # reads --------------------------------------------------------------

    def read(self):
        spec, rng = self.spec, self.rng
        draw = rng.random()
        if draw < 0.25:
            query = f"?limit=20&page={rng.randint(1, 3)}"
            if rng.random() < 0.5:
                query += "&state=new"
            operation = "GET /needs"
            call = self.http("GET", "/needs" + query)
            scope = None
        elif draw < 0.45:
            node = rng.choice(spec["nodes"])
            operation = "GET /volunteers"
            call = self.http("GET", f"/volunteers?node={node}&limit=50")
            scope = spec["scope_volunteers"]
        elif draw < 0.6:
            operation = "GET /recipients"
            call = self.http("GET", f"/recipients?limit=20&page={rng.randint(1, 2)}")
            scope = spec["scope_recipients"]
        else:
            outside = rng.random() < 0.05
            volunteer = rng.choice(
                spec["outside_volunteers"] if outside else spec["volunteers"]
            )
            what = rng.choice(("balances", "passbook"))
            query = "?limit=20" if what == "passbook" else ""
            operation = f"GET /volunteers/{{volunteer_id}}/{what}"
            call = self.http("GET", f"/volunteers/{volunteer}/{what}{query}")
            scope = None
            if outside and call["status"] != 404:
                self.leaks.append(
                    f"{operation} of volunteer {volunteer} outside: {call['status']}"
                )
        if scope is not None and call["status"] == 200 and call["json"]:
            for item in call["body"].get("items", []):
                if item["id"] not in scope:
                    self.leaks.append(f"{operation} listed {item['id']}")
        self.record(call, operation)

    # writes -------------------------------------------------------------

    def new_write(self):
        """The operation, method, path and body of a new write."""
        spec, rng = self.spec, self.rng
        index = len(self.writes)
        key = f"{spec['tag']}-c{self.number}-w{index}"
        note = f"api load {key}"
        draw = rng.random()
        if draw < 0.15 and self.my_needs:
            need = self.my_needs.pop(rng.randrange(len(self.my_needs)))
            if rng.random() < 0.3:
                body = {"state": "cancelled"}
            else:
                body = {"note": note, "urgency": rng.choice(URGENCIES)}
            return key, "PATCH /needs/{need_id}", "PATCH", f"/needs/{need}", body
        if draw < 0.18:
            # outside the town: a need that is not there for this user, or a
            # service of a volunteer of another town
            if rng.random() < 0.5:
                need = rng.choice(spec["outside_needs"])
                return (
                    key,
                    "PATCH /needs/{need_id}",
                    "PATCH",
                    f"/needs/{need}",
                    {"note": note},
                )
            volunteers = spec["outside_volunteers"]
        elif draw < 0.58:
            start = NEED0 + timedelta(hours=rng.randrange(24 * 60))
            body = {
                "recipient_id": rng.choice(spec["recipients"]),
                "service_type_id": rng.choice(spec["types"]),
                "date_start": iso(start),
                "date_end": iso(start + timedelta(hours=rng.choice((1, 2, 3)))),
                "channel": rng.choice(CHANNELS),
                "urgency": rng.choice(URGENCIES),
                "note": note,
            }
            return key, "POST /needs", "POST", "/needs", body
        else:
            volunteers = spec["volunteers"]
        start = SLOT0 + timedelta(hours=rng.randrange(SLOTS))
        body = {
            "volunteer_id": rng.choice(volunteers),
            "recipient_id": rng.choice(spec["recipients"]),
            "service_type_id": rng.choice(spec["types"]),
            "date_start": iso(start),
            "date_end": iso(start + timedelta(hours=1)),
            "note": note,
        }
        return key, "POST /service-records", "POST", "/service-records", body

    def write(self, budget):
        key, operation, method, path, body = self.new_write()
        draw = self.rng.random()
        if draw < 0.1 and budget >= 3:
            mode = "conflict"
        elif draw < 0.55 and self.spec["partner_inbox"] is not None:
            mode = "handoff"
        else:
            mode = "after"
        write = {
            "key": key,
            "user": self.spec["user"],
            "operation": operation,
            "method": method,
            "path": path,
            "body": body,
            "mode": mode,
        }
        self.writes.append(write)
        if mode == "handoff":
            # the other client sends it as soon as it is between two calls,
            # usually while this one is still waiting for its answer
            self.spec["partner_inbox"].put((key, operation, method, path, body))
        first = self.record(self.http(method, path, body, key), operation, key, "first")
        if mode in ("after", "conflict"):
            self.record(self.http(method, path, body, key), operation, key, "again")
        if mode == "conflict":
            other = dict(body, note=f"{body.get('note', '')} changed")
            call = self.http(method, path, other, key)
            self.record(call, operation, key, "conflict")
        if first["status"] == 201 and operation == "POST /needs":
            self.my_needs.append(first["body"]["id"])

    def handoff(self, job):
        key, operation, method, path, body = job
        self.record(self.http(method, path, body, key), operation, key, "handoff")

    def inbox_job(self):
        inbox = self.spec["inbox"]
        if inbox is None:
            return None
        try:
            return inbox.get_nowait()
        except queue.Empty:
            return None

    def run(self):
        calls = self.spec["calls"]
        while self.count < calls:
            job = self.inbox_job()
            if job:
                self.handoff(job)
            elif self.rng.random() < READ_SHARE or calls - self.count < 2:
                self.read()
            else:
                self.write(calls - self.count)
        while job := self.inbox_job():  # what the partner handed over late
            self.handoff(job)
        return {"calls": self.calls, "writes": self.writes, "leaks": self.leaks}


def run_client(spec):
    return Client(spec).run()


# ----------------------------------------------------------------------
# Setup, in this process through the ORM
# ----------------------------------------------------------------------


def setup(env, clients, tag):
    """Integration users (one per town, operators scoped to it), one API key
    per client, and what each client may name."""
    from odoo import Command

    Node = env["timebank.node"]
    Volunteer = env["timebank.volunteer"]
    Recipient = env["timebank.recipient"]
    towns = []
    for town in Node.search([("kind", "=", "town")], order="id"):
        volunteers = Volunteer.search(
            [("node_id", "child_of", town.id), ("state", "=", "active")]
        )
        recipients = Recipient.search([("node_id", "child_of", town.id)])
        if len(volunteers) >= 2 and len(recipients) >= 2:
            towns.append((town, volunteers, recipients))
    towns = towns[: max(1, min(TOWNS, clients // 2))]
    if len(towns) < 2:
        raise SystemExit("the demo data has fewer than 2 towns with volunteers")
    types = env["timebank.service.type"].search([], order="id").ids
    operator = env.ref("timebank_volunteer.group_timebank_operator")
    users = []
    for town, volunteers, recipients in towns:
        login = f"tb_load_api_{town.code.lower()}"
        user = env["res.users"].search([("login", "=", login)])
        if not user:
            user = env["res.users"].create(
                {
                    "name": f"12349 platform ({town.code})",
                    "login": login,
                    "tz": "UTC",
                    "groups_id": [
                        Command.set([env.ref("base.group_user").id, operator.id])
                    ],
                    "timebank_node_ids": [Command.set([town.id])],
                }
            )
        all_volunteers = Volunteer.with_context(active_test=False).search(
            [("node_id", "child_of", town.id)]
        )
        all_recipients = Recipient.with_context(active_test=False).search(
            [("node_id", "child_of", town.id)]
        )
        users.append(
            {
                "user": user.id,
                "login": login,
                "town": town.code,
                "nodes": Node.search([("id", "child_of", town.id)]).ids,
                "volunteers": volunteers.ids,
                "recipients": recipients.ids,
                "scope_volunteers": set(all_volunteers.ids),
                "scope_recipients": set(all_recipients.ids),
            }
        )
    # a need in every town, for the writes aimed outside the caller's town
    for entry in users:
        entry["need"] = (
            env["timebank.service.request"]
            .create(
                {
                    "recipient_id": entry["recipients"][0],
                    "service_type_id": types[0],
                    "date_start": NEED0,
                    "date_end": NEED0 + timedelta(hours=1),
                    "note": f"api load {tag} outside",
                }
            )
            .id
        )
    specs = []
    for number in range(clients):
        entry = users[number % len(users)]
        others = [other for other in users if other is not entry]
        api_key = (
            env["res.users.apikeys"]
            .with_user(entry["user"])
            .sudo()
            ._generate("rpc", f"api load {tag} client {number}", None)
        )
        specs.append(
            {
                "number": number,
                "user": entry["user"],
                "api_key": api_key,
                "nodes": entry["nodes"],
                "volunteers": entry["volunteers"],
                "recipients": entry["recipients"],
                "scope_volunteers": entry["scope_volunteers"],
                "scope_recipients": entry["scope_recipients"],
                "outside_volunteers": [v for o in others for v in o["volunteers"]],
                "outside_needs": [o["need"] for o in others],
                "types": types,
                "tag": tag,
            }
        )
    return users, specs


# ----------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------


def documented(document):
    """{(METHOD, path template): {status, ...}} and the error codes."""
    statuses = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                statuses[(method.upper(), path)] = {
                    int(code) for code in operation["responses"]
                }
    codes = set(
        document["components"]["schemas"]["Error"]["properties"]["error"]["properties"][
            "code"
        ]["enum"]
    )
    return statuses, codes


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[index]


def check_replies(calls, statuses, codes, failures):
    """Every reply is a documented status of its operation, JSON, with a
    documented error code when it is an error."""
    undocumented = Counter()
    for call in calls:
        method, _sep, template = call["operation"].partition(" ")
        allowed = statuses.get((method, template), set())
        code = None
        if call["status"] >= 400 and call["json"]:
            code = (call["body"] or {}).get("error", {}).get("code")
        if (
            call["status"] not in allowed
            or not call["json"]
            or (call["status"] >= 400 and code not in codes)
        ):
            undocumented[(call["operation"], call["status"], code)] += 1
            if sum(undocumented.values()) <= 10:
                failures.append(
                    f"undocumented reply to {call['method']} {call['path']} "
                    f"({call['role'] or 'read'}): {call['status']} "
                    f"{short(call['body'], 200)}"
                )
    return undocumented


def check_idempotency(writes, calls, failures):
    """Resends equal the first reply; conflicts get 409. Returns the first
    reply of each key and the overlap figures."""
    by_key = defaultdict(list)
    for call in calls:
        if call["key"]:
            by_key[(call["user"], call["key"])].append(call)
    firsts = {}
    figures = Counter()
    for write in writes:
        group = by_key[(write["user"], write["key"])]
        same = [c for c in group if c["role"] != "conflict"]
        conflict = [c for c in group if c["role"] == "conflict"]
        figures[write["mode"]] += 1
        if len(same) != 2:
            failures.append(f"key {write['key']}: sent {len(same)} times, not 2")
            continue
        # the reply of the request that did the write: the one not marked
        # as replayed (an error page that is not the API's JSON is no reply)
        originals = [c for c in same if not c["replayed"] and c["json"]]
        if len(originals) != 1:
            failures.append(
                f"key {write['key']} ({write['mode']}): {len(originals)} replies "
                f"not marked as replayed out of 2: "
                + "; ".join(f"{c['status']} {short(c['body'])}" for c in same)
            )
            if not originals:
                continue
            originals.sort(key=lambda c: c["end"])
        first = originals[0]
        firsts[write["key"]] = (write, first)
        for call in same:
            if (call["status"], call["body"]) != (first["status"], first["body"]):
                failures.append(
                    f"key {write['key']}: resend got {call['status']} "
                    f"{short(call['body'])} instead of {first['status']} "
                    f"{short(first['body'])}"
                )
        if write["mode"] == "handoff":
            a, b = same
            if a["start"] < b["end"] and b["start"] < a["end"]:
                figures["handoff overlapping"] += 1
            if (
                first["client"]
                != next(c for c in same if c["role"] == "first")["client"]
            ):
                figures["handoff won by the other client"] += 1
        for call in conflict:
            code = (call["body"] or {}).get("error", {}).get("code")
            if call["status"] != 409 or code != "idempotency_conflict":
                failures.append(
                    f"key {write['key']}: another body got {call['status']} "
                    f"{short(call['body'])}, not 409 idempotency_conflict"
                )
            else:
                figures["conflicts refused"] += 1
    return firsts, figures


def reason(message):
    """A refusal without the names and numbers in it."""
    message = re.sub(r"^.* (cannot be in two services at once).*$", r"\1", message)
    message = re.sub(r"^.* (would serve .* more than the maximum).*$", r"\1", message)
    return re.sub(r"\d+", "N", message)[:70]


def short(body, size=120):
    return repr(body)[:size]


def to_naive(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def check_database(env, users, firsts, before, failures):  # noqa: C901
    """No duplicate, nothing lost, the stored replies are the ones sent."""
    user_ids = [entry["user"] for entry in users]
    cr = env.cr
    # the idempotency log: one row per key, holding the first reply
    cr.execute(
        """SELECT user_id, key, count(*), min(response_status),
                  min(response_body)
             FROM timebank_api_idempotency
            WHERE id > %s AND user_id = ANY(%s)
            GROUP BY user_id, key""",
        [before["idempotency"], user_ids],
    )
    rows = {
        (uid, key): (n, status, body) for uid, key, n, status, body in cr.fetchall()
    }
    for (uid, key), (n, status, body) in rows.items():
        if n != 1:
            failures.append(f"key {key} of user {uid}: {n} idempotency rows")
        entry = firsts.get(key)
        if entry and (status, json.loads(body)) != (
            entry[1]["status"],
            entry[1]["body"],
        ):
            failures.append(f"key {key}: stored reply {status} differs from the sent")
    sent = {(write["user"], key) for key, (write, _first) in firsts.items()}
    missing = sent - set(rows)
    extra = set(rows) - sent
    if missing:
        failures.append(f"{len(missing)} keys without an idempotency row")
    if extra:
        failures.append(f"{len(extra)} idempotency rows for keys never sent")

    created = {"POST /needs": {}, "POST /service-records": {}}
    patched = {}
    for write, first in firsts.values():
        if 200 <= first["status"] < 300:
            if write["operation"] in created:
                created[write["operation"]][first["body"]["id"]] = write
            else:
                patched[first["body"]["id"]] = write
    figures = {}
    for operation, model, table in (
        ("POST /needs", "timebank.service.request", "timebank_service_request"),
        (
            "POST /service-records",
            "timebank.service.record",
            "timebank_service_record",
        ),
    ):
        cr.execute(
            f"SELECT id FROM {table} WHERE id > %s AND create_uid = ANY(%s)",  # noqa: S608
            [before[table], user_ids],
        )
        in_db = {row[0] for row in cr.fetchall()}
        replied = created[operation]
        figures[operation] = (len(in_db), len(replied))
        if len(in_db - set(replied)):
            failures.append(
                f"{operation}: {len(in_db - set(replied))} records in the database "
                f"that no 2xx reply announced (duplicates): "
                f"{sorted(in_db - set(replied))[:10]}"
            )
        if set(replied) - in_db:
            failures.append(
                f"{operation}: {len(set(replied) - in_db)} replied records are "
                f"missing (lost): {sorted(set(replied) - in_db)[:10]}"
            )
        # one record per note (each key has its own note)
        cr.execute(
            f"SELECT note, count(*) FROM {table} "  # noqa: S608
            "WHERE id > %s AND create_uid = ANY(%s) GROUP BY note HAVING count(*) > 1",
            [before[table], user_ids],
        )
        for note, n in cr.fetchall():
            failures.append(f"{operation}: {n} records with the note {note!r}")
        for record in env[model].browse(sorted(set(replied) & in_db)):
            body = replied[record.id]["body"]
            expected = {
                "recipient_id": body["recipient_id"],
                "service_type_id": body["service_type_id"],
                "date_start": to_naive(body["date_start"]),
                "date_end": to_naive(body["date_end"]),
            }
            got = {
                "recipient_id": record.recipient_id.id,
                "service_type_id": record.service_type_id.id,
                "date_start": record.date_start,
                "date_end": record.date_end,
            }
            if model == "timebank.service.record":
                expected.update(
                    volunteer_id=body["volunteer_id"],
                    note=body["note"],
                    state="submitted",
                )
                got.update(
                    volunteer_id=record.volunteer_id.id,
                    note=record.note,
                    state=record.state,
                )
            else:
                patch = patched.pop(record.id, None)
                final = dict(body, **(patch["body"] if patch else {}))
                expected.update(
                    channel=body["channel"],
                    urgency=final["urgency"],
                    note=final["note"],
                    state="cancelled" if final.get("state") == "cancelled" else "new",
                )
                got.update(
                    channel=record.channel,
                    urgency=record.urgency,
                    note=record.note,
                    state=record.state,
                )
            if expected != got:
                diff = {k: (v, got[k]) for k, v in expected.items() if got[k] != v}
                failures.append(f"{model} {record.id}: sent != stored {diff}")
    if patched:
        failures.append(f"{len(patched)} 2xx patches of needs not created by the run")
    cr.execute("SELECT count(*) FROM timebank_ledger_line")
    lines = cr.fetchone()[0]
    if lines != before["lines"]:
        failures.append(f"{lines - before['lines']} ledger lines appeared")
    check = env["timebank.account"].search([])._check_chain()
    if not check["ok"]:
        failures.append(f"ledger: {check['message']}")
    return figures, len(rows), check["message"]


# ----------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------


def main():  # noqa: C901 (one linear script: setup, load, checks)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tb_load_api")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--calls", type=int, default=500, help="calls per client")
    parser.add_argument("--quick", action="store_true", help="4 clients x 50 calls")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--port", type=int, default=9290, help="HTTP port; gevent uses the next one"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--seed",
        type=int,
        help="random by default (a reused database keeps the services of the "
        "earlier runs: the same seed would only meet them again)",
    )
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    check_db_name(parser, args.db)
    if not 9269 <= args.port <= 9293:
        parser.error("use an HTTP port in 9269-9293")
    if args.quick:
        args.clients, args.calls = 4, 50
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(10**6)
    if args.clients < 2:
        parser.error("at least 2 clients (a write is handed from one to another)")
    started = time.perf_counter()
    if not args.reuse:
        create_db(args.db, args.port)

    import odoo
    from odoo import api

    tag = f"{time.strftime('%H%M%S')}{os.getpid() % 1000:03d}"
    reg = registry(args.db)
    with reg.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        users, specs = setup(env, args.clients, tag)
        before = {}
        for table in (
            "timebank_api_idempotency",
            "timebank_service_request",
            "timebank_service_record",
        ):
            cr.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
            before[table] = cr.fetchone()[0]
        before["idempotency"] = before.pop("timebank_api_idempotency")
        cr.execute("SELECT count(*) FROM timebank_ledger_line")
        before["lines"] = cr.fetchone()[0]
    for entry in users:
        log(
            f"user {entry['login']}: town {entry['town']}, "
            f"{len(entry['volunteers'])} active volunteers, "
            f"{len(entry['recipients'])} recipients"
        )
    with open(OPENAPI, encoding="utf-8") as handle:
        statuses, codes = documented(json.load(handle))

    server_log = f"/tmp/{args.db}_server.log"
    server = start_server(
        args.db,
        args.port,
        workers=args.workers,
        logfile=server_log,
        extra=["--log-handler=odoo.service.model:INFO"],
    )
    try:
        log(
            f"server up on port {args.port} ({args.workers} workers); "
            f"{args.clients} clients x {args.calls} calls, seed {args.seed}"
        )
        manager = multiprocessing.Manager()
        inboxes = [manager.Queue() for _spec in specs]
        # partners: the next client of the same user, in a ring
        by_user = defaultdict(list)
        for spec in specs:
            by_user[spec["user"]].append(spec["number"])
        for spec in specs:
            ring = by_user[spec["user"]]
            partner = ring[(ring.index(spec["number"]) + 1) % len(ring)]
            spec.update(
                calls=args.calls,
                port=args.port,
                seed=args.seed,
                inbox=inboxes[spec["number"]] if len(ring) > 1 else None,
                partner_inbox=inboxes[partner] if len(ring) > 1 else None,
            )
        t0 = time.perf_counter()
        with multiprocessing.Pool(args.clients) as pool:
            results = pool.map_async(run_client, specs).get(timeout=args.timeout)
        elapsed = time.perf_counter() - t0
        # jobs handed over after their partner had finished
        late = 0
        for spec in specs:
            client = Client(dict(spec, inbox=inboxes[spec["number"]]))
            while job := client.inbox_job():
                client.handoff(job)
            if client.calls:
                late += len(client.calls)
                results.append({"calls": client.calls, "writes": [], "leaks": []})
    finally:
        stop_server(server)

    calls = [call for result in results for call in result["calls"]]
    writes = [write for result in results for write in result["writes"]]
    leaks = [leak for result in results for leak in result["leaks"]]
    failures = [f"leak: {leak}" for leak in leaks[:10]]
    undocumented = check_replies(calls, statuses, codes, failures)
    firsts, figures = check_idempotency(writes, calls, failures)
    with reg.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        created, idempotency_rows, ledger = check_database(
            env, users, firsts, before, failures
        )
        cr.rollback()

    # figures ------------------------------------------------------------
    by_operation = defaultdict(list)
    for call in calls:
        by_operation[call["operation"]].append(call["duration"])
        if call["replayed"]:
            by_operation["(replayed writes)"].append(call["duration"])
    print("\nlatency in ms (p50 / p95 / p99, max) and calls:")
    rows = sorted(by_operation.items()) + [("ALL", [c["duration"] for c in calls])]
    for operation, durations in rows:
        print(
            f"  {operation:42} "
            + " / ".join(
                f"{percentile(durations, share) * 1000:7.1f}"
                for share in (0.5, 0.95, 0.99)
            )
            + f", {max(durations) * 1000:7.1f}  n={len(durations)}"
        )
    status_counts = Counter(call["status"] for call in calls)
    error_codes = Counter(
        (call["status"], (call["body"] or {}).get("error", {}).get("code"))
        for call in calls
        if call["status"] >= 400 and call["json"]
    )
    refusals = Counter(
        (
            call["operation"],
            call["status"],
            reason(call["body"]["error"]["message"]),
        )
        for call in calls
        if call["status"] >= 400
        and call["json"]
        and not call["replayed"]
        and call["role"] != "conflict"
    )
    successful = sum(1 for _w, first in firsts.values() if first["status"] < 300)
    print("\nfigures:")
    print(
        f"  calls {len(calls)} in {elapsed:.1f}s = {len(calls) / elapsed:.1f} calls/s "
        f"({args.clients} clients x {args.calls}, {late} late handoffs, "
        f"{args.workers} workers)"
    )
    print(
        "  by status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(status_counts.items()))
    )
    print(
        "  error codes: "
        + ", ".join(f"{s} {c}: {n}" for (s, c), n in sorted(error_codes.items()))
    )
    print(
        f"  writes (keys) {len(writes)}: sent again right after "
        f"{figures['after'] + figures['conflict']}, handed to another client "
        f"{figures['handoff']} (in flight together: "
        f"{figures['handoff overlapping']}, done by the other client first: "
        f"{figures['handoff won by the other client']}); 409 for another body "
        f"{figures['conflicts refused']}/{figures['conflict']}"
    )
    for (operation, status, message), count in refusals.most_common(8):
        print(f"    {count} x {status} {operation}: {message}")
    print(
        f"  replayed replies {sum(c['replayed'] for c in calls)}; "
        f"idempotency rows {idempotency_rows} for {len(firsts)} keys; "
        f"successful write keys {successful}"
    )
    for operation, (in_db, replied) in created.items():
        print(
            f"  {operation}: {in_db} records created by the run, "
            f"{replied} distinct successful keys"
        )
    with open(server_log, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    print(
        f"  serialization retries by the server: {text.count('tries left')}, "
        f"given up: {text.count('maximum number of tries')}, tracebacks: "
        f"{text.count('Traceback')} (in {server_log})"
    )
    print(f"  leaks outside the town: {len(leaks)}")
    print(f"  ledger: {ledger}")
    if undocumented:
        print(f"  undocumented replies: {dict(undocumented)}")
    for failure in failures[:40]:
        print("BROKEN", failure)
    if len(failures) > 40:
        print(f"BROKEN ... and {len(failures) - 40} more")
    log(f"done in {time.perf_counter() - started:.1f}s")
    print("RESULT:", "FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
