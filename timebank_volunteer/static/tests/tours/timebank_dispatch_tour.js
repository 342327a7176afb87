/** @odoo-module */
// Copyright 2026 Time Bank contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("timebank_dispatch_tour", {
    url: "/odoo/action-timebank_volunteer.timebank_service_request_action",
    steps: () => [
        {
            content: "The need waits in the New column of the dispatch board",
            trigger: ".o_kanban_group:contains(New) .o_kanban_record:contains(Tour Grandma)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_open_dispatch_wizard]",
            run: "click",
        },
        {
            content: "The willing volunteer of the same village is suggested first",
            trigger: ".modal .o_data_row:first-child:contains(Tour Helper):contains(same village)",
        },
        {
            trigger: ".modal .o_data_row:contains(Tour Helper) button[name=action_assign]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Assigned)",
        },
        {
            trigger: ".o_form_view button[name=action_accept]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Accepted)",
        },
        {
            trigger: ".o_form_view button[name=action_done]",
            run: "click",
        },
        {
            content: "Done: the draft service record is linked",
            trigger: ".o_form_view button[name=action_open_record]",
        },
    ],
});
