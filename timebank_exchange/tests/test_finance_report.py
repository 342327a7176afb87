# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import shutil
import subprocess
import tempfile
import unicodedata
import unittest
from pathlib import Path

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import mute_logger

from .common_finance import TimebankFinanceCase


@tagged("post_install", "-at_install")
class TestFinanceReport(TimebankFinanceCase, HttpCase):
    """An ``HttpCase``: wkhtmltopdf fetches the report's assets from the server,
    which must serve them from the test's own transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.finance_a
        cls._contribution(user, 12345, date="2026-02-01")
        cls.training_fund = cls._contribution(
            user,
            8000,
            source="social",
            partner=cls.charity,
            restricted_purpose="training",
            date="2026-03-01",
        )
        cls._contribution(user, 999, source="resident", date="2025-12-31")
        cls._contribution(cls.finance_b, 777, node=cls.town_b, date="2026-02-02")
        spendings = cls._spending(
            user,
            2500,
            "training",
            contribution_id=cls.training_fund.id,
            date="2026-04-01",
        ) | cls._spending(user, 345, "award", date="2026-05-01")
        spendings.action_post()
        cls.wizard = (
            cls.env["timebank.finance.report.wizard"]
            .with_user(user)
            .create(
                {
                    "date_from": "2026-01-01",
                    "date_to": "2026-06-30",
                    "node_id": cls.town_a.id,
                }
            )
        )

    def test_figures(self):
        data = self.wizard._get_finance_data()
        self.assertEqual(
            [(r["source"], r["money"]) for r in data["contributions"]],
            [("Social Organisation", 8000.0), ("Government", 12345.0)],
        )
        self.assertEqual(data["contributions_total"], 20345.0)
        self.assertEqual(
            [(r["purpose"], r["amount"]) for r in data["spending"]],
            [("Training", 2500.0), ("Awards", 345.0)],
        )
        self.assertEqual(
            [(r["source"], r["fund"], r["balance"]) for r in data["balances"]],
            [
                ("Government", "General Fund", 12000.0),
                ("Resident", "General Fund", 999.0),
                ("Social Organisation", "Training", 5500.0),
            ],
        )
        self.assertEqual(data["restricted_remaining"], 5500.0)

    def test_pdf_in_chinese(self):
        if not shutil.which("pdftotext"):
            raise unittest.SkipTest("pdftotext (poppler-utils) is not installed")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "timebank_exchange")]
        )._update_translations(["zh_CN"])
        report = (
            self.env["ir.actions.report"]
            .with_user(self.finance_a)
            .with_context(lang="zh_CN", force_report_rendering=True)
        )
        # Debian's wkhtmltopdf is built on an unpatched Qt: it logs a warning
        # that it ignores the header and footer switches; the body is complete.
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            pdf, report_type = report._render_qweb_pdf(
                "timebank_exchange.action_report_timebank_finance", self.wizard.ids
            )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "finance.pdf"
            path.write_bytes(pdf)
            text = subprocess.run(
                ["pdftotext", "-layout", str(path), "-"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        # the CJK fonts map some glyphs to Kangxi radicals: 银⾏ is 银行
        text = unicodedata.normalize("NFKC", text)
        for expected in (
            "时间银行资金收支报表",
            "资金筹集",
            "政府",
            "社会组织",
            "教育培训",
            "表彰奖励",
            "一般资金",
            "专项资金余额",
            "12,345.00",
            "2,500.00",
            "5,500.00",
            "20,345.00",
        ):
            self.assertIn(expected, text)
        # another node's money and money received after the period are not in it
        self.assertNotIn("777.00", text)
