# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import inspect
import json
import re
from datetime import timedelta

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import file_path

from ..controllers.api import API_PREFIX, TimebankApi
from .common_dispatch import MONDAY, TimebankDispatchCommon

try:
    from openapi_spec_validator import validate as validate_openapi
except ImportError:  # pragma: no cover - optional on the test machine
    validate_openapi = None


@tagged("post_install", "-at_install")
class TestApi(TimebankDispatchCommon, HttpCase):
    """The 12349 platform API over real HTTP, as an integration user that
    works for village V1 (so V2 and T2 are outside its scope)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env,
            login="tb_api_integration",
            groups="base.group_user,timebank_volunteer.group_timebank_operator",
            tz="UTC",
        )
        cls.integration.timebank_node_ids = cls.village1
        cls.key = cls._api_key(cls.integration)
        cls.volunteer1 = cls._volunteer(cls.village1, cls.station1, name="Xiao Wang")
        cls.volunteer2 = cls._volunteer(cls.village2, name="Xiao Chen")
        cls.outsider = cls.env["timebank.service.request"].create(
            {
                "recipient_id": cls.recipient2.id,
                "service_type_id": cls.meal.id,
                "date_start": MONDAY,
                "date_end": MONDAY + timedelta(hours=2),
            }
        )

    @classmethod
    def _api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate("rpc", "12349 platform", None)
        )

    def _api(self, method, path, body=None, key=None, headers=None, data=None):
        all_headers = {"Authorization": f"Bearer {key or self.key}"}
        if body is not None:
            data = json.dumps(body)
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if key is False:
            del all_headers["Authorization"]
        response = self.opener.request(
            method,
            self.base_url() + API_PREFIX + path,
            data=data,
            headers=all_headers,
            timeout=30,
        )
        return response.status_code, response.json()

    def _need_body(self, **vals):
        body = {
            "recipient_id": self.recipient1.id,
            "service_type_id": self.meal.id,
            "date_start": "2026-03-02T01:00:00Z",
            "date_end": "2026-03-02T03:00:00Z",
            "note": "Lunch for Grandma Zhao",
        }
        body.update(vals)
        return body

    def assertError(self, result, status, code):
        self.assertEqual(result[0], status, result[1])
        self.assertEqual(result[1]["error"]["code"], code)
        self.assertTrue(result[1]["error"]["message"])

    # ------------------------------------------------------------------
    # Authentication
    # ------------------------------------------------------------------

    def test_missing_wrong_and_revoked_key(self):
        self.assertError(self._api("GET", "/needs", key=False), 401, "unauthorized")
        self.assertError(self._api("GET", "/needs", key="0" * 40), 401, "unauthorized")
        self.assertError(
            self._api("GET", "/needs", headers={"Authorization": f"Basic {self.key}"}),
            401,
            "unauthorized",
        )
        self.assertEqual(self._api("GET", "/needs")[0], 200)
        # revoked: the key is removed by its owner
        self.env["res.users.apikeys"].sudo().search(
            [("user_id", "=", self.integration.id)]
        )._remove()
        self.assertError(self._api("GET", "/needs"), 401, "unauthorized")

    def test_user_without_time_bank_rights(self):
        nobody = new_test_user(
            self.env, login="tb_api_nobody", groups="base.group_user"
        )
        key = self._api_key(nobody)
        self.assertError(self._api("GET", "/needs", key=key), 403, "forbidden")

    # ------------------------------------------------------------------
    # Needs
    # ------------------------------------------------------------------

    def test_needs_create_list_update(self):
        status, need = self._api("POST", "/needs", self._need_body())
        self.assertEqual(status, 201, need)
        record = self.env["timebank.service.request"].browse(need["id"])
        self.assertEqual(record.recipient_id, self.recipient1)
        self.assertEqual(record.create_uid, self.integration)
        self.assertEqual(record.date_start, MONDAY)
        self.assertEqual(need["state"], "new")
        self.assertEqual(need["date_start"], "2026-03-02T01:00:00Z")

        status, page = self._api("GET", "/needs?state=new&limit=100")
        self.assertEqual(status, 200)
        ids = [item["id"] for item in page["items"]]
        self.assertIn(need["id"], ids)
        self.assertNotIn(self.outsider.id, ids, "a need outside the scope leaked")
        self.assertEqual(page["limit"], 100)
        status, page = self._api("GET", "/needs?state=cancelled")
        self.assertNotIn(need["id"], [item["id"] for item in page["items"]])

        status, updated = self._api(
            "PATCH", f"/needs/{need['id']}", {"note": "Soft food", "urgency": "urgent"}
        )
        self.assertEqual(status, 200, updated)
        self.assertEqual(record.note, "Soft food")
        self.assertEqual(record.urgency, "urgent")
        status, updated = self._api(
            "PATCH", f"/needs/{need['id']}", {"state": "cancelled"}
        )
        self.assertEqual(status, 200, updated)
        self.assertEqual(record.state, "cancelled")
        # a transition the API does not offer
        self.assertError(
            self._api("PATCH", f"/needs/{need['id']}", {"state": "done"}),
            400,
            "invalid_value",
        )

    def test_needs_pagination(self):
        for _i in range(3):
            self._request()
        status, page = self._api("GET", "/needs?limit=2&page=1")
        self.assertEqual(status, 200)
        self.assertEqual(len(page["items"]), 2)
        self.assertEqual(page["total"], 3)
        status, page2 = self._api("GET", "/needs?limit=2&page=2")
        self.assertEqual(len(page2["items"]), 1)
        self.assertError(self._api("GET", "/needs?limit=101"), 400, "invalid_value")
        self.assertError(self._api("GET", "/needs?page=0"), 400, "invalid_value")
        self.assertError(self._api("GET", "/needs?state=bogus"), 400, "invalid_value")

    def test_needs_bad_input(self):
        Request = self.env["timebank.service.request"]
        count = Request.search_count([])
        self.assertError(
            self._api("POST", "/needs", data="{not json"), 400, "malformed_json"
        )
        self.assertError(
            self._api("POST", "/needs", data="[1, 2]"), 400, "malformed_json"
        )
        self.assertError(
            self._api("POST", "/needs", self._need_body(state="done")),
            400,
            "unknown_field",
        )
        body = self._need_body()
        del body["date_end"]
        self.assertError(self._api("POST", "/needs", body), 400, "missing_field")
        self.assertError(
            self._api("POST", "/needs", self._need_body(date_start="tomorrow")),
            400,
            "invalid_value",
        )
        self.assertError(
            self._api("POST", "/needs", self._need_body(recipient_id="1")),
            400,
            "invalid_value",
        )
        # the model's own constraint: the window ends before it starts
        self.assertError(
            self._api(
                "POST", "/needs", self._need_body(date_end="2026-03-02T00:00:00Z")
            ),
            400,
            "invalid_value",
        )
        # a recipient outside the scope is not even acknowledged
        self.assertError(
            self._api(
                "POST", "/needs", self._need_body(recipient_id=self.recipient2.id)
            ),
            400,
            "invalid_value",
        )
        self.assertError(
            self._api("POST", "/needs", data=json.dumps({"note": "x" * 70000})),
            413,
            "payload_too_large",
        )
        self.assertEqual(Request.search_count([]), count, "a refused write left a need")

    def test_need_outside_scope_is_not_found(self):
        for method, body in (
            ("PATCH", {"note": "x"}),
            ("PATCH", {"state": "cancelled"}),
        ):
            self.assertError(
                self._api(method, f"/needs/{self.outsider.id}", body), 404, "not_found"
            )
        self.assertError(
            self._api("PATCH", "/needs/999999", {"note": "x"}), 404, "not_found"
        )
        self.assertEqual(self.outsider.state, "new")
        self.assertFalse(self.outsider.note)

    def test_need_read_only_user_forbidden(self):
        reader = new_test_user(
            self.env,
            login="tb_api_reader",
            groups="base.group_user,timebank_volunteer.group_timebank_auditor",
        )
        reader.timebank_node_ids = self.village1
        key = self._api_key(reader)
        self.assertEqual(self._api("GET", "/needs", key=key)[0], 200)
        self.assertError(
            self._api("POST", "/needs", self._need_body(), key=key), 403, "forbidden"
        )

    # ------------------------------------------------------------------
    # Idempotency
    # ------------------------------------------------------------------

    def test_idempotency(self):
        Request = self.env["timebank.service.request"]
        count = Request.search_count([])
        headers = {"Idempotency-Key": "need-0001"}
        first = self._api("POST", "/needs", self._need_body(), headers=headers)
        self.assertEqual(first[0], 201, first[1])
        retry = self._api("POST", "/needs", self._need_body(), headers=headers)
        self.assertEqual(retry, first)
        self.assertEqual(Request.search_count([]), count + 1, "the retry duplicated")
        self.assertError(
            self._api("POST", "/needs", self._need_body(note="other"), headers=headers),
            409,
            "idempotency_conflict",
        )
        self.assertEqual(Request.search_count([]), count + 1)
        # the key belongs to its user: another user may use the same key
        other = new_test_user(
            self.env,
            login="tb_api_other",
            groups="base.group_user,timebank_volunteer.group_timebank_operator",
        )
        other.timebank_node_ids = self.village1
        result = self._api(
            "POST",
            "/needs",
            self._need_body(),
            key=self._api_key(other),
            headers=headers,
        )
        self.assertEqual(result[0], 201)
        self.assertNotEqual(result[1]["id"], first[1]["id"])

    # ------------------------------------------------------------------
    # Service records
    # ------------------------------------------------------------------

    def _record_body(self, **vals):
        body = {
            "volunteer_id": self.volunteer1.id,
            "recipient_id": self.recipient1.id,
            "service_type_id": self.meal.id,
            "date_start": "2026-03-02T01:00:00+08:00",
            "date_end": "2026-03-02T02:30:00+08:00",
            "note": "Delivered lunch",
        }
        body.update(vals)
        return body

    def test_service_record_lands_submitted(self):
        headers = {"Idempotency-Key": "record-1"}
        status, record = self._api(
            "POST", "/service-records", self._record_body(), headers=headers
        )
        self.assertEqual(status, 201, record)
        self.assertEqual(record["state"], "submitted")
        self.assertEqual(record["duration"], 1.5)
        service = self.env["timebank.service.record"].browse(record["id"])
        self.assertEqual(service.state, "submitted")
        self.assertEqual(service.date_start, MONDAY - timedelta(hours=8))
        self.assertEqual(self.volunteer1.balance_unsettled, 0.0, "not confirmed")
        self.assertEqual(
            self._api("POST", "/service-records", self._record_body(), headers=headers),
            (status, record),
        )
        self.assertEqual(
            self.env["timebank.service.record"].search_count(
                [("volunteer_id", "=", self.volunteer1.id)]
            ),
            1,
        )
        self.assertError(
            self._api("POST", "/service-records", self._record_body(state="confirmed")),
            400,
            "unknown_field",
        )
        self.assertError(
            self._api(
                "POST",
                "/service-records",
                self._record_body(volunteer_id=self.volunteer2.id),
            ),
            400,
            "invalid_value",
        )

    # ------------------------------------------------------------------
    # Volunteers and recipients
    # ------------------------------------------------------------------

    def test_balances_and_passbook(self):
        self._confirmed_record(self.volunteer1, self.recipient1, MONDAY, hours=2)
        self._confirmed_record(
            self.volunteer1, self.recipient1, MONDAY + timedelta(days=1), hours=1
        )
        status, balances = self._api(
            "GET", f"/volunteers/{self.volunteer1.id}/balances"
        )
        self.assertEqual(status, 200, balances)
        self.assertEqual(
            balances["balance_unsettled"], self.volunteer1.balance_unsettled
        )
        self.assertGreater(balances["balance_unsettled"], 0)
        self.assertEqual(balances["hold_hours"], 0.0)
        status, page = self._api(
            "GET", f"/volunteers/{self.volunteer1.id}/passbook?limit=1"
        )
        self.assertEqual(status, 200, page)
        self.assertEqual(page["total"], 2)
        self.assertEqual(len(page["items"]), 1)
        self.assertEqual(page["items"][0]["sequence"], 2)
        for path in ("balances", "passbook"):
            self.assertError(
                self._api("GET", f"/volunteers/{self.volunteer2.id}/{path}"),
                404,
                "not_found",
            )
            self.assertError(
                self._api("GET", f"/volunteers/999999/{path}"), 404, "not_found"
            )

    def test_people_lists(self):
        status, page = self._api("GET", "/volunteers?limit=100")
        self.assertEqual(status, 200)
        ids = {item["id"] for item in page["items"]}
        self.assertIn(self.volunteer1.id, ids)
        self.assertNotIn(self.volunteer2.id, ids)
        self.assertNotIn("id_number", page["items"][0])
        status, page = self._api("GET", f"/volunteers?node={self.station1.id}")
        self.assertEqual([item["id"] for item in page["items"]], [self.volunteer1.id])
        self.assertError(
            self._api("GET", f"/volunteers?node={self.village2.id}"), 404, "not_found"
        )
        status, page = self._api("GET", f"/recipients?node={self.village1.id}")
        self.assertEqual(status, 200)
        ids = {item["id"] for item in page["items"]}
        self.assertIn(self.recipient1.id, ids)
        self.assertNotIn(self.recipient2.id, ids)
        self.assertError(self._api("GET", "/recipients?node=abc"), 400, "invalid_value")

    # ------------------------------------------------------------------
    # OpenAPI
    # ------------------------------------------------------------------

    def test_openapi_document(self):
        response = self.url_open(API_PREFIX + "/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        path = file_path("timebank_volunteer/static/openapi/timebank-api-v1.json")
        with open(path, encoding="utf-8") as stored:
            self.assertEqual(document, json.load(stored))
        self.assertRegex(document["openapi"], r"^3\.\d+\.\d+$")
        if validate_openapi:
            validate_openapi(document)
        self.assertEqual(document["servers"][0]["url"], API_PREFIX)
        routes = {}
        for _name, method in inspect.getmembers(TimebankApi, inspect.isfunction):
            routing = getattr(method, "original_routing", None)
            if not routing:
                continue
            for route in routing["routes"]:
                openapi_path = re.sub(
                    r"<(?:\w+:)?(\w+)>", r"{\1}", route[len(API_PREFIX) :]
                )
                routes[openapi_path] = {m.lower() for m in routing["methods"]}
        documented = {
            path: set(operations) - {"parameters"}
            for path, operations in document["paths"].items()
        }
        self.assertEqual(documented, routes)

    def test_messages_in_accept_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["timebank_volunteer"], ["zh_CN"], overwrite=True
        )
        body = self._need_body(colour="red")
        status, error = self._api(
            "POST", "/needs", body, headers={"Accept-Language": "zh-CN,zh;q=0.9"}
        )
        self.assertEqual(status, 400)
        self.assertEqual(error["error"]["message"], "未知字段：colour。")
        status, error = self._api(
            "GET", "/needs", key=False, headers={"Accept-Language": "zh-CN"}
        )
        self.assertEqual(status, 401)
        self.assertIn("API 密钥", error["error"]["message"])
        # the user's language when the header names none installed
        self.integration.lang = "zh_CN"
        status, error = self._api(
            "POST", "/needs", body, headers={"Accept-Language": "fr-FR"}
        )
        self.assertEqual(error["error"]["message"], "未知字段：colour。")
        self.integration.lang = "en_US"
        status, error = self._api("POST", "/needs", body)
        self.assertEqual(error["error"]["message"], "Unknown fields: colour.")
