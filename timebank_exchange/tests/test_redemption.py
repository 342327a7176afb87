# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.timebank_exchange.models.timebank_exchange_outlet import (
    TimebankExchangeOutlet,
)

from .common_redemption import TimebankRedemptionCase


@tagged("post_install", "-at_install")
class TestRedemption(TimebankRedemptionCase):
    def _confirmed(self, lines=None, user=None, **kwargs):
        user = user or self.staff_a
        redemption = self._redemption(
            user, lines or [(self.rice, 2), (self.oil, 1)], **kwargs
        )
        redemption.with_user(user).action_confirm()
        return redemption

    def _handed_over(self, lines=None):
        redemption = self._confirmed(lines)
        redemption.with_user(self.staff_a).action_hand_over()
        return redemption

    # ------------------------------------------------------------------
    # whole flow
    # ------------------------------------------------------------------

    def test_whole_flow_stock_and_hours_go_down(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 2), (self.oil, 1)])
        self.assertTrue(redemption.name.startswith("RED/"))
        self.assertEqual(redemption.state, "draft")
        self.assertEqual(redemption.total_hours, 2 * 5.0 + 4.0)
        self.assertFalse(self._ledger(redemption))

        redemption.with_user(self.staff_a).action_confirm()
        self.assertEqual(redemption.state, "confirmed")
        line = self._ledger(redemption)
        self.assertEqual(len(line), 1)
        self.assertRecordValues(
            line,
            [
                {
                    "account_id": self.account_a.id,
                    "hours": -14.0,
                    "bucket": "goods",
                    "kind": "redemption",
                }
            ],
        )
        self.assertAlmostEqual(self._goods(self.account_a), 6.0)
        self.assertAlmostEqual(redemption.goods_balance_after, 6.0)
        picking = redemption.picking_id
        self.assertEqual(picking, self._pickings(redemption))
        self.assertEqual(picking.picking_type_id, self.outlet_a.out_type_id)
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(picking.location_id, self.outlet_a.lot_stock_id)
        self.assertEqual(picking.location_dest_id, self.exchange_location)
        self.assertEqual(picking.partner_id, self.volunteer_a.partner_id)
        self.assertEqual(picking.origin, redemption.name)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(
            picking.move_ids.timebank_redemption_line_id, redemption.line_ids
        )
        # reserved, not yet out of stock
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertEqual(self._free_at(self.rice, self.outlet_a), 8)

        redemption.with_user(self.staff_a).action_hand_over()
        self.assertEqual(picking.state, "done")
        self.assertEqual(redemption.state, "done")
        self.assertTrue(redemption.date_done)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 8)
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 2)
        self.assertEqual(self._qty_at(self.rice, self.outlet_b), 4)
        self.assertEqual(
            self.rice.with_context(location=self.exchange_location.id).qty_available, 2
        )
        self.assertFalse(picking.backorder_ids)
        self.assertAlmostEqual(self._goods(self.account_a), 6.0)
        self.assertBalanceIsSumOfLines(self.account_a)

    def test_price_is_frozen_at_confirmation(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 1)])
        self.assertEqual(redemption.line_ids.hour_price, 5.0)
        self.env.flush_all()
        # the catalog price changes while the order is a draft: the price at
        # confirmation is taken
        self.rice.timebank_hour_price = 6.0
        redemption.with_user(self.staff_a).action_confirm()
        self.assertEqual(redemption.line_ids.hour_price, 6.0)
        self.rice.timebank_hour_price = 9.0
        redemption.line_ids.invalidate_recordset()
        self.assertEqual(redemption.line_ids.hour_price, 6.0)
        self.assertEqual(redemption.total_hours, 6.0)
        self.assertAlmostEqual(self._goods(self.account_a), 14.0)
        with self.assertRaises(UserError):
            redemption.line_ids.with_user(self.staff_a).quantity = 5

    def test_form_fills_the_price(self):
        form = Form(self.env["timebank.redemption"].with_user(self.staff_a))
        form.volunteer_id = self.volunteer_a
        form.outlet_id = self.outlet_a
        with form.line_ids.new() as line:
            line.product_id = self.oil
            line.quantity = 2
        redemption = form.save()
        self.assertEqual(redemption.line_ids.hour_price, 4.0)
        self.assertEqual(redemption.total_hours, 8.0)

    def test_hand_over_twice_and_validate_twice(self):
        redemption = self._handed_over()
        with self.assertRaisesRegex(UserError, "hand over"):
            redemption.with_user(self.staff_a).action_hand_over()
        with self.assertRaisesRegex(UserError, "cannot be validated again"):
            redemption.picking_id.with_user(self.staff_a).button_validate()
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 8)
        self.assertAlmostEqual(self._goods(self.account_a), 6.0)

    def test_validating_the_delivery_in_inventory_hands_over(self):
        redemption = self._confirmed()
        picking = redemption.picking_id.with_user(self.staff_a)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(redemption.state, "done")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 8)

    def test_partial_delivery_in_inventory_refused(self):
        redemption = self._confirmed()
        picking = redemption.picking_id.with_user(self.staff_a)
        picking.move_ids.filtered(lambda m: m.product_id == self.rice).quantity = 1
        with self.assertRaisesRegex(UserError, "all at once"):
            picking.button_validate()
        self.assertEqual(redemption.state, "confirmed")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)

    # ------------------------------------------------------------------
    # cancel and return
    # ------------------------------------------------------------------

    def test_cancel_restores_stock_and_hours(self):
        redemption = self._confirmed()
        self.assertEqual(self._free_at(self.rice, self.outlet_a), 8)
        redemption.with_user(self.staff_a).action_cancel()
        self.assertEqual(redemption.state, "cancel")
        self.assertEqual(redemption.picking_id.state, "cancel")
        self.assertEqual(self._free_at(self.rice, self.outlet_a), 10)
        self.assertEqual(self._free_at(self.oil, self.outlet_a), 3)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertAlmostEqual(self._goods(self.account_a), 20.0)
        self.assertEqual(
            self._ledger(redemption).mapped(lambda x: (x.kind, x.hours)),
            [("redemption", -14.0), ("reversal", 14.0)],
        )
        self.assertBalanceIsSumOfLines(self.account_a)
        with self.assertRaisesRegex(UserError, "cancel"):
            redemption.with_user(self.staff_a).action_cancel()
        self.assertEqual(len(self._ledger(redemption)), 2)

    def test_cancel_draft_posts_nothing(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 1)])
        redemption.with_user(self.staff_a).action_cancel()
        self.assertEqual(redemption.state, "cancel")
        self.assertFalse(self._ledger(redemption))
        with self.assertRaises(UserError):
            redemption.with_user(self.staff_a).action_confirm()

    def test_cancel_after_hand_over_refused(self):
        redemption = self._handed_over()
        with self.assertRaisesRegex(UserError, "return the goods"):
            redemption.with_user(self.staff_a).action_cancel()
        self.assertEqual(redemption.state, "done")
        self.assertAlmostEqual(self._goods(self.account_a), 6.0)

    def test_inventory_cannot_cancel_or_return_behind_the_order(self):
        redemption = self._confirmed()
        with self.assertRaisesRegex(UserError, "cancel the redemption"):
            redemption.picking_id.with_user(self.staff_a).action_cancel()
        self.assertEqual(redemption.picking_id.state, "assigned")
        redemption.with_user(self.staff_a).action_hand_over()
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.staff_a)
            .with_context(
                active_id=redemption.picking_id.id, active_model="stock.picking"
            )
            .create({"picking_id": redemption.picking_id.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        with self.assertRaisesRegex(UserError, "return them from the redemption"):
            wizard.action_create_returns()
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 8)

    def _return(self, redemption, quantities, user=None):
        """Return goods as the form opened by the Return button does."""
        user = user or self.staff_a
        action = redemption.with_user(user).action_return()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                line.quantity = quantities.get(line.product_id, 0.0)
        ret = form.save()
        ret.action_confirm()
        return ret

    def test_full_return_restores_stock_and_hours(self):
        redemption = self._handed_over()
        ret = self._return(redemption, {self.rice: 2, self.oil: 1})
        self.assertTrue(ret.name.startswith("RRT/"))
        self.assertEqual(ret.state, "done")
        self.assertEqual(ret.total_hours, 14.0)
        self.assertEqual(redemption.state, "returned")
        self.assertEqual(redemption.returned_hours, 14.0)
        picking = ret.picking_id
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.location_dest_id, self.outlet_a.lot_stock_id)
        self.assertEqual(picking.return_id, redemption.picking_id)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 3)
        self.assertAlmostEqual(self._goods(self.account_a), 20.0)
        credit = self.env["timebank.ledger.line"].search(
            [("res_model", "=", "timebank.redemption.return"), ("res_id", "=", ret.id)]
        )
        self.assertRecordValues(
            credit, [{"hours": 14.0, "kind": "reversal", "bucket": "goods"}]
        )
        self.assertBalanceIsSumOfLines(self.account_a)
        with self.assertRaisesRegex(UserError, "return"):
            redemption.with_user(self.staff_a).action_return()

    def test_partial_returns(self):
        redemption = self._handed_over([(self.rice, 2), (self.oil, 2)])
        self.assertAlmostEqual(self._goods(self.account_a), 2.0)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 8)
        first = self._return(redemption, {self.rice: 1})
        self.assertEqual(first.total_hours, 5.0)
        self.assertEqual(len(first.line_ids), 1, "lines returning nothing dropped")
        self.assertEqual(redemption.state, "partial_return")
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 9)
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 1)
        self.assertAlmostEqual(self._goods(self.account_a), 7.0)
        rice_line = redemption.line_ids.filtered(lambda x: x.product_id == self.rice)
        self.assertEqual(rice_line.qty_returned, 1)
        self.assertEqual(rice_line.qty_returnable, 1)
        # more than what is left to return
        with self.assertRaisesRegex(UserError, "can still be returned"):
            self._return(redemption, {self.rice: 2})
        with self.assertRaisesRegex(UserError, "at least one"):
            self._return(redemption, {})
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 9)
        self.assertAlmostEqual(self._goods(self.account_a), 7.0)
        second = self._return(redemption, {self.rice: 1, self.oil: 2})
        self.assertEqual(second.total_hours, 13.0)
        self.assertEqual(redemption.state, "returned")
        self.assertEqual(redemption.returned_hours, 18.0)
        self.assertEqual(self._qty_at(self.rice, self.outlet_a), 10)
        self.assertEqual(self._qty_at(self.oil, self.outlet_a), 3)
        self.assertAlmostEqual(self._goods(self.account_a), 20.0)
        self.assertBalanceIsSumOfLines(self.account_a)

    def test_return_before_hand_over_refused(self):
        redemption = self._confirmed()
        with self.assertRaisesRegex(UserError, "return"):
            redemption.with_user(self.staff_a).action_return()

    # ------------------------------------------------------------------
    # bad input: translated errors, nothing posted, no picking left behind
    # ------------------------------------------------------------------

    def _free_before(self):
        return [
            (self.rice, self.outlet_a, self._free_at(self.rice, self.outlet_a)),
            (self.oil, self.outlet_a, self._free_at(self.oil, self.outlet_a)),
        ]

    def test_not_enough_hours(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 4), (self.oil, 1)])
        self.assertEqual(redemption.total_hours, 24.0)
        free = self._free_before()
        with self.assertRaisesRegex(UserError, "Not enough goods-exchangeable hours"):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)

    def test_not_enough_hours_checked_by_the_ledger_lock(self):
        """The posting under the account lock refuses even if the early check
        is skipped (it reads the balance without a lock)."""
        redemption = self._redemption(self.staff_a, [(self.rice, 4), (self.oil, 1)])
        free = self._free_before()
        with (
            patch.object(type(self.env["timebank.redemption"]), "_check_goods_balance"),
            self.assertRaisesRegex(UserError, "Not enough hours"),
        ):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)

    def test_not_enough_stock(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 1), (self.oil, 3)])
        self.oil.timebank_hour_price = 1.0
        self.env["stock.quant"]._update_available_quantity(
            self.oil, self.outlet_a.lot_stock_id, -1
        )
        free = self._free_before()
        with self.assertRaisesRegex(UserError, "Not enough Cooking Oil"):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)

    def test_stock_of_another_outlet_does_not_count(self):
        self._settle(self.volunteer_b, 10.0)
        redemption = self._redemption(
            self.staff_b,
            [(self.oil, 1)],
            volunteer=self.volunteer_b,
            outlet=self.outlet_b,
        )
        with self.assertRaisesRegex(UserError, "Not enough Cooking Oil"):
            redemption.with_user(self.staff_b).action_confirm()
        self.assertNothingDone(redemption, self.account_b, 30.0, [])

    def test_reserved_goods_are_not_free(self):
        self._confirmed([(self.oil, 2)])
        redemption = self._redemption(self.staff_a, [(self.oil, 2)])
        free = self._free_before()
        self.assertEqual(free[1][2], 1)
        with self.assertRaisesRegex(UserError, "Not enough Cooking Oil"):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 12.0, free)

    def test_two_orders_together_cannot_oversell(self):
        first = self._redemption(self.staff_a, [(self.oil, 2)])
        second = self._redemption(self.staff_a, [(self.oil, 2)])
        free = self._free_before()
        with self.assertRaisesRegex(UserError, "4.0 requested, 3.0 available"):
            (first | second).with_user(self.staff_a).action_confirm()
        self.assertNothingDone(first, self.account_a, 20.0, free)
        self.assertNothingDone(second, self.account_a, 20.0, free)

    def test_product_not_exchangeable(self):
        redemption = self._redemption(self.staff_a, [(self.rice, 1), (self.soap, 1)])
        free = self._free_before()
        with self.assertRaisesRegex(UserError, "Plain Soap cannot be exchanged"):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)
        # exchangeable when drafted, withdrawn from the catalog before confirming
        redemption = self._redemption(self.staff_a, [(self.oil, 1)])
        self.oil.timebank_exchangeable = False
        with self.assertRaisesRegex(UserError, "Cooking Oil 1.8L cannot be exchanged"):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)

    def test_zero_or_negative_quantity(self):
        for qty in (0, -1):
            redemption = self._redemption(
                self.staff_a, [(self.rice, 1), (self.oil, qty)]
            )
            free = self._free_before()
            with self.assertRaisesRegex(UserError, "must be greater than zero"):
                redemption.with_user(self.staff_a).action_confirm()
            self.assertNothingDone(redemption, self.account_a, 20.0, free)
        empty = self._redemption(self.staff_a, [])
        with self.assertRaisesRegex(UserError, "no goods"):
            empty.with_user(self.staff_a).action_confirm()

    def test_outlet_outside_scope(self):
        with self.assertRaises(AccessError):
            self._redemption(self.staff_a, [(self.rice, 1)], outlet=self.outlet_b)
        redemption_b = self._redemption(
            self.staff_b,
            [(self.rice, 1)],
            volunteer=self.volunteer_b,
            outlet=self.outlet_b,
        )
        with self.assertRaises(AccessError):
            redemption_b.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(
            redemption_b,
            self.account_b,
            20.0,
            [(self.rice, self.outlet_b, 4)],
        )

    def test_goods_not_all_reserved_rolls_back(self):
        """If Inventory cannot reserve everything, nothing is kept."""
        redemption = self._redemption(self.staff_a, [(self.rice, 1), (self.oil, 3)])
        self.oil.timebank_hour_price = 1.0
        self.env["stock.quant"]._update_available_quantity(
            self.oil, self.outlet_a.lot_stock_id, -1
        )
        free = self._free_before()
        # availability lies: the reservation itself must catch it
        with (
            patch.object(
                TimebankExchangeOutlet,
                "_get_free_qty",
                lambda outlet, products: dict.fromkeys(products, 100.0),
            ),
            self.assertRaisesRegex(UserError, "could not be reserved"),
        ):
            redemption.with_user(self.staff_a).action_confirm()
        self.assertNothingDone(redemption, self.account_a, 20.0, free)

    # ------------------------------------------------------------------
    # record rules
    # ------------------------------------------------------------------

    def test_outlet_staff_see_only_their_outlet(self):
        mine = self._confirmed()
        self._settle(self.volunteer_b, 5.0)
        other = self._redemption(
            self.staff_b,
            [(self.rice, 1)],
            volunteer=self.volunteer_b,
            outlet=self.outlet_b,
        )
        both = mine | other
        Redemption = self.env["timebank.redemption"]
        self.assertEqual(
            Redemption.with_user(self.staff_a).search([("id", "in", both.ids)]), mine
        )
        self.assertEqual(
            Redemption.with_user(self.staff_b).search([("id", "in", both.ids)]), other
        )
        with self.assertRaises(AccessError):
            other.with_user(self.staff_a).read(["name"])
        with self.assertRaises(AccessError):
            other.line_ids.with_user(self.staff_a).read(["quantity"])
        with self.assertRaises(AccessError):
            other.with_user(self.staff_a).write({"note": "not mine"})
        Line = self.env["timebank.redemption.line"]
        self.assertEqual(
            Line.with_user(self.staff_a).search([("redemption_id", "in", both.ids)]),
            mine.line_ids,
        )
        # the inventory manager sees and runs every outlet
        self.assertEqual(
            Redemption.with_user(self.manager).search([("id", "in", both.ids)]), both
        )
        other.with_user(self.manager).action_confirm()
        other.with_user(self.manager).action_hand_over()
        self.assertEqual(other.state, "done")
        self.assertEqual(self._qty_at(self.rice, self.outlet_b), 3)
        mine.with_user(self.manager).action_cancel()
        self.assertAlmostEqual(self._goods(self.account_a), 20.0)

    def test_explicit_outlet_staff_and_returns_scope(self):
        redemption = self._handed_over([(self.rice, 1)])
        ret = self._return(redemption, {self.rice: 1})
        with self.assertRaises(AccessError):
            ret.with_user(self.staff_b).read(["name"])
        self.outlet_a.user_ids = [Command.link(self.staff_b.id)]
        redemption.with_user(self.staff_b).read(["name"])
        ret.with_user(self.staff_b).read(["name"])

    def test_only_drafts_can_be_deleted(self):
        redemption = self._confirmed([(self.rice, 1)])
        with self.assertRaises(UserError):
            redemption.with_user(self.manager).unlink()
        draft = self._redemption(self.staff_a, [(self.rice, 1)])
        draft.with_user(self.staff_a).unlink()
        self.assertFalse(draft.exists())

    def test_views_load_for_each_role(self):
        redemption = self._confirmed([(self.rice, 1)])
        auditor = self.env["res.users"].create(
            {
                "name": "Auditor A",
                "login": "tb_red_auditor_a",
                "groups_id": [
                    Command.set(
                        [self.env.ref("timebank_volunteer.group_timebank_auditor").id]
                    )
                ],
                "timebank_node_ids": [Command.set(self.town_a.ids)],
            }
        )
        spec = {
            "name": {},
            "state": {},
            "total_hours": {},
            "volunteer_id": {"fields": {"display_name": {}}},
            "outlet_id": {"fields": {"display_name": {}}},
            "line_ids": {"fields": {"product_id": {"fields": {"display_name": {}}}}},
        }
        for user in (self.staff_a, self.manager, auditor):
            Redemption = self.env["timebank.redemption"].with_user(user)
            for model in ("timebank.redemption", "timebank.redemption.line"):
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, "list"), (False, "form"), (False, "search")])
                )
                self.assertTrue(views["views"]["form"]["arch"])
            Redemption.browse(redemption.id).web_read(spec)
        self.env["timebank.redemption.line"].with_user(self.manager).get_views(
            [(False, "pivot"), (False, "graph")]
        )
        # the inventory manager sees the volunteer's name, not the volunteer
        data = redemption.with_user(self.manager).web_read(spec)[0]
        self.assertEqual(data["volunteer_id"]["display_name"], "Volunteer Liu")
        with self.assertRaises(AccessError):
            redemption.with_user(auditor).action_hand_over()

    def test_posted_documents_are_locked(self):
        redemption = self._handed_over([(self.rice, 2)])
        with self.assertRaisesRegex(UserError, "no longer a draft"):
            redemption.with_user(self.staff_a).volunteer_id = self.volunteer_b
        with self.assertRaisesRegex(UserError, "no longer a draft"):
            redemption.line_ids.with_user(self.staff_a).hour_price = 0.5
        ret = self._return(redemption, {self.rice: 1})
        with self.assertRaisesRegex(UserError, "already processed"):
            ret.line_ids.with_user(self.staff_a).quantity = 2
        with self.assertRaisesRegex(UserError, "already processed"):
            ret.with_user(self.staff_a).action_confirm()
        with self.assertRaises(UserError):
            ret.line_ids.with_user(self.staff_a).unlink()
        self.assertEqual(redemption.line_ids.qty_returned, 1)
        self.assertAlmostEqual(self._goods(self.account_a), 15.0)
