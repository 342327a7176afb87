# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
{
    "name": "Time Bank: Exchange",
    "summary": "Exchange stored hours for goods in Odoo Inventory; donations",
    "version": "18.0.1.0.0",
    "category": "Services/Time Bank",
    "author": "Time Bank contributors",
    "website": "https://github.com/timebank-taierzhuang/timebank",
    "license": "LGPL-3",
    "depends": ["timebank_volunteer", "stock"],
    "data": [
        "security/timebank_exchange_security.xml",
        "security/ir.model.access.csv",
        "data/stock_location_data.xml",
        "data/ir_sequence_data.xml",
        "views/timebank_exchange_outlet_views.xml",
        "views/timebank_donation_views.xml",
        "views/product_template_views.xml",
        "views/stock_quant_views.xml",
        "views/stock_warehouse_orderpoint_views.xml",
        "views/stock_picking_views.xml",
        "views/menus.xml",
        "security/timebank_redemption_security.xml",
        "data/timebank_redemption_data.xml",
        "views/timebank_redemption_views.xml",
        "report/timebank_redemption_report.xml",
        "report/timebank_redemption_report_templates.xml",
    ],
    "demo": [
        "demo/timebank_exchange_demo.xml",
        "demo/timebank_redemption_demo.xml",
    ],
}
