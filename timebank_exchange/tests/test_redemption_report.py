# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
import unittest
from contextlib import contextmanager

from odoo.tests import HttpCase, tagged

from .common_redemption import TimebankRedemptionCase

REPORT = "timebank_exchange.action_report_timebank_redemption"
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
# What Debian's wkhtmltopdf (Qt without the wkhtmltopdf patches) always prints
# on stderr, which Odoo logs as a warning; anything else fails the test.
KNOWN_WKHTMLTOPDF_NOISE = re.compile(
    r"wkhtmltopdf: |The switch --[a-z-]+, is not support using unpatched qt, "
    r"and will be ignored\.|QStandardPaths: XDG_RUNTIME_DIR not set, "
    r"defaulting to '[^']*'|\s"
)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def wkhtmltopdf_warnings():
    """Collect the warnings of the report engine instead of logging them."""
    logger = logging.getLogger(REPORT_LOGGER)
    handler = _Capture()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@tagged("post_install", "-at_install")
class TestRedemptionVoucher(TimebankRedemptionCase, HttpCase):
    """An HttpCase: wkhtmltopdf fetches the report's assets from the test
    server, which must share the test transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["timebank_exchange"], ["zh_CN"], overwrite=True
        )
        cls.volunteer_a.partner_id.lang = "zh_CN"
        cls.volunteer_a.partner_id.name = "刘桂兰"
        cls.outlet_a.name = "测试街道兑换网点"

    def _pdf_text(self, redemption, user):
        if not shutil.which("pdftotext"):
            raise unittest.SkipTest("pdftotext (poppler-utils) is not installed")
        # test mode renders HTML unless PDF rendering is forced
        with wkhtmltopdf_warnings() as warnings:
            pdf, report_type = (
                self.env["ir.actions.report"]
                .with_user(user)
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(REPORT, redemption.ids)
            )
        for record in warnings:
            self.assertFalse(
                KNOWN_WKHTMLTOPDF_NOISE.sub("", record.getMessage()),
                record.getMessage(),
            )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:20])
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", handle.name, "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        # the CJK font maps some characters to Kangxi radicals (⽹ for 网)
        return unicodedata.normalize("NFKC", text)

    def test_voucher_pdf_in_chinese(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 2), (self.oil, 1)])
        redemption.with_user(self.staff_a).action_confirm()
        redemption.with_user(self.staff_a).action_hand_over()
        text = self._pdf_text(redemption, self.staff_a)
        for expected in (
            "兑换凭证",
            "志愿者",
            "兑换网点",
            "物品",
            "兑换数量",
            "合计时",
            "兑换后可兑换物品时",
            "志愿者签字",
            "网点工作人员签字",
            "刘桂兰",
            "测试街道兑换网点",
            redemption.name,
            "Rice 5kg",
            "14.00",
            "6.00",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Redemption Voucher", text)

    def test_voucher_in_english_for_an_english_volunteer(self):
        self._settle(self.volunteer_b, 5.0)
        redemption = self._redemption(
            self.staff_b,
            [(self.rice, 1)],
            volunteer=self.volunteer_b,
            outlet=self.outlet_b,
        )
        redemption.with_user(self.staff_b).action_confirm()
        text = self._pdf_text(redemption, self.staff_b)
        self.assertIn("Redemption Voucher", text)
        self.assertIn("20.00", text)

    def test_print_action(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 1)])
        action = redemption.with_user(self.staff_a).action_print_voucher()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "timebank_exchange.report_timebank_redemption"
        )
