# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Volunteer self-service portal (``/my/timebank``).

Records are always fetched as the portal user, so the portal record rules
(the volunteer's partner is the user's partner) decide what exists; only
then are they read or changed with ``sudo`` for display of related names
and for the staff actions the volunteer performs on their own records.
"""

from datetime import datetime
from urllib.parse import urlencode

import pytz
from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

PASSBOOK_LIMIT = 50


def portal_post_route(path):
    """Route of a form the volunteer's portal posts (logged-in user, website
    layout, CSRF token checked by Odoo)."""
    return http.route(path, type="http", auth="user", website=True, methods=["POST"])


class TimebankPortal(CustomerPortal):
    def _timebank_volunteer(self):
        """The portal user's own volunteer (record rules: own partner)."""
        if not request.env.user._is_portal():
            return request.env["timebank.volunteer"]
        return request.env["timebank.volunteer"].search(
            [("partner_id", "=", request.env.user.partner_id.id)], limit=1
        )

    def _timebank_family_recipients(self):
        """The elderly relatives the portal user is the family contact of
        (record rules: guardian partner is the user's partner)."""
        if not request.env.user._is_portal():
            return request.env["timebank.recipient"]
        return request.env["timebank.recipient"].search(
            [("guardian_partner_id", "=", request.env.user.partner_id.id)]
        )

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["timebank_volunteer"] = self._timebank_volunteer()
        values["timebank_family_recipients"] = self._timebank_family_recipients()
        return values

    def _timebank_own(self, model, record_id):
        """The record if the portal rules let the user read it, else 404
        (another volunteer's record looks exactly like a missing one)."""
        record = request.env[model].browse(record_id)
        try:
            record.check_access("read")
            record.ensure_one()
            if not record.exists():
                raise MissingError(model)
        except (AccessError, MissingError, ValueError) as error:
            raise NotFound() from error
        return record

    def _timebank_redirect(self, error=None, message=None):
        query = ""
        if error:
            query = "?" + urlencode({"error": error})
        elif message:
            query = "?" + urlencode({"message": message})
        return request.redirect("/my/timebank" + query)

    @http.route(
        ["/my/timebank"], type="http", auth="user", website=True, methods=["GET"]
    )
    def portal_my_timebank(self, error=None, message=None, **kwargs):
        volunteer = self._timebank_volunteer()
        family_recipients = self._timebank_family_recipients()
        if not volunteer and not family_recipients:
            raise NotFound()
        env = request.env
        # fetched as the portal user: the portal rules keep them to this
        # volunteer; sudo afterwards only to show names of related records
        lines = env["timebank.ledger.line"].search(
            [("volunteer_id", "=", volunteer.id)],
            order="sequence desc, id desc",
            limit=PASSBOOK_LIMIT,
        )
        requests_ = env["timebank.service.request"].search(
            [("volunteer_id", "=", volunteer.id)], order="date_start desc"
        )
        records = env["timebank.service.record"].search(
            [("volunteer_id", "=", volunteer.id)], limit=50
        )
        followups = env["timebank.followup"].search(
            [("volunteer_id", "=", volunteer.id), ("state", "=", "done")], limit=50
        )
        withdrawals = env["timebank.withdrawal"].search(
            [("volunteer_id", "=", volunteer.id)], limit=50
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "timebank",
                "volunteer": volunteer.sudo(),
                "passbook_lines": lines.sudo(),
                "service_requests": requests_.sudo(),
                "service_records": records.sudo(),
                "followups": followups.sudo(),
                "withdrawals": withdrawals.sudo(),
                "service_types": env["timebank.service.type"].sudo().search([]),
                # sudo: only this volunteer's registered family members
                "beneficiaries": env["timebank.beneficiary"]
                .sudo()
                .search([("volunteer_id", "=", volunteer.id)]),
                "family_recipients": family_recipients.sudo(),
                # sudo: the needs of the relatives found under the portal rules
                "family_needs": env["timebank.service.request"]
                .sudo()
                .search(
                    [("recipient_id", "in", family_recipients.ids)],
                    order="date_start desc",
                    limit=50,
                ),
                "error": error,
                "message": message,
            }
        )
        return request.render("timebank_volunteer.portal_my_timebank", values)

    def _timebank_request_action(self, request_id, action, **kwargs):
        service_request = self._timebank_own("timebank.service.request", request_id)
        volunteer = self._timebank_volunteer()
        if not volunteer or service_request.volunteer_id != volunteer:
            raise NotFound()
        try:
            with request.env.cr.savepoint():
                # sudo: the volunteer acts on a request dispatched to them,
                # checked by _timebank_own above; the action checks the state
                getattr(service_request.sudo(), action)(**kwargs)
        except (UserError, ValidationError) as error:
            return self._timebank_redirect(error=error.args[0])
        return self._timebank_redirect()

    @portal_post_route("/my/timebank/request/<int:request_id>/accept")
    def portal_timebank_accept(self, request_id, **kwargs):
        return self._timebank_request_action(request_id, "action_accept")

    @portal_post_route("/my/timebank/request/<int:request_id>/decline")
    def portal_timebank_decline(self, request_id, reason=None, **kwargs):
        return self._timebank_request_action(
            request_id, "action_decline", reason=(reason or "")[:200] or None
        )

    def _timebank_check(self, request_id, action, post):
        try:
            latitude = float(post.get("latitude") or 0.0)
            longitude = float(post.get("longitude") or 0.0)
        except ValueError:
            latitude = longitude = 0.0
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            latitude = longitude = 0.0
        return self._timebank_request_action(
            request_id, action, latitude=latitude, longitude=longitude
        )

    @portal_post_route("/my/timebank/request/<int:request_id>/checkin")
    def portal_timebank_checkin(self, request_id, **post):
        return self._timebank_check(request_id, "_check_in", post)

    @portal_post_route("/my/timebank/request/<int:request_id>/checkout")
    def portal_timebank_checkout(self, request_id, **post):
        return self._timebank_check(request_id, "_check_out", post)

    def _timebank_local_datetime(self, value):
        """A datetime-local value of the form, in the user's time zone, as
        naive UTC."""
        moment = datetime.fromisoformat(value)
        tz = pytz.timezone(request.env.user.tz or "Asia/Shanghai")
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    @portal_post_route("/my/timebank/need")
    def portal_timebank_need(self, **post):
        recipient = self._timebank_family_recipients().filtered(
            lambda r: str(r.id) == post.get("recipient_id")
        )
        if not recipient:
            raise NotFound()
        try:
            service_type = int(post.get("service_type_id") or 0)
            if (
                not request.env["timebank.service.type"]
                .sudo()
                .browse(service_type)
                .exists()
            ):
                raise ValueError(service_type)
            date_start = self._timebank_local_datetime(post.get("date_start") or "")
            date_end = self._timebank_local_datetime(post.get("date_end") or "")
        except ValueError:
            return self._timebank_redirect(
                error=request.env._("Please check the values you entered.")
            )
        try:
            with request.env.cr.savepoint():
                # sudo: the recipient is the user's relative (searched under
                # the portal rules); the request is forced to that recipient
                need = (
                    request.env["timebank.service.request"]
                    .sudo()
                    .create(
                        {
                            "recipient_id": recipient.id,
                            "service_type_id": service_type,
                            "date_start": date_start,
                            "date_end": date_end,
                            "channel": "family",
                            "note": (post.get("note") or "")[:2000],
                        }
                    )
                )
        except (UserError, ValidationError) as error:
            return self._timebank_redirect(error=error.args[0])
        return self._timebank_redirect(
            message=request.env._("Service request %(name)s sent.", name=need.name)
        )

    @portal_post_route("/my/timebank/withdrawal")
    def portal_timebank_withdrawal(self, **post):
        volunteer = self._timebank_volunteer()
        if not volunteer:
            raise NotFound()
        try:
            service_type = int(post.get("service_type_id") or 0)
            hours = float(post.get("estimated_hours") or 0)
            planned = (
                datetime.fromisoformat(post["date_planned"])
                if post.get("date_planned")
                else False
            )
            if (
                not request.env["timebank.service.type"]
                .sudo()
                .browse(service_type)
                .exists()
            ):
                raise ValueError(service_type)
        except ValueError:
            return self._timebank_redirect(
                error=request.env._("Please check the values you entered.")
            )
        # sudo: beneficiaries have no portal access; only the volunteer's own
        # (searched on the volunteer found under the portal rules) are offered
        beneficiaries = (
            request.env["timebank.beneficiary"]
            .sudo()
            .search([("volunteer_id", "=", volunteer.id)])
        )
        beneficiary = beneficiaries.filtered(
            lambda b: str(b.id) == post.get("beneficiary_id")
        )
        if post.get("beneficiary_id") and not beneficiary:
            raise NotFound()
        vals = {
            "volunteer_id": volunteer.id,
            "beneficiary_id": beneficiary.id,
            "service_type_id": service_type,
            "estimated_hours": hours,
            "date_planned": planned and fields.Datetime.to_string(planned),
            "note": (post.get("note") or "")[:2000],
        }
        try:
            with request.env.cr.savepoint():
                # sudo: the volunteer is the portal user's own (searched
                # under the portal rules); the withdrawal is forced to it and
                # the model's constraints check hours and reserve
                withdrawal = request.env["timebank.withdrawal"].sudo().create(vals)
                withdrawal.action_apply()
        except (UserError, ValidationError) as error:
            return self._timebank_redirect(error=error.args[0])
        return self._timebank_redirect(
            message=request.env._("Withdrawal %(name)s applied.", name=withdrawal.name)
        )
