# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from contextlib import contextmanager

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import common, tagged
from odoo.tests.common import BaseCase
from odoo.tools.misc import mute_logger


@contextmanager
def environment():
    """An environment on a new cursor of the test database, committed at the end."""
    registry = Registry(common.get_db_name())
    with registry.cursor() as cr:
        yield api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True}
        )


@tagged("post_install", "-at_install")
class TestFinanceConcurrency(BaseCase):
    """Two transactions post against one restricted contribution (real cursors,
    committed data, cleaned up afterwards, like base's ``test_ir_sequence``)."""

    def setUp(self):
        super().setUp()
        with environment() as env:
            node = env["timebank.node"].create(
                {"name": "Concurrency District", "code": "TB-CONC", "kind": "district"}
            )
            partner = env["res.partner"].create({"name": "Concurrency Donor"})
            fund = env["timebank.contribution"].create(
                {
                    "source_category": "government",
                    "partner_id": partner.id,
                    "node_id": node.id,
                    "amount": 1000,
                    "restricted_purpose": "training",
                }
            )
            fund.action_receive()
            spendings = env["timebank.spending"].create(
                [
                    {
                        "description": f"Training course {i}",
                        "purpose": "training",
                        "node_id": node.id,
                        "amount": 600,
                        "contribution_id": fund.id,
                    }
                    for i in (1, 2)
                ]
            )
            self.data = {
                "node": node.id,
                "partner": partner.id,
                "fund": fund.id,
                "spendings": spendings.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with environment() as env:
            spendings = env["timebank.spending"].browse(self.data["spendings"])
            spendings.write({"state": "cancel"})
            spendings.unlink()
            fund = env["timebank.contribution"].browse(self.data["fund"])
            fund.write({"state": "cancel"})
            fund.unlink()
            env["timebank.node"].browse(self.data["node"]).unlink()
            env["res.partner"].browse(self.data["partner"]).unlink()

    def test_two_postings_cannot_overspend(self):
        first_id, second_id = self.data["spendings"]
        outcome = None
        with environment() as env1, environment() as env2:
            # the second transaction reads the fund first: its snapshot predates
            # the first posting
            fund2 = env2["timebank.contribution"].browse(self.data["fund"])
            self.assertEqual(fund2.amount_remaining, 1000.0)
            env1["timebank.spending"].browse(first_id).action_post()
            env1.cr.commit()
            try:
                with mute_logger("odoo.sql_db"):
                    env2["timebank.spending"].browse(second_id).action_post()
                    env2.cr.commit()
            except psycopg2.errors.SerializationFailure:
                outcome = "serialization failure"
                env2.cr.rollback()
            except UserError:
                outcome = "refused"
                env2.cr.rollback()
            self.assertIn(outcome, ("serialization failure", "refused"))
        # a retry (as an HTTP request would do) sees the posting and is refused
        with environment() as env3:
            with self.assertRaisesRegex(UserError, "exceeds what is left"):
                env3["timebank.spending"].browse(second_id).action_post()
            env3.cr.rollback()
        with environment() as env:
            spendings = env["timebank.spending"].browse(self.data["spendings"])
            self.assertEqual(spendings.mapped("state"), ["posted", "draft"])
            fund = env["timebank.contribution"].browse(self.data["fund"])
            self.assertEqual(fund.amount_spent, 600.0)
            posted = env["timebank.fund.report"].search(
                [("contribution_id", "=", fund.id), ("line_type", "=", "spending")]
            )
            self.assertEqual(sum(posted.mapped("amount_out")), 600.0)
