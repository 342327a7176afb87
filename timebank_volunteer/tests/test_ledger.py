# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import xmlrpc.client

import psycopg2

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL, mute_logger

from .common_ledger import DAY, TimebankLedgerCase

SOURCE = "timebank.test.source"


@tagged("post_install", "-at_install")
class TestLedger(TimebankLedgerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Account = cls.env["timebank.account"]
        cls.account1 = cls.volunteer1.account_id
        cls.account2 = cls.volunteer2.account_id

    def _post(self, account, hours, bucket="unsettled", kind="deposit", res_id=1, **kw):
        vals = {
            "account_id": account.id,
            "hours": hours,
            "bucket": bucket,
            "kind": kind,
            "res_model": SOURCE,
            "res_id": res_id,
        }
        vals.update(kw)
        return self.Account._post_lines([vals])

    # ------------------------------------------------------------------
    # accounts
    # ------------------------------------------------------------------

    def test_account_created_automatically_and_unique(self):
        volunteer = (
            self.env["timebank.volunteer"]
            .with_user(self.operator1)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "New"}).id,
                    "node_id": self.village1.id,
                }
            )
        )
        self.assertEqual(len(volunteer.account_ids), 1)
        self.assertEqual(volunteer.account_id.node_id, self.village1)
        self.assertEqual(volunteer.balance_total, 0.0)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            self.Account.create({"volunteer_id": volunteer.id})

    def test_account_balances_not_writable(self):
        for user in (self.tb_admin, self.env.user):
            with self.assertRaises(UserError):
                self.account1.with_user(user).write({"balance_unsettled": 100})
        with self.assertRaises(UserError):  # AccessError is a UserError too
            self.account1.with_user(self.operator1).write({"balance_goods": 100})
        self.assertEqual(self.account1.balance_unsettled, 0.0)

    def test_balance_check_constraint_in_database(self):
        self._post(self.account1, 2)
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "UPDATE timebank_account SET balance_unsettled = -1 "
                        "WHERE id = %s",
                        self.account1.id,
                    )
                )

    # ------------------------------------------------------------------
    # posting API
    # ------------------------------------------------------------------

    def test_post_lines_moves_between_buckets(self):
        self._post(self.account1, 10.5)
        # what the settlement will do: move hours out of unsettled
        lines = self.Account._post_lines(
            [
                {
                    "account_id": self.account1.id,
                    "hours": -10.5,
                    "bucket": "unsettled",
                    "kind": "settlement",
                    "res_model": SOURCE,
                    "res_id": 2,
                },
                {
                    "account_id": self.account1.id,
                    "hours": 5.25,
                    "bucket": "goods",
                    "kind": "settlement",
                    "res_model": SOURCE,
                    "res_id": 2,
                },
                {
                    "account_id": self.account1.id,
                    "hours": 5.25,
                    "bucket": "reserve",
                    "kind": "settlement",
                    "res_model": SOURCE,
                    "res_id": 2,
                },
            ]
        )
        self.assertEqual(lines.mapped("sequence"), [2, 3, 4])
        self.assertEqual(
            (
                self.account1.balance_unsettled,
                self.account1.balance_goods,
                self.account1.balance_reserve,
            ),
            (0.0, 5.25, 5.25),
        )
        self.assertEqual(self.volunteer1.balance_total, 10.5)
        self.assertBalanceIsSumOfLines(self.account1)
        result = self.account1._check_chain()
        self.assertTrue(result["ok"], result["message"])
        self.assertEqual(result["count"], 4)
        # chain: each line points at the previous one
        ordered = self.account1.line_ids.sorted("sequence")
        self.assertFalse(ordered[0].previous_hash)
        for previous, line in zip(ordered[:-1], ordered[1:], strict=True):
            self.assertEqual(line.previous_hash, previous.hash)
        self.assertEqual(self.account1.last_hash, ordered[-1].hash)

    def test_post_lines_refuses_negative_bucket(self):
        self._post(self.account1, 3)
        with self.assertRaisesRegex(UserError, "Li Wei") as error:
            self._post(
                self.account1, -4, bucket="unsettled", kind="redemption", res_id=9
            )
        self.assertIn("Unsettled", str(error.exception))
        with self.assertRaisesRegex(UserError, "Goods-exchangeable"):
            self._post(self.account1, -1, bucket="goods", kind="redemption", res_id=9)
        self.assertEqual(self.account1.balance_unsettled, 3.0)
        self.assertEqual(len(self.account1.line_ids), 1)
        # the whole batch is refused, also the lines of other accounts
        with self.assertRaises(UserError):
            self.Account._post_lines(
                [
                    {
                        "account_id": self.account2.id,
                        "hours": 1,
                        "bucket": "unsettled",
                        "kind": "deposit",
                        "res_model": SOURCE,
                        "res_id": 11,
                    },
                    {
                        "account_id": self.account1.id,
                        "hours": -5,
                        "bucket": "unsettled",
                        "kind": "redemption",
                        "res_model": SOURCE,
                        "res_id": 12,
                    },
                ]
            )
        self.assertFalse(self.account2.line_ids)
        self.assertEqual(self.account2.balance_unsettled, 0.0)

    def test_post_lines_refuses_double_posting(self):
        self._post(self.account1, 2, res_id=7)
        with self.assertRaisesRegex(UserError, "already been posted"):
            self._post(self.account1, 2, res_id=7)
        with self.assertRaisesRegex(UserError, "already been posted"):
            self.Account._post_lines(
                [
                    {
                        "account_id": self.account2.id,
                        "hours": 1,
                        "bucket": "unsettled",
                        "kind": "deposit",
                        "res_model": SOURCE,
                        "res_id": 8,
                    },
                    {
                        "account_id": self.account2.id,
                        "hours": 1,
                        "bucket": "unsettled",
                        "kind": "deposit",
                        "res_model": SOURCE,
                        "res_id": 8,
                    },
                ]
            )
        self.assertEqual(self.account1.balance_unsettled, 2.0)
        self.assertEqual(self.account2.balance_unsettled, 0.0)

    def test_running_balance_window(self):
        for index, hours in enumerate((2, 3.5, -1.25)):
            self._post(
                self.account1,
                hours,
                kind="deposit" if hours > 0 else "reversal",
                res_id=20 + index,
            )
        self._post(self.account2, 4, res_id=30)  # another account: own running sum
        self._post(self.account1, 1, bucket="goods", res_id=31)
        lines = self.account1.line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("running_balance"), [2.0, 5.5, 4.25, 5.25])
        self.assertEqual(lines.mapped("running_bucket_balance"), [2.0, 5.5, 4.25, 1.0])
        self.assertEqual(self.account2.line_ids.running_balance, 4.0)

    # ------------------------------------------------------------------
    # immutability
    # ------------------------------------------------------------------

    def test_lines_immutable_via_orm(self):
        line = self._post(self.account1, 2)
        Line = self.env["timebank.ledger.line"]
        for env_line in (
            line.with_user(self.tb_admin),
            line.sudo(),
            line.with_user(SUPERUSER_ID),
        ):
            with self.assertRaises(UserError):
                env_line.write({"hours": 200})
            with self.assertRaises(UserError):
                env_line.unlink()
            with self.assertRaises(UserError):
                env_line.copy()
        with self.assertRaises(UserError):
            Line.sudo().create(
                {
                    "account_id": self.account1.id,
                    "volunteer_id": self.volunteer1.id,
                    "sequence": 2,
                    "hours": 5,
                    "bucket": "unsettled",
                    "kind": "deposit",
                    "res_model": SOURCE,
                    "res_id": 99,
                    "date": DAY,
                }
            )
        with self.assertRaises(UserError):  # AccessError is a UserError too
            line.with_user(self.operator1).write({"hours": 200})
        line.invalidate_recordset()
        self.assertEqual(line.hours, 2.0)
        self.assertEqual(len(self.account1.line_ids), 1)
        self.assertTrue(self.account1._check_chain()["ok"])

    def test_volunteer_with_hours_cannot_be_deleted(self):
        self._post(self.account1, 2)
        with self.assertRaises(UserError):
            self.volunteer1.unlink()
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Tmp"}).id,
                "node_id": self.village1.id,
            }
        )
        account = volunteer.account_id
        volunteer.unlink()
        self.assertFalse(account.exists())

    # ------------------------------------------------------------------
    # tamper evidence
    # ------------------------------------------------------------------

    def _tamper(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        self.env.invalidate_all()

    def test_verify_chain_catches_altered_service_date(self):
        line = self._post(self.account1, 2, res_id=1, service_date=DAY)
        self.assertEqual(line.service_date, DAY)
        self._post(self.account1, 1, res_id=2)
        self.assertTrue(self.account1._check_chain()["ok"])
        # moving a line into another settlement period breaks its hash
        self._tamper(
            SQL(
                "UPDATE timebank_ledger_line SET service_date = %s WHERE id = %s",
                DAY.replace(month=8),
                line.id,
            )
        )
        result = self.account1._check_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["line"], line)
        self.assertIn("does not match its hash", result["message"])

    def test_verify_chain_catches_altered_line(self):
        self._post(self.account1, 2, res_id=1)
        line = self._post(self.account1, 3, res_id=2)
        self._post(self.account1, 4, res_id=3)
        action = self.account1.with_user(self.operator1).action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("3", action["params"]["message"])
        self._tamper(
            SQL("UPDATE timebank_ledger_line SET hours = 30 WHERE id = %s", line.id)
        )
        result = self.account1._check_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["line"], line)
        action = self.volunteer1.with_user(self.operator1).action_verify_ledger()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"line {line.sequence}", action["params"]["message"])

    def test_verify_chain_catches_rehashed_and_deleted_lines(self):
        first = self._post(self.account1, 2, res_id=1)
        second = self._post(self.account1, 3, res_id=2)
        third = self._post(self.account1, 4, res_id=3)
        # a forger who recomputes the hash of the line he changed still
        # breaks the link with the next line
        Line = self.env["timebank.ledger.line"]
        values = {
            "account_id": second.account_id.id,
            "sequence": 2,
            "date": second.date,
            "hours": 30.0,
            "bucket": "unsettled",
            "kind": "deposit",
            "res_model": SOURCE,
            "res_id": 2,
            "name": "",
        }
        self._tamper(
            SQL(
                "UPDATE timebank_ledger_line SET hours = 30, hash = %s WHERE id = %s",
                Line._hash_values(values, first.hash),
                second.id,
            )
        )
        self.assertEqual(self.account1._check_chain()["line"], third)
        # a deleted line in the middle
        self._tamper(SQL("DELETE FROM timebank_ledger_line WHERE id = %s", second.id))
        self.assertEqual(self.account1._check_chain()["line"], third)
        # the last line deleted
        self._tamper(SQL("DELETE FROM timebank_ledger_line WHERE id = %s", third.id))
        result = self.account1._check_chain()
        self.assertFalse(result["ok"])
        self.assertIn("last lines", result["message"])

    def test_verify_chain_catches_balance_changed_in_sql(self):
        self._post(self.account1, 2)
        self._tamper(
            SQL(
                "UPDATE timebank_account SET balance_unsettled = 20 WHERE id = %s",
                self.account1.id,
            )
        )
        result = self.account1._check_chain()
        self.assertFalse(result["ok"])
        self.assertIn("differs", result["message"])

    # ------------------------------------------------------------------
    # passbook
    # ------------------------------------------------------------------

    def test_passbook_from_volunteer(self):
        record = self._confirmed(hours=2, stype=self.pipe)
        action = self.volunteer1.with_user(self.operator1).action_open_passbook()
        self.assertEqual(action["res_model"], "timebank.account")
        account = (
            self.env["timebank.account"]
            .with_user(self.operator1)
            .browse(action["res_id"])
        )
        self.assertEqual(account.balance_unsettled, 4.0)
        self.assertEqual(account.line_ids.res_id, record.id)
        self.assertEqual(account.line_ids.running_balance, 4.0)
        # another village's operator cannot read it
        with self.assertRaises(AccessError):
            account.with_user(self.operator2).balance_unsettled  # noqa: B018
        lines_action = account.action_open_lines()
        self.assertEqual(lines_action["domain"], [("account_id", "=", account.id)])
        self.assertTrue(record.action_open_ledger()["domain"])


@tagged("post_install", "-at_install")
class TestLedgerRpc(HttpCase):
    """Ledger lines cannot be changed over RPC, not even by the administrator."""

    def setUp(self):
        super().setUp()
        node = self.env["timebank.node"].create(
            [{"name": "D", "code": "RD", "kind": "district"}]
        )
        town = self.env["timebank.node"].create(
            {"name": "T", "code": "RT", "kind": "town", "parent_id": node.id}
        )
        village = self.env["timebank.node"].create(
            {"name": "V", "code": "RV", "kind": "village", "parent_id": town.id}
        )
        volunteer = self.env["timebank.volunteer"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "R"}).id,
                "node_id": village.id,
                "state": "active",
            }
        )
        self.line = self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": volunteer.account_id.id,
                    "hours": 2,
                    "bucket": "unsettled",
                    "kind": "deposit",
                    "res_model": SOURCE,
                    "res_id": 1,
                }
            ]
        )
        self.admin = self.env.ref("base.user_admin")
        self.assertTrue(self.admin.has_group("timebank_volunteer.group_timebank_admin"))
        new_test_user(
            self.env,
            login="tb_rpc_op",
            groups="timebank_volunteer.group_timebank_operator",
        )

    def _assert_unchanged(self):
        self.line.invalidate_recordset()
        self.assertEqual(self.line.hours, 2.0)
        self.assertTrue(self.line.account_id._check_chain()["ok"])

    def test_json_rpc_write_unlink_refused(self):
        self.authenticate("admin", "admin")
        for method, args in (
            ("write", [[self.line.id], {"hours": 50}]),
            ("unlink", [[self.line.id]]),
        ):
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as error:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": "timebank.ledger.line",
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                )
            # write: refused by the model; unlink: already by the access rights
            self.assertIn(
                str(error.exception),
                ("odoo.exceptions.UserError", "odoo.exceptions.AccessError"),
            )
        self._assert_unchanged()

    def test_xmlrpc_write_unlink_refused(self):
        db = self.env.cr.dbname
        messages = ("cannot be modified", "cannot be deleted", "not allowed")
        for login in ("admin", "tb_rpc_op"):
            uid = self.xmlrpc_common.authenticate(db, login, login, {})
            self.assertTrue(uid)
            for method, args in (
                ("write", [[self.line.id], {"hours": 50}]),
                ("unlink", [[self.line.id]]),
            ):
                with (
                    mute_logger("odoo.http"),
                    self.assertRaises(xmlrpc.client.Fault) as error,
                ):
                    self.xmlrpc_object.execute(
                        db, uid, login, "timebank.ledger.line", method, *args
                    )
                self.assertTrue(
                    any(m in error.exception.faultString for m in messages),
                    error.exception.faultString,
                )
        self._assert_unchanged()

    def test_rpc_post_lines_is_private(self):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "admin", "admin", {})
        with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault):
            self.xmlrpc_object.execute(
                self.env.cr.dbname,
                uid,
                "admin",
                "timebank.account",
                "_post_lines",
                [
                    {
                        "account_id": self.line.account_id.id,
                        "hours": 100,
                        "bucket": "unsettled",
                        "kind": "deposit",
                        "res_model": SOURCE,
                        "res_id": 2,
                    }
                ],
            )
        self.assertEqual(self.line.account_id.balance_unsettled, 2.0)
