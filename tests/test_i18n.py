# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The users read Chinese: every term Odoo would export for our modules must have
a Chinese translation in the module's i18n/zh_CN.po."""

from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("timebank_volunteer", "timebank_exchange")


@tagged("post_install", "-at_install")
class TestChineseTranslations(TransactionCase):
    def test_po_files_complete(self):
        for module in MODULES:
            with self.subTest(module=module):
                po = polib.pofile(str(ROOT / module / "i18n" / "zh_CN.po"))
                self.assertFalse([e.msgid for e in po.fuzzy_entries()], "fuzzy entries")
                translated = {e.msgid for e in po if e.msgstr and not e.obsolete}
                reader = TranslationModuleReader(self.env.cr, modules=[module])
                sources = {src for _m, _t, _n, _r, src, _v, _c in reader if src}
                missing = sorted(sources - translated)
                self.assertFalse(
                    missing,
                    f"{module}: {len(missing)} term(s) without a Chinese "
                    f"translation, e.g. {missing[:10]}",
                )

    def test_translations_loaded(self):
        """zh_CN is what the users see: the terms load into the database."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "in", MODULES)]
        )._update_translations(["zh_CN"])
        category = self.env.ref("timebank_volunteer.module_category_timebank")
        self.assertEqual(category.with_context(lang="zh_CN").name, "时间银行")
