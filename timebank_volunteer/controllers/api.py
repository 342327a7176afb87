# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""JSON API of the 12349 elderly-care platform (``/timebank/api/v1``).

Every call is authenticated with ``Authorization: Bearer <API key>`` of an
integration user and runs as that user: the record rules of its time-bank
nodes decide what it sees and changes, never ``sudo``. The OpenAPI document
is ``static/openapi/timebank-api-v1.json``.
"""

import hashlib
import json
from datetime import UTC, datetime

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools.misc import file_path

API_PREFIX = "/timebank/api/v1"
MAX_BODY_BYTES = 64 * 1024
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
API_GROUPS = (
    "timebank_volunteer.group_timebank_operator",
    "timebank_volunteer.group_timebank_auditor",
)
NEED_CREATE_FIELDS = {
    "recipient_id",
    "service_type_id",
    "date_start",
    "date_end",
    "channel",
    "urgency",
    "note",
}
NEED_UPDATE_FIELDS = {"date_start", "date_end", "urgency", "note", "state"}
NEED_STATE_ACTIONS = {"cancelled": "action_cancel"}
RECORD_CREATE_FIELDS = {
    "volunteer_id",
    "recipient_id",
    "service_type_id",
    "date_start",
    "date_end",
    "note",
}
REFERENCES = {
    "recipient_id": "timebank.recipient",
    "volunteer_id": "timebank.volunteer",
    "service_type_id": "timebank.service.type",
}
DATE_FIELDS = ("date_start", "date_end")


def api_route(path, methods, **kwargs):
    """Route of the 12349 API: JSON over plain HTTP, authenticated by the API
    key in ``_call`` (hence ``auth='none'`` and no CSRF token), no session."""
    return http.route(
        f"{API_PREFIX}{path}",
        type="http",
        auth="none",
        csrf=False,
        methods=methods,
        save_session=False,
        **kwargs,
    )


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _m2o(record):
    return {"id": record.id, "name": record.display_name} if record else None


def _dt(value):
    return value and value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


class TimebankApi(http.Controller):
    # ------------------------------------------------------------------
    # Plumbing
    # ------------------------------------------------------------------

    def _error(self, status, code, message):
        return request.make_json_response(
            {"error": {"code": code, "message": message}}, status=status
        )

    def _set_lang(self, env):
        installed = {code for code, _name in env["res.lang"].get_installed()}
        header = request.httprequest.headers.get("Accept-Language", "")
        for part in header.split(","):
            tag = part.split(";")[0].strip().replace("-", "_")
            for code in (tag, tag.split("_")[0]):
                match = next(
                    (lang for lang in installed if lang.lower() == code.lower()), None
                )
                if match:
                    return match
        return env.user.lang

    def _authenticate(self):
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, key = header.partition(" ")
        key = key.strip()
        uid = None
        if scheme.lower() == "bearer" and key:
            uid = request.env["res.users.apikeys"]._check_credentials(
                scope="rpc", key=key
            )
        if not uid:
            raise ApiError(
                401,
                "unauthorized",
                request.env._("A valid API key is required (Authorization: Bearer)."),
            )
        request.update_env(user=uid)
        request.update_context(lang=self._set_lang(request.env))
        user = request.env.user
        if not any(user.has_group(group) for group in API_GROUPS):
            raise ApiError(
                403,
                "forbidden",
                request.env._("This user may not use the time bank API."),
            )
        return request.env

    def _read_body(self):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY_BYTES:
            raise ApiError(
                413,
                "payload_too_large",
                request.env._(
                    "The request body is larger than %(limit)s bytes.",
                    limit=MAX_BODY_BYTES,
                ),
            )
        data = httprequest.get_data(cache=True)
        if len(data) > MAX_BODY_BYTES:
            raise ApiError(
                413,
                "payload_too_large",
                request.env._(
                    "The request body is larger than %(limit)s bytes.",
                    limit=MAX_BODY_BYTES,
                ),
            )
        return data

    def _parse_json(self, data):
        try:
            body = json.loads(data or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(
                400,
                "malformed_json",
                request.env._("The request body must be a JSON object."),
            )
        return body

    def _call(self, handler, *args, write=False):
        """Run ``handler`` for an authenticated user and turn its result or
        its error into a JSON response. Business errors roll back to a
        savepoint, so a refused write leaves nothing behind."""
        header_lang = self._set_lang(request.env)
        if header_lang:
            request.update_context(lang=header_lang)
        try:
            data = self._read_body()
            env = self._authenticate()
            body = self._parse_json(data) if write else {}
            key = request.httprequest.headers.get("Idempotency-Key", "").strip()
            if write and key:
                return self._idempotent(env, key, data, handler, body, *args)
            status, payload = self._run(env, handler, body, *args)
        except ApiError as error:
            return self._error(error.status, error.code, error.message)
        return request.make_json_response(payload, status=status)

    def _run(self, env, handler, body, *args):
        try:
            with env.cr.savepoint():
                return handler(env, body, *args)
        except ApiError as error:
            status, payload = (
                error.status,
                {"error": {"code": error.code, "message": error.message}},
            )
        except (AccessError, MissingError) as error:
            code = "not_found" if isinstance(error, MissingError) else "forbidden"
            status = 404 if code == "not_found" else 403
            payload = {"error": {"code": code, "message": str(error.args[0])}}
        except (ValidationError, UserError) as error:
            payload = {"error": {"code": "invalid_value", "message": error.args[0]}}
            status = 400
        env.invalidate_all()
        return status, payload

    def _idempotent(self, env, key, data, handler, body, *args):
        httprequest = request.httprequest
        digest = hashlib.sha256(
            b"\n".join([httprequest.method.encode(), httprequest.path.encode(), data])
        ).hexdigest()
        # sudo: the idempotency log is bookkeeping of the API itself, always
        # filtered on the authenticated user below; it holds no business data
        Idempotency = env["timebank.api.idempotency"].sudo()
        claim = Idempotency._claim(env.uid, key, digest)
        if not claim:
            stored = Idempotency.search(
                [("user_id", "=", env.uid), ("key", "=", key)], limit=1
            )
            if stored.request_hash != digest:
                raise ApiError(
                    409,
                    "idempotency_conflict",
                    env._("This Idempotency-Key was already used for another request."),
                )
            return request.make_json_response(
                json.loads(stored.response_body),
                status=stored.response_status,
                headers=[("Idempotent-Replayed", "true")],
            )
        status, payload = self._run(env, handler, body, *args)
        claim.write(
            {
                "response_status": status,
                "response_body": json.dumps(payload, ensure_ascii=False),
            }
        )
        return request.make_json_response(payload, status=status)

    # ------------------------------------------------------------------
    # Helpers for handlers
    # ------------------------------------------------------------------

    def _get(self, env, model, record_id):
        """The record if the user may read it, else 404: a record outside
        the user's scope is reported exactly like a missing one."""
        record = env[model].browse(record_id)._filtered_access("read")
        if not record:
            raise ApiError(
                404,
                "not_found",
                env._("No such record: %(model)s %(id)s.", model=model, id=record_id),
            )
        return record

    def _check_fields(self, env, body, allowed, required=()):
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise ApiError(
                400,
                "unknown_field",
                env._("Unknown fields: %(fields)s.", fields=", ".join(unknown)),
            )
        missing = [name for name in required if name not in body]
        if missing:
            raise ApiError(
                400,
                "missing_field",
                env._("Missing fields: %(fields)s.", fields=", ".join(missing)),
            )

    def _invalid(self, env, field):
        return ApiError(
            400,
            "invalid_value",
            env._("Invalid value for %(field)s.", field=field),
        )

    def _convert(self, env, body):
        """JSON values to ORM values: ISO 8601 dates to naive UTC, references
        to ids the user can read (an unreadable one is reported as invalid,
        like a missing one)."""
        vals = {}
        for name, value in body.items():
            if name in DATE_FIELDS:
                if not isinstance(value, str):
                    raise self._invalid(env, name)
                try:
                    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError as error:
                    raise self._invalid(env, name) from error
                if moment.tzinfo:
                    moment = moment.astimezone(UTC).replace(tzinfo=None)
                vals[name] = moment
            elif name in REFERENCES:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise self._invalid(env, name)
                record = env[REFERENCES[name]].browse(value)._filtered_access("read")
                if not record:
                    raise self._invalid(env, name)
                vals[name] = record.id
            elif name in ("channel", "urgency", "state"):
                model = env["timebank.service.request"]
                if name != "state":
                    choices = dict(model._fields[name]._description_selection(env))
                    if value not in choices:
                        raise self._invalid(env, name)
                vals[name] = value
            else:
                if value is not None and not isinstance(value, str):
                    raise self._invalid(env, name)
                vals[name] = value or False
        return vals

    def _page(self, env):
        args = request.httprequest.args
        try:
            page = int(args.get("page", 1))
            limit = int(args.get("limit", DEFAULT_PAGE_SIZE))
        except ValueError as error:
            raise self._invalid(env, "page") from error
        if page < 1:
            raise self._invalid(env, "page")
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ApiError(
                400,
                "invalid_value",
                env._("limit must be between 1 and %(max)s.", max=MAX_PAGE_SIZE),
            )
        return page, limit

    def _list(self, env, model, domain, serializer, order=None):
        page, limit = self._page(env)
        Model = env[model]
        records = Model.search(
            domain, limit=limit, offset=(page - 1) * limit, order=order
        )
        return 200, {
            "items": [serializer(record) for record in records],
            "page": page,
            "limit": limit,
            "total": Model.search_count(domain),
        }

    def _node_domain(self, env):
        node = request.httprequest.args.get("node")
        if not node:
            return []
        try:
            node_id = int(node)
        except ValueError as error:
            raise self._invalid(env, "node") from error
        node = self._get(env, "timebank.node", node_id)
        return [
            "|",
            ("node_id", "child_of", node.id),
            ("station_id", "child_of", node.id),
        ]

    # ------------------------------------------------------------------
    # Serializers
    # ------------------------------------------------------------------

    def _need_json(self, need):
        return {
            "id": need.id,
            "name": need.name,
            "state": need.state,
            "recipient": _m2o(need.recipient_id),
            "service_type": _m2o(need.service_type_id),
            "node": _m2o(need.node_id),
            "channel": need.channel,
            "urgency": need.urgency,
            "date_start": _dt(need.date_start),
            "date_end": _dt(need.date_end),
            "volunteer": _m2o(need.volunteer_id),
            "note": need.note or "",
        }

    def _record_json(self, record):
        return {
            "id": record.id,
            "name": record.name,
            "state": record.state,
            "volunteer": _m2o(record.volunteer_id),
            "recipient": _m2o(record.recipient_id),
            "service_type": _m2o(record.service_type_id),
            "node": _m2o(record.node_id),
            "date_start": _dt(record.date_start),
            "date_end": _dt(record.date_end),
            "duration": record.duration,
            "note": record.note or "",
        }

    def _person_json(self, person):
        return {
            "id": person.id,
            "name": person.name,
            "node": _m2o(person.node_id),
            "station": _m2o(person.station_id),
        }

    # ------------------------------------------------------------------
    # Handlers: (env, body, *path args) -> (status, payload)
    # ------------------------------------------------------------------

    def _needs_create(self, env, body):
        self._check_fields(
            env,
            body,
            NEED_CREATE_FIELDS,
            ("recipient_id", "service_type_id", "date_start", "date_end"),
        )
        need = env["timebank.service.request"].create(self._convert(env, body))
        return 201, self._need_json(need)

    def _needs_list(self, env, body):
        domain = []
        state = request.httprequest.args.get("state")
        if state:
            states = dict(
                env["timebank.service.request"]._fields["state"].selection
            ).keys()
            if state not in states:
                raise self._invalid(env, "state")
            domain.append(("state", "=", state))
        return self._list(
            env, "timebank.service.request", domain, self._need_json, order="id desc"
        )

    def _needs_update(self, env, body, need_id):
        need = self._get(env, "timebank.service.request", need_id)
        self._check_fields(env, body, NEED_UPDATE_FIELDS)
        vals = self._convert(env, body)
        state = vals.pop("state", None)
        if state is not None and state != need.state:
            if state not in NEED_STATE_ACTIONS:
                raise self._invalid(env, "state")
        if vals:
            need.write(vals)
        if state is not None and state != need.state:
            getattr(need, NEED_STATE_ACTIONS[state])()
        return 200, self._need_json(need)

    def _records_create(self, env, body):
        self._check_fields(
            env,
            body,
            RECORD_CREATE_FIELDS,
            (
                "volunteer_id",
                "recipient_id",
                "service_type_id",
                "date_start",
                "date_end",
            ),
        )
        record = env["timebank.service.record"].create(self._convert(env, body))
        record.action_submit()
        return 201, self._record_json(record)

    def _volunteer_balances(self, env, body, volunteer_id):
        volunteer = self._get(env, "timebank.volunteer", volunteer_id)
        return 200, {
            "volunteer": _m2o(volunteer),
            "balance_unsettled": volunteer.balance_unsettled,
            "balance_goods": volunteer.balance_goods,
            "balance_reserve": volunteer.balance_reserve,
            "balance_total": volunteer.balance_total,
            "hold_hours": volunteer.hold_hours,
            "available_reserve": volunteer.available_reserve,
        }

    def _volunteer_passbook(self, env, body, volunteer_id):
        volunteer = self._get(env, "timebank.volunteer", volunteer_id)

        def line_json(line):
            return {
                "sequence": line.sequence,
                "date": _dt(line.date),
                "hours": line.hours,
                "bucket": line.bucket,
                "kind": line.kind,
                "description": line.name or "",
                "running_balance": line.running_balance,
            }

        return self._list(
            env,
            "timebank.ledger.line",
            [("volunteer_id", "=", volunteer.id)],
            line_json,
            order="sequence desc, id desc",
        )

    def _volunteers_list(self, env, body):
        return self._list(
            env,
            "timebank.volunteer",
            self._node_domain(env),
            self._person_json,
            order="id",
        )

    def _recipients_list(self, env, body):
        return self._list(
            env,
            "timebank.recipient",
            self._node_domain(env),
            self._person_json,
            order="id",
        )

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @api_route(
        "/needs",
        ["GET", "POST"],
        readonly=lambda _self: request.httprequest.method == "GET",
    )
    def api_needs(self, **kwargs):
        if request.httprequest.method == "POST":
            return self._call(self._needs_create, write=True)
        return self._call(self._needs_list)

    @api_route("/needs/<int:need_id>", ["PATCH"], readonly=False)
    def api_need_update(self, need_id, **kwargs):
        return self._call(self._needs_update, need_id, write=True)

    @api_route("/service-records", ["POST"], readonly=False)
    def api_service_records(self, **kwargs):
        return self._call(self._records_create, write=True)

    @api_route("/volunteers/<int:volunteer_id>/balances", ["GET"])
    def api_volunteer_balances(self, volunteer_id, **kwargs):
        return self._call(self._volunteer_balances, volunteer_id)

    @api_route("/volunteers/<int:volunteer_id>/passbook", ["GET"])
    def api_volunteer_passbook(self, volunteer_id, **kwargs):
        return self._call(self._volunteer_passbook, volunteer_id)

    @api_route("/volunteers", ["GET"])
    def api_volunteers(self, **kwargs):
        return self._call(self._volunteers_list)

    @api_route("/recipients", ["GET"])
    def api_recipients(self, **kwargs):
        return self._call(self._recipients_list)

    @api_route("/openapi.json", ["GET"])
    def api_openapi(self, **kwargs):
        path = file_path("timebank_volunteer/static/openapi/timebank-api-v1.json")
        with open(path, "rb") as document:
            return request.make_response(
                document.read(), headers=[("Content-Type", "application/json")]
            )
