# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
{
    "name": "Time Bank: Volunteers",
    "summary": "Volunteer time bank: bank tree, people, service hours, ledger",
    "version": "18.0.1.0.0",
    "category": "Services/Time Bank",
    "author": "Time Bank contributors",
    "website": "https://github.com/timebank-taierzhuang/timebank",
    "license": "LGPL-3",
    "depends": ["mail", "phone_validation", "base_import"],
    "data": [
        "security/timebank_security.xml",
        "security/ir.model.access.csv",
        "data/timebank_priority_group_data.xml",
        "data/timebank_service_wish_data.xml",
        "views/timebank_node_views.xml",
        "views/timebank_volunteer_views.xml",
        "views/timebank_recipient_views.xml",
        "views/res_users_views.xml",
        "views/timebank_training_views.xml",
        "views/timebank_config_views.xml",
        "views/res_partner_views.xml",
        "data/timebank_service_data.xml",
        "views/timebank_service_category_views.xml",
        "views/timebank_service_type_views.xml",
        "views/timebank_service_record_views.xml",
        "views/timebank_account_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/timebank_node_demo.xml",
        "demo/timebank_node_demo_sub.xml",
        "demo/timebank_person_demo.xml",
        "demo/timebank_user_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "timebank_volunteer/static/tests/tours/*.js",
        ],
    },
    "application": True,
}
