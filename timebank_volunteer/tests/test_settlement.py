# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.timebank_settlement_run import last_closed_period, split_hours
from .common_ledger import DAY, TimebankLedgerCase

H1_FROM, H1_TO = date(2026, 1, 1), date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestSettlement(TimebankLedgerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("timebank_volunteer.settlement_goods_ratio", 50)
        cls.Run = cls.env["timebank.settlement.run"]

    @contextmanager
    def assertRaisesText(self, exception, text):
        """``assertRaises`` (rolled back to a savepoint) and check the message."""
        with self.assertRaises(exception) as catcher:
            yield
        self.assertIn(text, str(catcher.exception))

    # helpers -----------------------------------------------------------

    def _service(self, seconds, volunteer, start=DAY, stype=None):
        """A confirmed service of ``seconds`` (weighted by its category)."""
        record = self._record(
            hours=seconds / 3600.0,
            start=start,
            volunteer=volunteer,
            stype=stype,
            user=self.tb_admin,
        )
        record.with_user(self.tb_admin).action_submit()
        record.with_user(self.tb_admin).action_confirm()
        return record

    def _run(self, date_from=H1_FROM, date_to=H1_TO, node=None):
        return self.Run.with_user(self.tb_admin).create(
            {
                "node_id": (node or self.district).id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )

    def _settle(self, run=None, batch_size=2):
        run = run or self._run()
        run.action_preview()
        run.action_confirm()
        run._process_batches(batch_size=batch_size)
        return run

    def _settlement_lines(self, run):
        return self.env["timebank.ledger.line"].search(
            [
                ("res_model", "=", "timebank.settlement.line"),
                ("res_id", "in", run.line_ids.ids),
            ]
        )

    def _accounts(self):
        return (self.volunteer1 | self.volunteer2 | self.volunteer3).account_id

    def assertLedgerSound(self):
        for account in self._accounts():
            self.assertBalanceIsSumOfLines(account)
        result = self._accounts()._check_chain()
        self.assertTrue(result["ok"], result["message"])

    # split and rounding ------------------------------------------------

    def test_period_of_a_line_is_its_service_start(self):
        inside = self._service(3600, self.volunteer1)
        later = self._service(7200, self.volunteer1, start=DAY.replace(month=7))
        deposit = self.env["timebank.ledger.line"].search(
            [("res_model", "=", inside._name), ("res_id", "=", inside.id)]
        )
        self.assertEqual(deposit.service_date, inside.date_start)
        # a line posted before service_date existed: the record decides
        legacy_in, legacy_out = (
            self._record(hours=0.5, start=DAY + timedelta(days=day), user=self.tb_admin)
            for day in (3, 150)
        )
        self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": self.volunteer1.account_id.id,
                    "hours": hours,
                    "bucket": "unsettled",
                    "kind": "deposit",
                    "res_model": record._name,
                    "res_id": record.id,
                }
                for record, hours in ((legacy_in, 0.25), (legacy_out, 0.75))
            ]
        )
        # the legacy records stay drafts here: settle anyway
        legacy_lines = self.env["timebank.ledger.line"].search(
            [("res_model", "=", legacy_in._name), ("res_id", "=", legacy_in.id)]
        )
        self.assertFalse(legacy_lines.service_date)
        run = self._run()
        run.settle_anyway = True
        run = self._settle(run)
        items = self.env["timebank.settlement.item"].search(
            [("account_id", "=", self.volunteer1.account_id.id)]
        )
        settled = self.env["timebank.ledger.line"].browse(items.ledger_line_id.ids)
        self.assertEqual(
            sorted(settled.mapped("res_id")), sorted([inside.id, legacy_in.id])
        )
        self.assertEqual(run.hours_total, inside.weighted_hours + 0.25)
        self.assertNotIn(later.id, settled.mapped("res_id"))
        self.assertLedgerSound()

    def test_split_adds_up_on_awkward_numbers(self):
        cases = {
            (0.01, 50): (0.01, 0.0),
            (0.03, 50): (0.02, 0.01),
            (7.77, 50): (3.89, 3.88),
            (1499.99, 50): (750.0, 749.99),
            (0.01, 33.33): (0.0, 0.01),
            (0.03, 33.33): (0.01, 0.02),
            (7.77, 33.33): (2.59, 5.18),
            (1499.99, 33.33): (499.95, 1000.04),
            (0.05, 100): (0.05, 0.0),
            (0.05, 0): (0.0, 0.05),
        }
        for (total, ratio), expected in cases.items():
            settled, goods, reserve = split_hours(total, ratio)
            self.assertEqual((goods, reserve), expected, (total, ratio))
            self.assertEqual(
                Decimal(str(goods)) + Decimal(str(reserve)), Decimal(str(settled))
            )
        # exhaustive on cents: the parts always add up exactly
        for cents in range(0, 3000, 7):
            for ratio in (50, 33.33, 66.67, 12.5):
                total = cents / 100
                settled, goods, reserve = split_hours(total, ratio)
                self.assertEqual(
                    Decimal(str(goods)) + Decimal(str(reserve)),
                    Decimal(str(total)).quantize(Decimal("0.01")),
                )
                self.assertEqual(settled, total)

    def _awkward_run(self, ratio):
        self.params.set_param("timebank_volunteer.settlement_goods_ratio", ratio)
        self._service(36, self.volunteer1)  # 0.01 h
        self._service(108, self.volunteer2)  # 0.03 h
        self._service(7 * 3600 + 46 * 60 + 12, self.volunteer3)  # 7.77 h
        run = self._run()
        self.assertEqual(run.goods_ratio, ratio)
        run.action_preview()
        preview = {
            line.volunteer_id: (line.hours_total, line.hours_goods, line.hours_reserve)
            for line in run.line_ids
        }
        run.action_confirm()
        run._process_batches(batch_size=2)
        self.assertEqual(run.state, "done")
        posted = {
            line.volunteer_id: (line.hours_total, line.hours_goods, line.hours_reserve)
            for line in run.line_ids
        }
        # the preview (SQL) and the posting (Decimal) round alike
        self.assertEqual(preview, posted)
        self.assertLedgerSound()
        return posted

    def test_settle_awkward_hours_ratio_50(self):
        posted = self._awkward_run(50)
        self.assertEqual(posted[self.volunteer1], (0.01, 0.01, 0.0))
        self.assertEqual(posted[self.volunteer2], (0.03, 0.02, 0.01))
        self.assertEqual(posted[self.volunteer3], (7.77, 3.89, 3.88))
        for volunteer, (_total, goods, reserve) in posted.items():
            account = volunteer.account_id
            self.assertAlmostEqual(account.balance_unsettled, 0.0)
            self.assertAlmostEqual(account.balance_goods, goods)
            self.assertAlmostEqual(account.balance_reserve, reserve)

    def test_settle_awkward_hours_ratio_33(self):
        posted = self._awkward_run(33.33)
        self.assertEqual(posted[self.volunteer1], (0.01, 0.0, 0.01))
        self.assertEqual(posted[self.volunteer2], (0.03, 0.01, 0.02))
        self.assertEqual(posted[self.volunteer3], (7.77, 2.59, 5.18))

    # flow ---------------------------------------------------------------

    def test_preview_posts_nothing_and_confirm_posts_three_lines(self):
        self._service(3 * 3600, self.volunteer1)  # 3.00
        self._service(3600, self.volunteer1, start=DAY + timedelta(days=1))  # 1.00
        self._service(
            2 * 3600, self.volunteer2, stype=self.pipe
        )  # technical: 2 x coefficient
        run = self._run()
        run.action_preview()
        self.assertEqual(run.state, "previewed")
        self.assertEqual(len(run.line_ids), 2)
        line1 = run.line_ids.filtered(lambda line: line.volunteer_id == self.volunteer1)
        self.assertEqual(
            (line1.hours_total, line1.hours_goods, line1.hours_reserve), (4.0, 2.0, 2.0)
        )
        self.assertFalse(self._settlement_lines(run), "a preview posts nothing")
        self.assertAlmostEqual(self.volunteer1.account_id.balance_unsettled, 4.0)
        run.action_confirm()
        self.assertEqual(run.state, "running")
        run._process_batches(batch_size=1)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.done_count, 2)
        self.assertEqual(run.progress, 100.0)
        lines = self._settlement_lines(run)
        self.assertEqual(len(lines), 6)
        self.assertEqual(set(lines.mapped("kind")), {"settlement"})
        by_bucket = {
            bucket: sum(
                lines.filtered(lambda x, b=bucket: x.bucket == b).mapped("hours")
            )
            for bucket in ("unsettled", "goods", "reserve")
        }
        self.assertAlmostEqual(by_bucket["unsettled"], -run.hours_total)
        self.assertAlmostEqual(
            by_bucket["goods"] + by_bucket["reserve"], run.hours_total
        )
        account = self.volunteer1.account_id
        self.assertEqual(
            (account.balance_unsettled, account.balance_goods, account.balance_reserve),
            (0.0, 2.0, 2.0),
        )
        self.assertLedgerSound()

    def test_out_of_scope_and_later_services_stay_unsettled(self):
        self._service(3600, self.volunteer1)
        later = self._service(3600, self.volunteer1, start=DAY.replace(month=8))
        self._service(3600, self.volunteer3)  # village 2
        self._settle(self._run(node=self.village1))
        account = self.volunteer1.account_id
        self.assertAlmostEqual(account.balance_unsettled, later.weighted_hours)
        self.assertAlmostEqual(self.volunteer3.account_id.balance_unsettled, 1.0)
        self.assertLedgerSound()

    def test_late_confirmation_is_carried_over_not_lost(self):
        """A service of H1 confirmed after H1 was settled goes to the next run."""
        self._service(3600, self.volunteer1)
        self._settle()
        late = self._service(2 * 3600, self.volunteer1, start=DAY + timedelta(days=3))
        self.assertAlmostEqual(self.volunteer1.account_id.balance_unsettled, 2.0)
        run2 = self._settle(self._run(date(2026, 7, 1), date(2026, 9, 30)))
        self.assertEqual(run2.line_ids.hours_total, late.weighted_hours)
        account = self.volunteer1.account_id
        self.assertEqual(
            (account.balance_unsettled, account.balance_goods, account.balance_reserve),
            (0.0, 1.5, 1.5),
        )
        self.assertLedgerSound()

    def test_cancelled_service_reversal_is_settled_with_its_deposit(self):
        self._service(3600, self.volunteer1)
        cancelled = self._service(
            2 * 3600, self.volunteer1, start=DAY + timedelta(days=2)
        )
        cancelled.with_user(self.tb_admin).action_cancel()
        run = self._settle()
        self.assertEqual(run.line_ids.hours_total, 1.0)
        self.assertEqual(len(run.line_ids.item_ids), 3)  # deposit, deposit, reversal
        self.assertAlmostEqual(self.volunteer1.account_id.balance_unsettled, 0.0)
        self.assertLedgerSound()

    # never twice ---------------------------------------------------------

    def test_idempotent_processing_and_posting(self):
        self._service(3600, self.volunteer1)
        self._service(3600, self.volunteer2)
        run = self._settle()
        count = self.env["timebank.ledger.line"].search_count([])
        # processing the done run again posts nothing
        self.assertEqual(run._process_batches(), 0)
        with self.assertRaises(UserError):
            run.action_confirm()
        with self.assertRaises(UserError):
            run.action_process_now()
        self.assertEqual(self.env["timebank.ledger.line"].search_count([]), count)
        # posting a settlement line a second time is refused by the ledger
        line = run.line_ids[0]
        with self.assertRaises(UserError):
            self.env["timebank.account"]._post_lines(
                [
                    {
                        "account_id": line.account_id.id,
                        "hours": 0.5,
                        "bucket": "goods",
                        "kind": "settlement",
                        "res_model": "timebank.settlement.line",
                        "res_id": line.id,
                    }
                ]
            )
        # a settled ledger line cannot be settled again (unique item)
        item = line.item_ids[0]
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO timebank_settlement_item "
                        "(settlement_line_id, ledger_line_id, account_id, hours) "
                        "VALUES (%s, %s, %s, %s)",
                        line.id,
                        item.ledger_line_id.id,
                        item.account_id.id,
                        item.hours,
                    )
                )
        self.assertLedgerSound()

    def test_overlapping_periods_refused(self):
        self._service(3600, self.volunteer1)
        run = self._settle()
        with self.assertRaisesText(ValidationError, "already settled"):
            self._run()
        with self.assertRaisesText(ValidationError, "already settled"):
            self._run(date(2026, 6, 1), date(2026, 7, 31))
        # nested scopes overlap too
        with self.assertRaisesText(ValidationError, "already settled"):
            self._run(node=self.village1)
        # the database refuses it even behind the ORM's back
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.ExclusionViolation),
        ):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO timebank_settlement_run "
                        "(node_id, date_from, date_to, goods_ratio, tz, state) "
                        "VALUES (%s, %s, %s, 50, 'Asia/Shanghai', 'draft')",
                        run.node_id.id,
                        date(2026, 3, 1),
                        date(2026, 3, 31),
                    )
                )
        # the next period is fine
        self._run(date(2026, 7, 1), date(2026, 12, 31) - timedelta(days=40))

    def test_cancel_only_before_posting(self):
        self._service(3600, self.volunteer1)
        run = self._run()
        run.action_preview()
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertFalse(run.line_ids)
        again = self._settle(self._run())
        with self.assertRaises(UserError):
            again.action_cancel()
        with self.assertRaises(UserError):
            again.unlink()

    def test_period_not_over_refused(self):
        today = date.today()
        with self.assertRaisesText(ValidationError, "after it has ended"):
            self._run(today.replace(day=1), today)

    # warnings and configuration ---------------------------------------

    def test_unconfirmed_services_warn_and_block_unless_settle_anyway(self):
        self._service(3600, self.volunteer1)
        pending = self._record(
            hours=1, start=DAY + timedelta(days=5), user=self.tb_admin
        )
        run = self._run()
        run.action_preview()
        self.assertEqual(run.pending_record_ids, pending)
        self.assertIn("not confirmed", run.pending_warning)
        with self.assertRaisesText(UserError, pending.name):
            run.action_confirm()
        self.assertEqual(run.state, "previewed")
        run.settle_anyway = True
        run.action_confirm()
        run._process_batches()
        self.assertEqual(run.state, "done")
        # the pending service, confirmed later, is settled by the next run
        pending.with_user(self.tb_admin).action_submit()
        pending.with_user(self.tb_admin).action_confirm()
        run2 = self._settle(self._run(date(2026, 7, 1), date(2026, 7, 31)))
        self.assertEqual(run2.line_ids.hours_total, 1.0)
        self.assertLedgerSound()

    def test_ratio_frozen_once_settled(self):
        settings = self.env["res.config.settings"].sudo()
        self.assertEqual(settings.create({}).timebank_settlement_goods_ratio, 50)
        settings.create({"timebank_settlement_goods_ratio": 40}).execute()
        self.assertEqual(self.Run._get_goods_ratio(), 40)
        self.params.set_param("timebank_volunteer.settlement_goods_ratio", 50)
        self._service(3600, self.volunteer1)
        self._settle()
        config = settings.create({"timebank_settlement_goods_ratio": 60})
        with self.assertRaisesText(UserError, "cannot change"):
            config.execute()
        self.assertEqual(self.Run._get_goods_ratio(), 50)
        # saving other settings with the same ratio is fine
        settings.create({"timebank_settlement_goods_ratio": 50}).execute()
        with self.assertRaises(ValidationError):
            settings.create({"timebank_settlement_goods_ratio": 120})

    def test_default_period_from_cadence(self):
        self.assertEqual(
            last_closed_period("half_year", date(2026, 11, 29)),
            (date(2026, 1, 1), date(2026, 6, 30)),
        )
        self.assertEqual(
            last_closed_period("half_year", date(2026, 3, 1)),
            (date(2025, 7, 1), date(2025, 12, 31)),
        )
        self.assertEqual(
            last_closed_period("year", date(2026, 3, 1)),
            (date(2025, 1, 1), date(2025, 12, 31)),
        )
        self.params.set_param("timebank_volunteer.settlement_cadence", "year")
        run = self.Run.with_user(self.tb_admin).create({})
        self.assertEqual(run.node_id, self.district)
        self.assertEqual(run.date_to.month, 12)

    def test_only_administrators_settle(self):
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.supervisor).action_preview()
        with self.assertRaises(AccessError):
            self.Run.with_user(self.supervisor).create(
                {
                    "node_id": self.town.id,
                    "date_from": date(2025, 1, 1),
                    "date_to": date(2025, 6, 30),
                }
            )
        # the operator sees the settlement lines of their node only
        self._service(3600, self.volunteer1)
        self._service(3600, self.volunteer3)
        run.action_preview()
        visible = (
            self.env["timebank.settlement.line"]
            .with_user(self.operator1)
            .search([("run_id", "=", run.id)])
        )
        self.assertEqual(visible.volunteer_id, self.volunteer1)
