/** @odoo-module */
// Copyright 2026 Time Bank contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("timebank_portal_tour", {
    url: "/my/timebank",
    steps: () => [
        {
            content: "The volunteer sees their own service reserve",
            trigger: ".o_timebank_balance_reserve:contains(7.50)",
        },
        {
            content: "Accept the request dispatched to them",
            trigger: ".o_timebank_request form[action$='/accept'] button",
            run: "click",
        },
        {
            content: "Once accepted, the request can be checked in",
            trigger: ".o_timebank_request form[action$='/checkin'] button",
        },
    ],
});
