# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Cross-module checks of the platform: what is installed, and the commands'
answers to a missing or broken environment."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from odoo.tests import TransactionCase, tagged

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "timebank.py"


def run_script(*args, **env_overrides):
    env = dict(os.environ, **env_overrides)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@tagged("post_install", "-at_install")
class TestPlatform(TransactionCase):
    def test_both_modules_installed(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", ("timebank_volunteer", "timebank_exchange"))]
        )
        self.assertEqual(sorted(modules.mapped("state")), ["installed", "installed"])
        exchange = modules.filtered(lambda m: m.name == "timebank_exchange")
        self.assertEqual(
            set(exchange.dependencies_id.mapped("name")),
            {"timebank_volunteer", "stock"},
        )

    def test_manifests(self):
        for name in ("timebank_volunteer", "timebank_exchange"):
            manifest = ast.literal_eval((ROOT / name / "__manifest__.py").read_text())
            self.assertEqual(manifest["version"], "18.0.1.0.0")
            self.assertEqual(manifest["license"], "LGPL-3")
            self.assertNotIn("description", manifest)
            self.assertTrue((ROOT / name / "i18n" / "zh_CN.po").is_file(), name)


@tagged("post_install", "-at_install")
class TestCommandsOnBadInput(TransactionCase):
    """The run/test commands explain a broken environment in one paragraph."""

    def assertExplains(self, result, *words):
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertNotIn("Traceback", result.stdout + result.stderr)
        # the explanation is one wrapped paragraph: compare with spaces normalised
        paragraph = " ".join(result.stderr.split())
        for word in words:
            self.assertIn(word, paragraph)

    def test_postgres_down(self):
        # nothing listens on port 1: the same answer as a stopped server
        result = run_script("test", TB_DB_PORT="1")
        self.assertExplains(result, "PostgreSQL is not reachable", ":1 ")

    def test_odoo_missing(self):
        result = run_script("run", ODOO_SRC=str(ROOT / "no-such-odoo"))
        self.assertExplains(result, "ODOO_SRC", "no Odoo source")

    def test_wrong_odoo_version(self):
        fake = Path(self.env["ir.attachment"]._filestore()) / "fake-odoo-17"
        (fake / "odoo").mkdir(parents=True, exist_ok=True)
        (fake / "odoo" / "__init__.py").write_text("")
        (fake / "odoo" / "release.py").write_text(
            "version_info = (17, 0, 0, 'final', 0, '')\nversion = '17.0'\n"
        )
        result = run_script("run", ODOO_SRC=str(fake))
        self.assertExplains(result, "needs Odoo 18.0", "17.0")

    def test_ledger_command_on_a_database_without_time_bank(self):
        result = run_script("ledger", "verify", "--database", "tb_no_such_database")
        self.assertExplains(result, "has no Time Bank installed")

    def test_ledger_reseal_needs_the_new_key(self):
        env = {"TIMEBANK_LEDGER_KEY": ""}
        result = run_script("ledger", "reseal", "--database", self.env.cr.dbname, **env)
        self.assertExplains(result, "Stop the server, set TIMEBANK_LEDGER_KEY")


@tagged("post_install", "-at_install")
class TestLedgerCommand(TransactionCase):
    def _verify(self, key):
        return run_script(
            "ledger",
            "verify",
            "--database",
            self.env.cr.dbname,
            TIMEBANK_LEDGER_KEY=key,
        )

    def test_verify_reads_every_chain_of_the_database(self):
        # the installed demo data, committed before the tests: a separate
        # odoo shell process verifies every account's chain
        self.assertTrue(self.env["timebank.ledger.line"].search_count([]))
        result = self._verify("")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        accounts = self.env["timebank.account"].search_count([])
        lines = self.env["timebank.ledger.line"].search_count([])
        self.assertIn(
            f"All {lines} ledger lines of {accounts} account(s) are intact",
            result.stdout,
        )
        # the same ledger under a key it was not sealed with is refused
        result = self._verify("not-the-key")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("not sealed with the ledger key", result.stdout)
