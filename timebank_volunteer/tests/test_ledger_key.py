# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The ledger key: an HMAC seal that a database-only forger cannot recompute."""

import os
from hashlib import sha256
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, config

from ..models.timebank_ledger_line import LEDGER_KEY_ENV, LEDGER_KEY_OPTION
from .common_ledger import TimebankLedgerCase

SOURCE = "timebank.test.source"
KEY = "district-ledger-key-2026"


@tagged("post_install", "-at_install")
class TestLedgerKey(TimebankLedgerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Account = cls.env["timebank.account"]
        cls.Line = cls.env["timebank.ledger.line"]
        cls.account = cls.volunteer1.account_id

    def setUp(self):
        super().setUp()
        # every test starts without a key, whatever the machine's environment
        environ = patch.dict(os.environ)
        environ.start()
        os.environ.pop(LEDGER_KEY_ENV, None)
        self.addCleanup(environ.stop)
        options = patch.dict(config.options)
        options.start()
        config.options.pop(LEDGER_KEY_OPTION, None)
        self.addCleanup(options.stop)

    def _set_key(self, key):
        config.options[LEDGER_KEY_OPTION] = key

    def _post(self, hours, res_id):
        return self.Account._post_lines(
            [
                {
                    "account_id": self.account.id,
                    "hours": hours,
                    "bucket": "unsettled",
                    "kind": "deposit",
                    "res_model": SOURCE,
                    "res_id": res_id,
                }
            ]
        )

    def _values(self, line, **changes):
        values = {
            name: line[name]
            for name in ("sequence", "date", "hours", "bucket", "kind", "res_model")
        }
        values.update(
            account_id=line.account_id.id, res_id=line.res_id, name=line.name or ""
        )
        values.update(changes)
        return values

    def _forge_last_line(self, hours):
        """A forger with SQL access who recomputes the plain sha256 of the
        last line and rewrites the account row to match (no key known)."""
        last = self.account.line_ids.sorted("sequence")[-1]
        digest = self.Line._hash_values(
            self._values(last, hours=hours), last.previous_hash, ""
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_ledger_line SET hours = %s, hash = %s WHERE id = %s",
                hours,
                digest,
                last.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_account SET last_hash = %s, "
                "balance_unsettled = balance_unsettled + %s WHERE id = %s",
                digest,
                hours - last.hours,
                self.account.id,
            )
        )
        self.env.invalidate_all()
        return last

    def _hashes(self):
        self.env.invalidate_all()
        return self.account.line_ids.sorted("sequence").mapped("hash")

    def test_key_read_from_config_then_environment(self):
        self.assertEqual(self.Line._ledger_key(), "")
        os.environ[LEDGER_KEY_ENV] = "from-env"
        self.assertEqual(self.Line._ledger_key(), "from-env")
        self._set_key(KEY)
        self.assertEqual(self.Line._ledger_key(), KEY)

    def test_keyed_line_is_an_hmac_not_a_plain_sha256(self):
        self._set_key(KEY)
        line = self._post(2, 1)
        values = self._values(line)
        self.assertEqual(line.hash, self.Line._hash_values(values, "", KEY))
        self.assertNotEqual(line.hash, self.Line._hash_values(values, "", ""))
        self.assertNotEqual(line.hash, self.Line._hash_values(values, "", "other"))
        self.assertEqual(len(line.hash), len(sha256().hexdigest()))
        self.assertTrue(self.account._check_chain()["ok"])

    def test_informed_forger_caught_only_with_a_key(self):
        # without a key, a forger who recomputes the sha256 and rewrites the
        # account goes unseen: this is what the key is for, and the verify
        # button says so
        self._post(2, 1)
        self._post(3, 2)
        self._forge_last_line(30)
        self.assertTrue(self.account._check_chain()["ok"])
        action = self.account.with_user(self.tb_admin).action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("No ledger key", action["params"]["message"])

        # the same forgery of a chain sealed with the key is found and named
        self._set_key(KEY)
        account = self.volunteer2.account_id
        self.account = account
        self._post(2, 3)
        self._post(3, 4)
        forged = self._forge_last_line(30)
        result = account._check_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["line"], forged)
        self.assertIn("not sealed with the ledger key", result["message"])
        action = account.with_user(self.tb_admin).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertNotIn("No ledger key", action["params"]["message"])

    def test_reseal_after_the_key_is_configured(self):
        first = self._post(2, 1)
        self._post(3, 2)
        unkeyed = self._hashes()
        self._set_key(KEY)
        result = self.account._check_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["line"], first)
        self.assertIn("not sealed with the ledger key", result["message"])

        with self.assertRaises(AccessError):
            self.account.with_user(self.operator1)._reseal_chain("")
        self.assertEqual(self._hashes(), unkeyed)

        count = self.account.with_user(self.tb_admin)._reseal_chain("")
        self.assertEqual(count, 2)
        self.assertTrue(self.account._check_chain()["ok"])
        self.assertNotEqual(self._hashes(), unkeyed)
        self.assertFalse(self.account._check_chain(key="")["ok"])
        # postings go on from the resealed chain
        self._post(4, 3)
        self.assertTrue(self.account._check_chain()["ok"])

        # key rotation: the former key proves the chain, the new one seals it
        self._set_key("next-key")
        self.assertFalse(self.account._check_chain()["ok"])
        self.assertEqual(self.account._reseal_chain(KEY), 3)
        self.assertTrue(self.account._check_chain()["ok"])

    def test_reseal_refuses_a_broken_chain_and_changes_nothing(self):
        self._post(2, 1)
        self._post(3, 2)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE timebank_ledger_line SET hours = 7 "
                "WHERE account_id = %s AND sequence = 1",
                self.account.id,
            )
        )
        self.env.invalidate_all()
        before = self._hashes()
        self._set_key(KEY)
        with self.assertRaisesRegex(UserError, "cannot be resealed"):
            self.account._reseal_chain("")
        self.assertEqual(self._hashes(), before)

    def test_reseal_needs_a_key(self):
        self._post(2, 1)
        with self.assertRaisesRegex(UserError, "No ledger key is configured"):
            self.account._reseal_chain("")
