# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_round

from .timebank_ledger_line import BUCKETS, KINDS

BALANCE_FIELDS = {
    "unsettled": "balance_unsettled",
    "goods": "balance_goods",
    "reserve": "balance_reserve",
}
# fields only _post_lines may change, in SQL, under the account row lock
PROTECTED_FIELDS = {
    "volunteer_id",
    "balance_unsettled",
    "balance_goods",
    "balance_reserve",
    "last_sequence",
    "last_hash",
}
DEFAULT_STORAGE_CAP = 1500.0


class TimebankAccount(models.Model):
    """A volunteer's time account (时间账户): one per volunteer.

    Balances are STORED, one numeric column per bucket, and maintained only
    by ``_post_lines`` in the same transaction as the ledger lines, while the
    account row is locked (``SELECT ... FOR NO KEY UPDATE``). This was chosen
    over a balance derived with ``_read_group`` because reading a balance must
    not depend on the size of the ledger (district scale: millions of lines;
    the benchmark measures it), because redemptions and withdrawals must check
    the balance under a lock anyway, and because PostgreSQL then guards the
    "never below zero" invariant with ``CHECK (balance >= 0)``. The
    invariant "balance = sum of lines" is checked by ``_check_chain`` (and by
    the tests after every posting).
    """

    _name = "timebank.account"
    _description = "Time Bank Account"
    _order = "id"
    _rec_name = "volunteer_id"

    volunteer_id = fields.Many2one(
        "timebank.volunteer", required=True, ondelete="cascade", readonly=True
    )
    node_id = fields.Many2one(
        related="volunteer_id.node_id", store=True, index=True, string="Sub-branch"
    )
    balance_unsettled = fields.Float(
        string="Unsettled Hours", digits=(16, 2), readonly=True, default=0.0
    )
    balance_goods = fields.Float(
        string="Goods-exchangeable Hours", digits=(16, 2), readonly=True, default=0.0
    )
    balance_reserve = fields.Float(
        string="Service Reserve Hours", digits=(16, 2), readonly=True, default=0.0
    )
    balance_total = fields.Float(
        string="Stored Hours", digits=(16, 2), compute="_compute_balance_total"
    )
    last_sequence = fields.Integer(readonly=True, default=0, copy=False)
    last_hash = fields.Char(readonly=True, copy=False)
    line_ids = fields.One2many(
        "timebank.ledger.line", "account_id", string="Passbook", readonly=True
    )

    _sql_constraints = [
        ("volunteer_uniq", "unique(volunteer_id)", "A volunteer has one account."),
        (
            "balance_unsettled_positive",
            "CHECK(balance_unsettled >= 0)",
            "The unsettled balance cannot be negative.",
        ),
        (
            "balance_goods_positive",
            "CHECK(balance_goods >= 0)",
            "The goods-exchangeable balance cannot be negative.",
        ),
        (
            "balance_reserve_positive",
            "CHECK(balance_reserve >= 0)",
            "The service reserve balance cannot be negative.",
        ),
    ]

    @api.depends("balance_unsettled", "balance_goods", "balance_reserve")
    def _compute_balance_total(self):
        for account in self:
            account.balance_total = (
                account.balance_unsettled
                + account.balance_goods
                + account.balance_reserve
            )

    @api.model_create_multi
    def create(self, vals_list):
        # an account is born empty: its volunteer is the only thing to give
        if any(
            PROTECTED_FIELDS.difference({"volunteer_id"}).intersection(vals)
            for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "The balances of a time account change only by posting "
                    "ledger lines."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if PROTECTED_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    "The balances of a time account change only by posting "
                    "ledger lines."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_lines(self):
        if self.filtered("last_sequence"):
            raise UserError(
                self.env._("A time account with ledger lines cannot be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_verify_chain(self):
        """Button: verify the hash chain and the balances, show the result."""
        self.check_access("read")
        result = self._check_chain()
        message = result["message"]
        if result["ok"] and not self.env["timebank.ledger.line"]._ledger_key():
            message = "%s %s" % (
                message,
                self.env._(
                    "No ledger key is configured on this server: a change made "
                    "in the database is found, but not a forger who also "
                    "recomputes the hashes."
                ),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Ledger verification"),
                "message": message,
                "type": "success" if result["ok"] else "danger",
                "sticky": not result["ok"],
            },
        }

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_volunteer.timebank_ledger_line_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_storage_cap(self):
        """Maximum stored hours per account (0 = no cap); Nanjing uses 1,500."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()  # reading one configuration value, nothing is returned raw
            .get_param("timebank_volunteer.storage_cap", DEFAULT_STORAGE_CAP)
        )
        return float(value or 0.0)

    @api.model
    def _ensure_accounts(self, volunteers):
        """Return the accounts of ``volunteers``, creating the missing ones."""
        if not volunteers:
            return self.browse()
        self.env.cr.execute(
            SQL(
                "SELECT volunteer_id, id FROM timebank_account "
                "WHERE volunteer_id = ANY(%s)",
                volunteers.ids,
            )
        )
        existing = dict(self.env.cr.fetchall())
        missing = volunteers.filtered(lambda v: v.id not in existing)
        if missing:
            # sudo: users have no create right on accounts; an empty account
            # for volunteers the caller already holds is all that is created
            created = self.sudo().create([{"volunteer_id": v.id} for v in missing])
            existing.update(zip(missing.ids, created.ids, strict=True))
        return self.browse([existing[v] for v in volunteers.ids])

    @api.model
    def _post_lines(self, vals_list):
        """Post ledger lines: the ONE way hours enter or leave an account.

        :param vals_list: list of dicts, one per line, with keys
            ``account_id`` (int), ``hours`` (signed float, 2 decimals),
            ``bucket`` (``unsettled`` / ``goods`` / ``reserve``),
            ``kind`` (``deposit`` / ``reversal`` / ``settlement`` /
            ``redemption`` / ``withdrawal`` / ``adjustment``),
            ``res_model`` and ``res_id`` (the source document) and optionally
            ``name`` (a description) and ``service_date`` (the start of the
            service of a deposit or reversal: its settlement period). Lines
            of one account are chained in the order of the list.
        :return: the new ``timebank.ledger.line`` records.
        :raise UserError: if a bucket would become negative (naming the
            volunteer and the bucket), if a deposit would exceed the storage
            cap, or if a (source, kind, bucket) was already posted (a retried
            request cannot post twice).

        The caller is responsible for access rights on the source document;
        this method only posts. In one transaction, with a constant number of
        queries whatever the number of lines, it

        1. locks the touched account rows in id order with
           ``SELECT ... ORDER BY id FOR NO KEY UPDATE`` (fixed order: no
           deadlock between two postings) and re-reads balances, last
           sequence and last hash from the locked rows (a concurrent posting
           that committed meanwhile makes this transaction fail with a
           serialization error, which Odoo retries for HTTP requests);
        2. refuses negative buckets and the storage cap;
        3. refuses already posted (res_model, res_id, kind, bucket) keys
           (also enforced by a unique index);
        4. computes the sha256 chain per account;
        5. inserts the lines and updates the balances, last sequence and last
           hash of each account, in one statement each.
        """
        if not vals_list:
            return self.env["timebank.ledger.line"]
        buckets = dict(BUCKETS)
        kinds = dict(KINDS)
        lines = []
        for vals in vals_list:
            hours = float_round(vals["hours"], precision_digits=2)
            if vals["bucket"] not in buckets or vals["kind"] not in kinds:
                raise UserError(
                    self.env._(
                        "Unknown ledger bucket or kind: %(bucket)s / %(kind)s.",
                        bucket=vals["bucket"],
                        kind=vals["kind"],
                    )
                )
            if not hours:
                continue
            lines.append(
                {
                    "account_id": vals["account_id"],
                    "hours": hours,
                    "bucket": vals["bucket"],
                    "kind": vals["kind"],
                    "res_model": vals["res_model"],
                    "res_id": vals["res_id"],
                    "name": vals.get("name") or "",
                    "service_date": vals.get("service_date") or None,
                }
            )
        if not lines:
            return self.env["timebank.ledger.line"]
        self.env["timebank.account"].flush_model()
        self.env["timebank.ledger.line"].flush_model()

        # 1. lock the accounts and re-read them from the locked rows
        account_ids = sorted({line["account_id"] for line in lines})
        self.env.cr.execute(
            SQL(
                """
                SELECT id, volunteer_id, balance_unsettled, balance_goods,
                       balance_reserve, last_sequence, last_hash
                  FROM timebank_account
                 WHERE id = ANY(%s)
                 ORDER BY id
                   FOR NO KEY UPDATE
                """,
                account_ids,
            )
        )
        state = {
            row[0]: {
                "volunteer_id": row[1],
                "unsettled": row[2],
                "goods": row[3],
                "reserve": row[4],
                "sequence": row[5],
                "hash": row[6] or "",
                "deposit": 0.0,
            }
            for row in self.env.cr.fetchall()
        }
        self.browse(account_ids).invalidate_recordset()
        if len(state) != len(account_ids):
            raise UserError(self.env._("A time account to post to does not exist."))

        # 2. balances never below zero, storage cap
        for line in lines:
            account = state[line["account_id"]]
            account[line["bucket"]] = float_round(
                account[line["bucket"]] + line["hours"], precision_digits=2
            )
            if line["kind"] == "deposit" and line["hours"] > 0:
                account["deposit"] += line["hours"]
            if float_compare(account[line["bucket"]], 0.0, precision_digits=2) < 0:
                raise UserError(
                    self.env._(
                        "Not enough hours: the %(bucket)s balance of %(volunteer)s "
                        "would become %(balance).2f hours.",
                        bucket=buckets[line["bucket"]],
                        volunteer=self.browse(line["account_id"]).volunteer_id.name,
                        balance=account[line["bucket"]],
                    )
                )
        cap = self._get_storage_cap()
        if cap:
            for account_id, account in state.items():
                total = account["unsettled"] + account["goods"] + account["reserve"]
                if (
                    account["deposit"]
                    and float_compare(total, cap, precision_digits=2) > 0
                ):
                    raise UserError(
                        self.env._(
                            "%(volunteer)s would store %(total).2f hours, above the "
                            "storage cap of %(cap).2f hours.",
                            volunteer=self.browse(account_id).volunteer_id.name,
                            total=total,
                            cap=cap,
                        )
                    )

        # 3. a (source, kind, bucket) is posted at most once
        self.env.cr.execute(
            SQL(
                """
                SELECT l.res_model, l.res_id
                  FROM timebank_ledger_line l
                  JOIN unnest(%s::varchar[], %s::int[], %s::varchar[],
                              %s::varchar[]) AS k(res_model, res_id, kind, bucket)
                    ON l.res_model = k.res_model AND l.res_id = k.res_id
                   AND l.kind = k.kind AND l.bucket = k.bucket
                 LIMIT 1
                """,
                [line["res_model"] for line in lines],
                [line["res_id"] for line in lines],
                [line["kind"] for line in lines],
                [line["bucket"] for line in lines],
            )
        )
        duplicate = self.env.cr.fetchone()
        if duplicate or len(
            {(x["res_model"], x["res_id"], x["kind"], x["bucket"]) for x in lines}
        ) < len(lines):
            raise UserError(
                self.env._(
                    "This document has already been posted to the time ledger "
                    "(%(model)s, %(id)s).",
                    model=duplicate[0] if duplicate else lines[0]["res_model"],
                    id=duplicate[1] if duplicate else lines[0]["res_id"],
                )
            )

        # 4. hash chain per account
        now = self.env.cr.now().replace(microsecond=0)
        Line = self.env["timebank.ledger.line"]
        key = Line._ledger_key()
        for line in lines:
            account = state[line["account_id"]]
            account["sequence"] += 1
            line.update(
                sequence=account["sequence"],
                date=now,
                volunteer_id=account["volunteer_id"],
                previous_hash=account["hash"],
            )
            line["hash"] = Line._hash_values(line, account["hash"], key=key)
            account["hash"] = line["hash"]

        # 5. insert lines, update balances
        uid = self.env.uid
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO timebank_ledger_line (
                    account_id, volunteer_id, sequence, date, hours, bucket, kind,
                    name, res_model, res_id, service_date, previous_hash, hash,
                    create_uid, create_date, write_uid, write_date)
                SELECT account_id, volunteer_id, sequence, %(now)s, hours, bucket,
                       kind, name, res_model, res_id, service_date, previous_hash,
                       hash, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(account)s::int[], %(volunteer)s::int[],
                              %(sequence)s::int[], %(hours)s::numeric[],
                              %(bucket)s::varchar[], %(kind)s::varchar[],
                              %(name)s::varchar[], %(res_model)s::varchar[],
                              %(res_id)s::int[], %(service_date)s::timestamp[],
                              %(previous_hash)s::varchar[], %(hash)s::varchar[])
                    AS v(account_id, volunteer_id, sequence, hours, bucket, kind,
                         name, res_model, res_id, service_date, previous_hash, hash)
                RETURNING id
                """,
                now=now,
                uid=uid,
                account=[x["account_id"] for x in lines],
                volunteer=[x["volunteer_id"] for x in lines],
                sequence=[x["sequence"] for x in lines],
                hours=[x["hours"] for x in lines],
                bucket=[x["bucket"] for x in lines],
                kind=[x["kind"] for x in lines],
                name=[x["name"] for x in lines],
                res_model=[x["res_model"] for x in lines],
                res_id=[x["res_id"] for x in lines],
                service_date=[x["service_date"] for x in lines],
                previous_hash=[x["previous_hash"] for x in lines],
                hash=[x["hash"] for x in lines],
            )
        )
        line_ids = [row[0] for row in self.env.cr.fetchall()]
        deltas = defaultdict(lambda: defaultdict(float))
        for line in lines:
            deltas[line["account_id"]][line["bucket"]] += line["hours"]
        self.env.cr.execute(
            SQL(
                """
                UPDATE timebank_account a
                   SET balance_unsettled = a.balance_unsettled + v.unsettled,
                       balance_goods = a.balance_goods + v.goods,
                       balance_reserve = a.balance_reserve + v.reserve,
                       last_sequence = v.sequence,
                       last_hash = v.hash,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM unnest(%(ids)s::int[], %(unsettled)s::numeric[],
                              %(goods)s::numeric[], %(reserve)s::numeric[],
                              %(sequence)s::int[], %(hash)s::varchar[])
                    AS v(id, unsettled, goods, reserve, sequence, hash)
                 WHERE a.id = v.id
                """,
                uid=uid,
                now=now,
                ids=account_ids,
                unsettled=[float_round(deltas[a]["unsettled"], 2) for a in account_ids],
                goods=[float_round(deltas[a]["goods"], 2) for a in account_ids],
                reserve=[float_round(deltas[a]["reserve"], 2) for a in account_ids],
                sequence=[state[a]["sequence"] for a in account_ids],
                hash=[state[a]["hash"] for a in account_ids],
            )
        )
        accounts = self.browse(account_ids)
        accounts.invalidate_recordset()
        # the balances shown on volunteers and service records depend on these
        accounts.modified(list(BALANCE_FIELDS.values()))
        return Line.browse(sorted(line_ids))

    def _check_chain(self, key=None):
        """Recompute the hash chain and the balances of the accounts.

        Usable from a script (``env["timebank.account"].search([])._check_chain()``).
        Lines are streamed account by account in sequence order.

        :return: dict with ``ok`` (bool), ``line`` (the first broken line, or
            an empty recordset), ``count`` (lines checked) and ``message``.
        """
        Line = self.env["timebank.ledger.line"]
        if key is None:
            key = Line._ledger_key()
        self.flush_model()
        Line.flush_model()
        count = 0
        for account in self.sudo():  # verification only reads, after check_access
            previous_hash = ""
            expected_sequence = 0
            sums = defaultdict(float)
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, account_id, sequence, date, hours, bucket, kind,
                           res_model, res_id, name, service_date, previous_hash,
                           hash
                      FROM timebank_ledger_line
                     WHERE account_id = %s
                     ORDER BY sequence
                    """,
                    account.id,
                )
            )
            columns = [desc[0] for desc in self.env.cr.description]
            for row in self.env.cr.fetchall():
                values = dict(zip(columns, row, strict=True))
                count += 1
                expected_sequence += 1
                reason = None
                if values["sequence"] != expected_sequence:
                    reason = self.env._("a line before it is missing")
                elif (values["previous_hash"] or "") != previous_hash:
                    reason = self.env._("it does not follow the previous line")
                elif Line._hash_values(values, previous_hash, key) != values["hash"]:
                    reason = self.env._("its content does not match its hash")
                    if key and Line._hash_values(values, previous_hash, "") == (
                        values["hash"] or ""
                    ):
                        reason = self.env._(
                            "it is not sealed with the ledger key of this server"
                        )
                if reason:
                    return self._chain_broken(
                        account, Line.browse(values["id"]), reason
                    )
                previous_hash = values["hash"]
                sums[values["bucket"]] += values["hours"]
            if expected_sequence != account.last_sequence or previous_hash != (
                account.last_hash or ""
            ):
                return self._chain_broken(
                    account,
                    Line.browse(),
                    self.env._("its last lines are missing"),
                )
            for bucket, fname in BALANCE_FIELDS.items():
                if float_compare(account[fname], sums[bucket], precision_digits=2):
                    return self._chain_broken(
                        account,
                        Line.browse(),
                        self.env._(
                            "the %(bucket)s balance %(balance).2f differs from the "
                            "sum of its lines %(sum).2f",
                            bucket=dict(BUCKETS)[bucket],
                            balance=account[fname],
                            sum=sums[bucket],
                        ),
                    )
        return {
            "ok": True,
            "line": Line.browse(),
            "count": count,
            "message": self.env._(
                "All %(count)s ledger lines of %(accounts)s account(s) are intact.",
                count=count,
                accounts=len(self),
            ),
        }

    def _chain_broken(self, account, line, reason):
        if line:
            message = self.env._(
                "Ledger of %(volunteer)s is broken at line %(sequence)s "
                "(id %(id)s): %(reason)s.",
                volunteer=account.volunteer_id.name,
                sequence=line.sequence,
                id=line.id,
                reason=reason,
            )
        else:
            message = self.env._(
                "Ledger of %(volunteer)s is broken: %(reason)s.",
                volunteer=account.volunteer_id.name,
                reason=reason,
            )
        return {"ok": False, "line": line, "count": 0, "message": message}

    def _reseal_chain(self, previous_key):
        """Seal the ledgers of the accounts with the server's ledger key.

        For lines hashed before a key was configured (``previous_key=""``) or
        with a former key (rotation). Every chain is first verified with
        ``previous_key``, under the accounts' row locks; only when all are
        intact are the hashes recomputed, in sequence order, with the current
        key. A broken chain is refused and nothing changes.

        :return: number of lines resealed.
        """
        if not self.env.su and not self.env.user.has_group(
            "timebank_volunteer.group_timebank_admin"
        ):
            raise AccessError(
                self.env._("Only district administrators reseal the ledger.")
            )
        Line = self.env["timebank.ledger.line"]
        key = Line._ledger_key()
        if not key:
            raise UserError(
                self.env._(
                    "No ledger key is configured on this server: set "
                    "timebank_ledger_key in its configuration file or the "
                    "TIMEBANK_LEDGER_KEY environment variable first."
                )
            )
        self.flush_model()
        Line.flush_model()
        cr = self.env.cr
        account_ids = sorted(self.ids)
        cr.execute(
            SQL(
                "SELECT id FROM timebank_account WHERE id = ANY(%s) "
                "ORDER BY id FOR UPDATE",
                account_ids,
            )
        )
        result = self.sudo()._check_chain(key=previous_key)
        if not result["ok"]:
            raise UserError(
                self.env._(
                    "The ledger cannot be resealed: %(message)s",
                    message=result["message"],
                )
            )
        count = 0
        for offset in range(0, len(account_ids), 1000):
            chunk = account_ids[offset : offset + 1000]
            cr.execute(
                SQL(
                    """
                    SELECT id, account_id, sequence, date, hours, bucket, kind,
                           res_model, res_id, name, service_date
                      FROM timebank_ledger_line
                     WHERE account_id = ANY(%s)
                     ORDER BY account_id, sequence
                    """,
                    chunk,
                )
            )
            columns = [desc[0] for desc in cr.description]
            ids, previous_hashes, hashes, last = [], [], [], {}
            for row in cr.fetchall():
                values = dict(zip(columns, row, strict=True))
                previous_hash = last.get(values["account_id"], "")
                digest = Line._hash_values(values, previous_hash, key)
                ids.append(values["id"])
                previous_hashes.append(previous_hash)
                hashes.append(digest)
                last[values["account_id"]] = digest
            if not ids:
                continue
            cr.execute(
                SQL(
                    """
                    UPDATE timebank_ledger_line l
                       SET previous_hash = v.previous_hash, hash = v.hash
                      FROM unnest(%s::int[], %s::varchar[], %s::varchar[])
                        AS v(id, previous_hash, hash)
                     WHERE l.id = v.id
                    """,
                    ids,
                    previous_hashes,
                    hashes,
                )
            )
            cr.execute(
                SQL(
                    """
                    UPDATE timebank_account a SET last_hash = v.hash
                      FROM unnest(%s::int[], %s::varchar[]) AS v(id, hash)
                     WHERE a.id = v.id
                    """,
                    list(last),
                    list(last.values()),
                )
            )
            count += len(ids)
        self.invalidate_recordset(["last_hash"])
        Line.invalidate_model(["previous_hash", "hash"])
        return count


class TimebankVolunteer(models.Model):
    _inherit = "timebank.volunteer"

    account_ids = fields.One2many("timebank.account", "volunteer_id", readonly=True)
    account_id = fields.Many2one(
        "timebank.account",
        string="Time Account",
        compute="_compute_account_id",
        search="_search_account_id",
    )
    balance_unsettled = fields.Float(
        related="account_id.balance_unsettled", string="Unsettled Hours"
    )
    balance_goods = fields.Float(
        related="account_id.balance_goods", string="Goods-exchangeable Hours"
    )
    balance_reserve = fields.Float(
        related="account_id.balance_reserve", string="Service Reserve Hours"
    )
    balance_total = fields.Float(
        related="account_id.balance_total", string="Stored Hours"
    )

    @api.depends("account_ids")
    def _compute_account_id(self):
        for volunteer in self:
            volunteer.account_id = volunteer.account_ids[:1]

    def _search_account_id(self, operator, value):
        return [("account_ids", operator, value)]

    @api.model_create_multi
    def create(self, vals_list):
        volunteers = super().create(vals_list)
        self.env["timebank.account"]._ensure_accounts(volunteers)
        return volunteers

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ledger_lines(self):
        if self.account_ids.filtered("last_sequence"):
            raise UserError(
                self.env._(
                    "A volunteer with hours in the time ledger cannot be deleted; "
                    "archive or withdraw the volunteer instead."
                )
            )

    def action_verify_ledger(self):
        """Button on the volunteer form: verify the chain of the account."""
        self.ensure_one()
        return self.account_id.action_verify_chain()

    def action_open_passbook(self):
        self.ensure_one()
        account = self.account_id or self.env["timebank.account"]._ensure_accounts(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Passbook"),
            "res_model": "timebank.account",
            "res_id": account.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
