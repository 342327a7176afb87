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

from .common_commendation import TimebankCommendationCase


def pdf_text(case, report_ref, records, user):
    """Render ``report_ref`` as a real PDF in Chinese and return its text."""
    if not shutil.which("pdftotext"):
        raise unittest.SkipTest("pdftotext (poppler-utils) is not installed")
    case.env["res.lang"]._activate_lang("zh_CN")
    case.env["ir.module.module"].search(
        [("name", "=", "timebank_exchange")]
    )._update_translations(["zh_CN"])
    report = (
        case.env["ir.actions.report"]
        .with_user(user)
        .with_context(lang="zh_CN", force_report_rendering=True)
    )
    # Debian's wkhtmltopdf is built on an unpatched Qt: it logs a warning
    # that it ignores the header and footer switches; the body is complete.
    with mute_logger("odoo.addons.base.models.ir_actions_report"):
        pdf, report_type = report._render_qweb_pdf(report_ref, records.ids)
    case.assertEqual(report_type, "pdf")
    case.assertTrue(pdf.startswith(b"%PDF"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    # the CJK fonts map some glyphs to Kangxi radicals: 银⾏ is 银行
    return unicodedata.normalize("NFKC", text)


@tagged("post_install", "-at_install")
class TestCommendationReport(TimebankCommendationCase, HttpCase):
    """An ``HttpCase``: wkhtmltopdf fetches the report's assets from the server."""

    def test_certificates_pdf(self):
        wizard = self._commendation(top_count=1)
        wizard.action_propose()
        awards = self.env["timebank.award"].search(wizard.action_record()["domain"])
        awards.with_user(self.admin).action_award()
        # one PDF per certificate: Debian's wkhtmltopdf (unpatched Qt) cannot
        # bind several documents into one file
        text = "".join(
            pdf_text(
                self,
                "timebank_exchange.action_report_timebank_award_certificate",
                award,
                self.admin,
            )
            for award in awards
        )
        for expected in (
            "荣誉证书",
            "优秀志愿者奖",
            "优秀基层组织奖",
            "公益组织参与奖",
            "王芳",
            "Village 3",
            "Elderly Care Association",
            "2025",
            "10.00",
        ):
            self.assertIn(expected, text)
