# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Service statistics: kept with each confirmation and cancellation."""

from datetime import timedelta

from odoo.tests import tagged

from .common_ledger import DAY, TimebankLedgerCase


@tagged("post_install", "-at_install")
class TestServiceStat(TimebankLedgerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Stat = cls.env["timebank.service.stat"]
        cls.nodes = cls.village1 | cls.village2

    def _stats(self, user=None):
        """{(node, period): (count, duration, weighted)} as the pivot reads it."""
        Stat = self.Stat.with_user(user) if user else self.Stat
        groups = Stat._read_group(
            [("node_id", "in", self.nodes.ids)],
            ["node_id", "period"],
            ["record_count:sum", "duration:sum", "weighted_hours:sum"],
        )
        return {
            (node, period): (count, duration, weighted)
            for node, period, count, duration, weighted in groups
            if count or duration or weighted
        }

    def _from_records(self):
        """The same figures read from the confirmed records themselves."""
        records = self.env["timebank.service.record"].search(
            [("state", "=", "confirmed"), ("node_id", "in", self.nodes.ids)]
        )
        result = {}
        for record in records:
            # DAY and the records below are well inside their month in UTC+8
            key = (record.node_id, record.date_start.strftime("%Y-%m"))
            count, duration, weighted = result.get(key, (0, 0.0, 0.0))
            result[key] = (
                count + 1,
                round(duration + record.duration, 2),
                round(weighted + record.weighted_hours, 2),
            )
        return result

    def test_confirm_and_cancel_keep_the_statistics(self):
        self.assertEqual(self._stats(), {})
        first = self._confirmed(2.0)
        self._confirmed(3.0, start=DAY + timedelta(days=1), stype=self.pipe)
        self._confirmed(1.5, start=DAY + timedelta(days=40))
        # submitted or draft records are not counted
        self._record(4.0, start=DAY + timedelta(days=2)).action_submit()
        self._record(
            1.0,
            start=DAY + timedelta(days=3),
            volunteer=self.volunteer3,
            recipient=self.recipient2,
            user=self.operator2,
        )
        stats = self._stats()
        self.assertEqual(stats, self._from_records())
        month = DAY.strftime("%Y-%m")
        count, duration, weighted = stats[(self.village1, month)]
        self.assertEqual((count, duration), (2, 5.0))
        self.assertGreater(weighted, duration)  # the pipe service weighs more
        self.assertEqual(len(stats), 2)

        first.with_user(self.supervisor).action_cancel()
        stats = self._stats()
        self.assertEqual(stats, self._from_records())
        self.assertEqual(stats[(self.village1, month)][0], 1)

    def test_compaction_folds_deltas_and_keeps_totals(self):
        for day in range(4):
            self._confirmed(1.0, start=DAY + timedelta(days=day))
        cancelled = self._confirmed(2.0, start=DAY + timedelta(days=5))
        cancelled.with_user(self.supervisor).action_cancel()
        before = self._stats()
        rows = self.Stat.search([("node_id", "in", self.nodes.ids)])
        self.assertEqual(len(rows), 6)  # one delta row per batch
        self.Stat._cron_compact()
        self.assertEqual(self._stats(), before)
        self.assertEqual(self.Stat.search_count([("node_id", "in", self.nodes.ids)]), 1)
        # a group whose deltas cancel out disappears
        only = self._confirmed(1.0, start=DAY + timedelta(days=70))
        only.with_user(self.supervisor).action_cancel()
        # the folded row, plus the +1 and -1 deltas of the new month
        self.assertEqual(self.Stat.search_count([("node_id", "in", self.nodes.ids)]), 3)
        self.Stat._cron_compact()
        self.assertEqual(self.Stat.search_count([("node_id", "in", self.nodes.ids)]), 1)
        # rebuilding from the records repairs damaged figures
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE timebank_service_stat SET duration = duration + 99, "
            "record_count = record_count + 1"
        )
        self.Stat.invalidate_model()
        self.assertNotEqual(self._stats(), before)
        self.Stat._rebuild()
        self.assertEqual(self._stats(), before)
        self.assertEqual(self._stats(), self._from_records())

    def test_statistics_are_scoped_like_the_records(self):
        self._confirmed(2.0)
        self._confirmed(
            1.0,
            volunteer=self.volunteer3,
            recipient=self.recipient2,
            user=self.operator2,
        )
        own = self._stats(self.operator1)
        self.assertEqual({node for node, _period in own}, {self.village1})
        town = self._stats(self.supervisor)
        self.assertEqual({node for node, _period in town}, set(self.nodes))
        self.assertEqual(town, self._stats())
