# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from contextlib import contextmanager

from odoo import Command
from odoo.tests import new_test_user

from .common import TimebankExchangeCase


class TimebankFinanceCase(TimebankExchangeCase):
    """Finance staff of town A and of town B, a finance manager, an operator of
    town B and a district administrator, on the two towns of the exchange case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance_a = new_test_user(
            cls.env,
            "tb_fin_staff_a",
            groups="timebank_exchange.group_timebank_finance",
            timebank_node_ids=[Command.set(cls.town_a.ids)],
        )
        cls.finance_b = new_test_user(
            cls.env,
            "tb_fin_staff_b",
            groups="timebank_exchange.group_timebank_finance",
            timebank_node_ids=[Command.set(cls.town_b.ids)],
        )
        cls.finance_manager = new_test_user(
            cls.env,
            "tb_fin_manager",
            groups="timebank_exchange.group_timebank_finance_manager",
        )
        cls.operator_b = new_test_user(
            cls.env,
            "tb_fin_operator_b",
            groups="timebank_volunteer.group_timebank_operator",
            timebank_node_ids=[Command.set(cls.town_b.ids)],
        )
        cls.district_admin = new_test_user(
            cls.env,
            "tb_fin_district_admin",
            groups="timebank_volunteer.group_timebank_admin",
        )
        Partner = cls.env["res.partner"]
        cls.government = Partner.create(
            {"name": "District Finance Bureau", "is_company": True}
        )
        cls.charity = Partner.create({"name": "District Charity", "is_company": True})

    @classmethod
    def _contribution(cls, user, amount, source="government", node=None, **vals):
        """Create a money contribution as ``user`` and receive it."""
        contribution = (
            cls.env["timebank.contribution"]
            .with_user(user)
            .create(
                {
                    "source_category": source,
                    "partner_id": vals.pop("partner", cls.government).id,
                    "node_id": (node or cls.town_a).id,
                    "kind": "money",
                    "amount": amount,
                    **vals,
                }
            )
        )
        contribution.action_receive()
        return contribution

    @classmethod
    def _spending(cls, user, amount, purpose, source="government", **vals):
        """Create a draft spending as ``user``."""
        values = {
            "description": f"{purpose} {amount}",
            "purpose": purpose,
            "node_id": vals.pop("node", cls.town_a).id,
            "amount": amount,
            **vals,
        }
        if "contribution_id" not in values:
            values["source_category"] = source
        return cls.env["timebank.spending"].with_user(user).create(values)

    @contextmanager
    def assertRaisesText(self, exception, text):
        """``assertRaises`` (which rolls back to a savepoint, as a request would
        roll back) and the error's message contains ``text``."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(text, str(catcher.exception))
