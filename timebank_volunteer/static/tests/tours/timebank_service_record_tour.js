/** @odoo-module */
// Copyright 2026 Time Bank contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("timebank_service_record_tour", {
    url: "/odoo/action-timebank_volunteer.timebank_service_record_action",
    steps: () => [
        {
            content: "Record a new service",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=volunteer_id] input",
            run: "edit Tour Volunteer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item > a:contains(Tour Volunteer)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=recipient_id] input",
            run: "edit Tour Grandma",
        },
        {
            trigger: ".o-autocomplete--dropdown-item > a:contains(Tour Grandma)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=service_type_id] input",
            run: "edit Pipe",
        },
        {
            trigger: ".o-autocomplete--dropdown-item > a:contains(Pipe Dredging)",
            run: "click",
        },
        {
            content: "The sub-branch comes from the volunteer",
            trigger: ".o_field_widget[name=node_id] input:value(Tour Village)",
        },
        {
            trigger: ".o_field_widget[name=date_start] input",
            run: "edit 01/05/2026 09:00:00 && press Enter",
        },
        {
            trigger: ".o_field_widget[name=date_end] input",
            run: "edit 01/05/2026 11:00:00 && press Enter",
        },
        {
            content: "Technical service: 2 hours weigh 4",
            trigger: ".o_field_widget[name=weighted_hours]:contains(4.00)",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Upload the service (submit)",
            trigger: "button[name=action_submit]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Submitted)",
        },
        {
            content: "Nothing deposited yet",
            trigger: ".o_field_widget[name=volunteer_balance]:contains(0.00)",
        },
        {
            content: "Confirm: the hours are deposited",
            trigger: "button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Confirmed)",
        },
        {
            content: "The volunteer's balance changed",
            trigger: ".o_field_widget[name=volunteer_balance]:contains(4.00)",
        },
        {
            trigger: ".o_back_button a, .breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Volunteer):contains(Confirmed)",
        },
    ],
});
