# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import os
import shutil
import subprocess
import tempfile
import unicodedata
import unittest
from datetime import date
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import mute_logger

from .common_star import TimebankStarCase


@tagged("post_install", "-at_install")
class TestReportsVolunteer(TimebankStarCase, HttpCase):
    """The passbook statement and the service certificate, rendered by the
    real wkhtmltopdf (an ``HttpCase``: it fetches the assets from the server)
    in Chinese and read back with ``pdftotext``.

    Volunteer 王小明 of village A: 3 h of pipe dredging (technical, x2 = 6
    weighted hours) and 2 h + 1.5 h of meal delivery (ordinary, x1), the 1.5 h
    cancelled; then 4 of the 8 hours settled into goods and reserve.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"].search(
            [("name", "in", ("timebank_volunteer", "timebank_exchange"))]
        )._update_translations(["zh_CN"])
        cls.env.ref("timebank_exchange.star_level_1").min_hours = 5.0
        cls.pipe_record = cls._serve(cls.vol_a, 3, cls.pipe, cls.operator_a)
        cls._serve(cls.vol_a, 2, cls.meal, cls.operator_a)
        cancelled = cls._serve(cls.vol_a, 1.5, cls.meal, cls.operator_a)
        cancelled.with_user(cls.supervisor_a).action_cancel()
        cls._move(cls.vol_a, {"unsettled": -4, "goods": 2.5, "reserve": 1.5}, 7)

    def _pdf_text(self, report_ref, user, res_ids, data=None):
        if not shutil.which("pdftotext"):
            raise unittest.SkipTest("pdftotext (poppler-utils) is not installed")
        report = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(lang="zh_CN", tz="Asia/Shanghai", force_report_rendering=True)
        )
        # Debian's wkhtmltopdf is built on an unpatched Qt: it logs a warning
        # that it ignores the header and footer switches; the body is complete.
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            pdf, report_type = report._render_qweb_pdf(report_ref, res_ids, data=data)
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        keep = os.environ.get("TIMEBANK_REPORT_DIR")
        if keep:  # to look at the rendered report (pdftoppm -png -r 60)
            name = f"{report_ref.split('.')[-1]}-{(data or {}).get('date_from', '')}"
            Path(keep, f"{name}.pdf").write_bytes(pdf)
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
        return unicodedata.normalize("NFKC", text).replace("\u200b", "")

    def test_statement_pdf(self):
        self.assertEqual(self.vol_a.stars, "1")
        text = self._pdf_text(
            "timebank_exchange.action_report_volunteer_statement",
            self.operator_a,
            self.vol_a.ids,
        )
        for expected in (
            "个人时间存折对账单",
            "王小明",
            "Village A",
            "一星志愿者",
            "未结算时间",
            "可兑换物品时间",
            "服务储备时间",
            "存储",
            "冲正",
            "结算",
            "时间银行服务记录",
            "6.00",  # the pipe dredging deposit
            "-1.50",  # the cancelled meal delivery
            "9.50",  # running balance after the third deposit
            "8.00",  # running balance after the reversal, lifetime hours
            "-4.00",
            "2.50",
            "1.50",
            "4.00",  # unsettled left
        ):
            self.assertIn(expected, text)
        self.assertIn(self.pipe_record.name, text)

    def test_certificate_pdf(self):
        wizard = (
            self.env["timebank.certificate.wizard"]
            .with_user(self.operator_a)
            .create(
                {
                    "volunteer_ids": self.vol_a.ids,
                    "date_from": "2026-03-01",
                    "date_to": "2026-03-31",
                }
            )
        )
        action = wizard.action_print()
        self.assertEqual(action["data"]["date_from"], "2026-03-01")
        text = self._pdf_text(
            "timebank_exchange.action_report_service_certificate",
            self.operator_a,
            self.vol_a.ids,
            data=action["data"],
        )
        for expected in (
            "志愿服务证明",
            "兹证明",
            "王小明",
            "技术服务",
            "普通服务",
            "一星志愿者",
            "盖章",
            "6.00",
            "3.00",  # pipe dredging hours
            "5.00",  # hours of service in all (the cancelled one excluded)
            "8.00",  # weighted hours in all
        ):
            self.assertIn(expected, text)
        self.assertNotIn("6.50", text)  # the cancelled 1.5 h are not certified
        # a period without services certifies nothing
        text = self._pdf_text(
            "timebank_exchange.action_report_service_certificate",
            self.operator_a,
            self.vol_a.ids,
            data={"date_from": "2026-01-01", "date_to": "2026-01-31"},
        )
        self.assertIn("0.00", text)
        self.assertNotIn("技术服务", text)

    def test_figures(self):
        figures = self.vol_a.with_user(self.operator_a)._get_certificate_figures(
            date(2026, 3, 1), date(2026, 3, 31)
        )
        self.assertEqual(figures["count"], 2)
        self.assertAlmostEqual(figures["duration"], 5.0)
        self.assertAlmostEqual(figures["weighted_hours"], 8.0)
        lines = self.vol_a.with_user(self.operator_a)._get_statement_lines()
        self.assertEqual(
            [line["hours"] for line in lines], [6.0, 2.0, 1.5, -1.5, -4.0, 2.5, 1.5]
        )
        self.assertEqual(lines[-1]["balance"], 8.0)

    def test_out_of_scope(self):
        for report_ref in (
            "timebank_exchange.action_report_volunteer_statement",
            "timebank_exchange.action_report_service_certificate",
        ):
            with self.assertRaises(AccessError):
                self.env["ir.actions.report"].with_user(
                    self.operator_vb
                )._render_qweb_html(report_ref, self.vol_a.ids)
