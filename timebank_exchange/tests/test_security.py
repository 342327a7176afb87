# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TimebankExchangeCase


@tagged("post_install", "-at_install")
class TestExchangeSecurity(TimebankExchangeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.donation_a = cls._create_donation(
            cls.staff_a, cls.outlet_a, [(cls.rice, 5, 45)]
        )
        cls.donation_b = cls._create_donation(
            cls.staff_b, cls.outlet_b, [(cls.oil, 5, 35)]
        )

    def test_staff_sees_only_the_outlets_of_their_nodes(self):
        Outlet = self.env["timebank.exchange.outlet"].with_user(self.staff_a)
        outlets = Outlet.search([("id", "in", (self.outlet_a | self.outlet_b).ids)])
        self.assertEqual(outlets, self.outlet_a)
        self.outlet_a.with_user(self.staff_a).read(["name"])
        with self.assertRaises(AccessError):
            self.outlet_b.with_user(self.staff_a).read(["name"])

    def test_staff_sees_only_the_donations_of_their_outlets(self):
        Donation = self.env["timebank.donation"].with_user(self.staff_a)
        donations = Donation.search(
            [("id", "in", (self.donation_a | self.donation_b).ids)]
        )
        self.assertEqual(donations, self.donation_a)
        with self.assertRaises(AccessError):
            self.donation_b.with_user(self.staff_a).read(["name"])
        with self.assertRaises(AccessError):
            self.donation_b.line_ids.with_user(self.staff_a).read(["quantity"])
        with self.assertRaises(AccessError):
            self.donation_b.with_user(self.staff_a).action_confirm()
        self.assertEqual(self.donation_b.state, "draft")
        self.assertFalse(self.donation_b.picking_ids)

    def test_staff_cannot_record_donation_for_another_outlet(self):
        with self.assertRaises(AccessError):
            self._create_donation(self.staff_a, self.outlet_b, [(self.rice, 1, 45)])

    def test_explicit_outlet_staff_sees_the_outlet(self):
        self.outlet_b.user_ids = [Command.link(self.staff_a.id)]
        self.outlet_b.with_user(self.staff_a).read(["name"])
        self.donation_b.with_user(self.staff_a).read(["name"])

    def test_district_staff_sees_the_outlets_below(self):
        auditor = new_test_user(
            self.env,
            "tb_exc_auditor",
            groups="timebank_volunteer.group_timebank_auditor",
            timebank_node_ids=[Command.set(self.district.ids)],
        )
        outlets = self.env["timebank.exchange.outlet"].with_user(auditor).search([])
        self.assertIn(self.outlet_a, outlets)
        self.assertIn(self.outlet_b, outlets)
        with self.assertRaises(AccessError):
            self.donation_a.with_user(auditor).write({"note": "changed"})

    def test_auditor_without_stock_rights_reads_received_donation(self):
        auditor = new_test_user(
            self.env,
            "tb_exc_auditor_a",
            groups="timebank_volunteer.group_timebank_auditor",
            timebank_node_ids=[Command.set(self.town_a.ids)],
        )
        self.assertFalse(auditor.has_group("stock.group_stock_user"))
        self.donation_a.action_confirm()
        self.donation_a.action_receive()
        values = self.donation_a.with_user(auditor).read(
            ["amount_total", "amount_received", "picking_count", "state"]
        )[0]
        self.assertEqual(values["state"], "received")
        self.assertEqual(values["amount_received"], 5 * 45)
        self.assertEqual(values["picking_count"], 1)
        with self.assertRaises(AccessError):
            self.donation_b.with_user(auditor).read(["amount_total"])

    def test_inventory_manager_reads_all(self):
        Outlet = self.env["timebank.exchange.outlet"].with_user(self.manager)
        self.assertFalse(self.manager.timebank_node_ids)
        self.assertEqual(
            Outlet.search([("id", "in", (self.outlet_a | self.outlet_b).ids)]),
            self.outlet_a | self.outlet_b,
        )
        donations = (
            self.env["timebank.donation"]
            .with_user(self.manager)
            .search([("id", "in", (self.donation_a | self.donation_b).ids)])
        )
        self.assertEqual(donations, self.donation_a | self.donation_b)
        self.donation_b.with_user(self.manager).action_confirm()
        self.assertEqual(self.donation_b.state, "confirmed")

    def test_staff_cannot_delete_donations(self):
        with self.assertRaises(AccessError):
            self.donation_a.with_user(self.staff_a).unlink()
        self.assertTrue(self.donation_a.exists())
