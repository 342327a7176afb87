# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from ast import literal_eval

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimebankExchangeCase


@tagged("post_install", "-at_install")
class TestExchangeCatalog(TimebankExchangeCase):
    def test_exchangeable_needs_an_hour_price(self):
        Template = self.env["product.template"].with_user(self.manager)
        with self.assertRaises(ValidationError):
            Template.create(
                {
                    "name": "Towel",
                    "type": "consu",
                    "is_storable": True,
                    "timebank_exchangeable": True,
                }
            )
        self.assertFalse(
            self.env["product.template"].search([("name", "=", "Towel")]),
        )
        with self.assertRaises(ValidationError):
            self.rice.product_tmpl_id.with_user(self.manager).timebank_hour_price = 0

    def test_exchangeable_must_be_stored(self):
        with self.assertRaises(ValidationError):
            self.env["product.template"].create(
                {
                    "name": "Haircut voucher",
                    "type": "service",
                    "timebank_exchangeable": True,
                    "timebank_hour_price": 1.0,
                }
            )

    def test_negative_hour_price_refused(self):
        with self.assertRaises(ValidationError):
            self.env["product.template"].create(
                {"name": "Broom", "type": "consu", "timebank_hour_price": -1.0}
            )

    def test_plain_stock_product_is_not_in_catalog(self):
        vest = self.env["product.template"].create(
            {"name": "Volunteer Vest", "type": "consu", "is_storable": True}
        )
        self.assertFalse(vest.timebank_exchangeable)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "timebank_exchange.action_timebank_catalog"
        )
        catalog = self.env["product.template"].search(literal_eval(action["domain"]))
        self.assertIn(self.rice.product_tmpl_id, catalog)
        self.assertNotIn(vest, catalog)
