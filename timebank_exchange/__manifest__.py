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
}
