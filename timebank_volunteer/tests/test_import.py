# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import csv
import io

from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_open, file_path

from .common import TimebankCommon

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
class TestImport(TimebankCommon):
    def _import(self, model, header, rows, user):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        wizard = (
            self.env["base_import.import"]
            .with_user(user)
            .create(
                {
                    "res_model": model,
                    "file": buffer.getvalue().encode(),
                    "file_type": "text/csv",
                    "file_name": "people.csv",
                }
            )
        )
        options = {
            "has_headers": True,
            "quoting": '"',
            "separator": ",",
            "encoding": "utf-8",
            "date_format": "%Y-%m-%d",
            "float_thousand_separator": ",",
            "float_decimal_separator": ".",
        }
        return wizard.execute_import(header, header, options)

    def test_import_recipients_with_bad_row(self):
        header = [
            "name",
            "id_number",
            "mobile",
            "node_id",
            "station_id",
            "priority_group_ids",
        ]
        good1 = self._next_id_number(75)
        good2 = self._next_id_number(82, male=False)
        bad = self._next_id_number(80)
        bad = bad[:-1] + ("1" if bad[-1] != "1" else "2")
        rows = [
            [
                "王大爷",
                good1,
                "13812345678",
                "V1",
                "Station 1",
                "Minimum Living Allowance (70+)",
            ],
            ["李奶奶", bad, "13812345679", "V1", "", ""],
            ["张奶奶", good2, "13812345670", "V1", "", "Disabled (60+)"],
        ]
        Recipient = self.env["timebank.recipient"]
        count = Recipient.search_count([])
        result = self._import("timebank.recipient", header, rows, self.operator)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        row_errors = [e for e in errors if e["rows"] == {"from": 1, "to": 1}]
        self.assertEqual(len(row_errors), 1, "the second data row is reported")
        self.assertIn(bad, row_errors[0]["message"])
        self.assertIn("check digit", row_errors[0]["message"])
        # (base_import also repeats the first error of the failed batch, at its
        # first row) no other error: the good rows are not blamed
        self.assertEqual({e["message"] for e in errors}, {row_errors[0]["message"]})
        self.assertFalse(result["ids"])
        self.assertEqual(Recipient.search_count([]), count, "nothing imported")

        # once fixed the whole file goes in, one contact per person
        rows[1][1] = self._next_id_number(80, male=False)
        result = self._import("timebank.recipient", header, rows, self.operator)
        self.assertFalse(
            [m for m in result["messages"] if m["type"] == "error"], result["messages"]
        )
        imported = Recipient.browse(result["ids"])
        self.assertEqual(len(imported), 3)
        self.assertEqual(imported.mapped("node_id"), self.village1)
        self.assertEqual(
            imported.filtered(lambda r: r.name == "王大爷").priority_group_ids,
            self.priority_dibao,
        )
        self.assertEqual(len(imported.partner_id), 3)

    def test_import_too_young_and_out_of_scope(self):
        header = ["name", "id_number", "node_id", "priority_group_ids"]
        rows = [
            [
                "刘大爷",
                self._next_id_number(66),
                "V1",
                "Minimum Living Allowance (70+)",
            ],
            ["陈大爷", self._next_id_number(72), "V3", ""],
        ]
        # the row naming an unknown node fails on the required column: muted
        with mute_logger("odoo.sql_db"):
            result = self._import("timebank.recipient", header, rows, self.operator)
        errors = [m for m in result["messages"] if m["type"] == "error"]
        messages = " ".join(m["message"] for m in errors)
        self.assertIn("too young", messages)
        self.assertIn(
            "'V3'", messages, "a node outside the operator's scope is not found"
        )
        self.assertFalse(result["ids"])

    def test_import_volunteers(self):
        header = [
            "name",
            "id_number",
            "mobile",
            "node_id",
            "source",
            "occupation",
            "skill_ids",
        ]
        self.env["timebank.skill"].create({"name": "Cooking"})
        rows = [
            [
                "赵志强",
                self._next_id_number(35),
                "13912345678",
                "V1",
                "Resident",
                "电工",
                "Cooking",
            ],
            [
                "钱秀英",
                self._next_id_number(58, male=False),
                "13912345679",
                "V1",
                "Retired Cadre / Staff",
                "退休教师",
                "",
            ],
        ]
        result = self._import("timebank.volunteer", header, rows, self.operator)
        self.assertFalse(
            [m for m in result["messages"] if m["type"] == "error"], result["messages"]
        )
        volunteers = self.env["timebank.volunteer"].browse(result["ids"])
        self.assertEqual(set(volunteers.mapped("state")), {"applied"})
        self.assertEqual(set(volunteers.mapped("source")), {"resident", "retired"})

    def test_import_templates(self):
        for model in ("timebank.volunteer", "timebank.recipient"):
            templates = self.env[model].get_import_templates()
            self.assertEqual(len(templates), 2)
            for template in templates:
                path = template["template"].lstrip("/")
                self.assertTrue(file_path(path), path)


@tagged("post_install", "-at_install")
class TestImportTemplates(TimebankCommon):
    """The downloadable templates map onto the fields by themselves and their
    sample row imports, in English and in Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Node = cls.env["timebank.node"]
        cls.gucheng = Node.create(
            {
                "name": "古城社区支行",
                "code": "GC",
                "kind": "village",
                "parent_id": cls.town1.id,
            }
        )
        Node.create(
            {
                "name": "古城社区服务站",
                "code": "GC-1",
                "kind": "station",
                "parent_id": cls.gucheng.id,
            }
        )
        if not cls.env["timebank.skill"].search([("name", "=", "家电维修")]):
            cls.env["timebank.skill"].create({"name": "家电维修"})
        cls.operator.timebank_node_ids = cls.gucheng

    def _check_template(self, model, filename, user, lang="en_US"):
        with file_open(f"timebank_volunteer/static/xls/{filename}", "rb") as f:
            data = f.read()
        wizard = (
            self.env["base_import.import"]
            .with_user(user)
            .with_context(lang=lang)
            .create(
                {
                    "res_model": model,
                    "file": data,
                    "file_type": XLSX_MIMETYPE,
                    "file_name": filename,
                }
            )
        )
        options = {"has_headers": True, "quoting": '"', "separator": ","}
        preview = wizard.parse_preview(options)
        self.assertFalse(preview.get("error"), preview)
        self.assertTrue(preview["matches"], f"{filename}: no header recognised")
        headers = preview["headers"]
        matches = preview["matches"]
        unmatched = [h for i, h in enumerate(headers) if not matches.get(i)]
        self.assertFalse(unmatched, f"{filename}: headers not recognised")
        fields = [matches[i][-1] for i in range(len(headers))]
        count = self.env[model].search_count([])
        result = wizard.execute_import(fields, headers, options, dryrun=True)
        self.assertFalse(
            [m for m in result["messages"] if m["type"] == "error"], result["messages"]
        )
        self.assertTrue(result["ids"])
        self.assertEqual(self.env[model].search_count([]), count, "dry run only")

    def test_english_templates(self):
        self._check_template(
            "timebank.volunteer", "timebank_volunteer.xlsx", self.operator
        )
        self._check_template(
            "timebank.recipient", "timebank_recipient.xlsx", self.operator
        )

    def test_chinese_templates(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["timebank_volunteer"], ["zh_CN"], overwrite=True
        )
        self.operator.lang = "zh_CN"
        self._check_template(
            "timebank.volunteer",
            "timebank_volunteer_zh_CN.xlsx",
            self.operator,
            "zh_CN",
        )
        self._check_template(
            "timebank.recipient",
            "timebank_recipient_zh_CN.xlsx",
            self.operator,
            "zh_CN",
        )
