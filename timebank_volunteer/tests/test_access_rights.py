# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import TimebankCommon

Y, N = True, False


@tagged("post_install", "-at_install")
class TestAccessRights(TimebankCommon):
    """Role matrix: each role x each model x read/create/write/delete x the
    user's own node, a node below it (child) and a node beside it (sibling)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "operator": cls.operator,
            "supervisor": cls.supervisor,
            "admin": cls.admin,
            "auditor": cls.auditor,
        }
        # (own, child, sibling) node of each role, per kind of record:
        # people live in sub-branches (the "child" one at a station of it);
        # nodes and trainings may sit at any level.
        v1, v2, v3 = cls.village1, cls.village2, cls.village3
        s1, s2 = cls.station1, cls.station2
        cls.person_places = {
            "operator": ((v1, None), (v1, s1), (v2, None)),
            "supervisor": ((v1, None), (v2, s2), (v3, None)),
            "admin": ((v1, None), (v2, s2), (v3, None)),
            "auditor": ((v1, None), (v2, s2), (v3, None)),
        }
        cls.tree_places = {
            "operator": (v1, s1, v2),
            "supervisor": (cls.town1, v1, cls.town2),
            "admin": (cls.district, cls.town1, cls.town2),
            "auditor": (cls.town1, v1, cls.town2),
        }

    # expected[role][model][operation] = (own, child, sibling); None = not applicable
    EXPECTED = {
        "operator": {
            "timebank.node": {
                "read": (Y, Y, N),
                "write": (N, Y, N),  # only the stations of its sub-branch
                "create": (Y, None, N),  # a station under its sub-branch
                "unlink": (N, N, N),
            },
            "timebank.volunteer": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (N, N, N),
            },
            "timebank.recipient": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (N, N, N),
            },
            "timebank.training": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (Y, Y, N),
            },
        },
        "supervisor": {
            "timebank.node": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (N, N, N),
            },
            "timebank.volunteer": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (N, N, N),
            },
            "timebank.recipient": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (N, N, N),
            },
            "timebank.training": {
                "read": (Y, Y, N),
                "write": (Y, Y, N),
                "create": (Y, Y, N),
                "unlink": (Y, Y, N),
            },
        },
        "admin": {
            model: {op: (Y, Y, Y) for op in ("read", "write", "create", "unlink")}
            for model in (
                "timebank.node",
                "timebank.volunteer",
                "timebank.recipient",
                "timebank.training",
            )
        },
        "auditor": {
            model: {
                "read": (Y, Y, N),
                "write": (N, N, N),
                "create": (N, N, N),
                "unlink": (N, N, N),
            }
            for model in (
                "timebank.node",
                "timebank.volunteer",
                "timebank.recipient",
                "timebank.training",
            )
        },
    }

    WRITE_VALS = {
        "timebank.node": {"note": "checked"},
        "timebank.volunteer": {"occupation": "checked"},
        "timebank.recipient": {"needs": "checked"},
        "timebank.training": {"trainer": "checked"},
    }

    # --------------------------------------------------------------
    def _new_record(self, model, place, env):
        """Create (with ``env``) a record of ``model`` at ``place``."""
        if model in ("timebank.volunteer", "timebank.recipient"):
            node, station = place
            create = (
                self._create_volunteer
                if model == "timebank.volunteer"
                else self._create_recipient
            )
            return create(node, station, env=env)
        if model == "timebank.training":
            return env[model].create({"name": "Training", "node_id": place.id})
        if place.kind == "station":  # nothing goes under a station: use a sibling
            place = place.parent_id
        child_kind = {
            "district": "town",
            "town": "village",
            "village": "station",
            "social": "station",
        }[place.kind]
        self._seq += 1
        return env[model].create(
            {
                "name": f"New {self._seq}",
                "code": f"N{self._seq}",
                "kind": child_kind,
                "parent_id": place.id,
            }
        )

    def _attempt(self, role, model, operation, place):
        """Return True if the role may do the operation, False on an
        AccessError (or the translated out-of-scope ValidationError)."""
        user = self.users[role]
        env = self.env(user=user)
        if operation == "create":
            record = None
        elif model == "timebank.node" and operation != "unlink":
            record = place
        else:
            record = self._new_record(model, place, self.env)
        try:
            with self.env.cr.savepoint():
                if operation == "read":
                    record.with_env(env).read(["name"])
                elif operation == "write":
                    record.with_env(env).write(self.WRITE_VALS[model])
                elif operation == "create":
                    self._new_record(model, place, env)
                elif operation == "unlink":
                    record.with_env(env).unlink()
        except AccessError:
            return False
        except ValidationError as e:
            self.assertIn("outside", str(e), "only the scope check may refuse here")
            return False
        finally:
            self.env.invalidate_all()
        return True

    def test_role_matrix(self):
        positions = ("own", "child", "sibling")
        for role, models in self.EXPECTED.items():
            for model, operations in models.items():
                places = (
                    self.person_places[role]
                    if model in ("timebank.volunteer", "timebank.recipient")
                    else self.tree_places[role]
                )
                for operation, expected in operations.items():
                    for position, place, allowed in zip(
                        positions, places, expected, strict=True
                    ):
                        if allowed is None:
                            continue
                        with self.subTest(
                            role=role, model=model, op=operation, where=position
                        ):
                            self.assertEqual(
                                self._attempt(role, model, operation, place),
                                allowed,
                                f"{role} {operation} {model} in {position} node",
                            )

    def test_search_scope(self):
        """Searches return exactly the user's part of the tree."""
        rec1 = self._create_recipient(self.village1)
        rec2 = self._create_recipient(self.village2, self.station2)
        rec3 = self._create_recipient(self.village3)
        mine = rec1 | rec2 | rec3
        Recipient = self.env["timebank.recipient"]

        def visible(user):
            return Recipient.with_user(user).search([("id", "in", mine.ids)])

        self.assertEqual(visible(self.operator), rec1, "neighbouring village hidden")
        self.assertEqual(
            visible(self.supervisor), rec1 | rec2, "the whole town, no other town"
        )
        self.assertEqual(visible(self.auditor), rec1 | rec2)
        self.assertEqual(visible(self.admin), mine)

        nodes = (
            self.env["timebank.node"]
            .with_user(self.operator)
            .search([("id", "child_of", self.district.id)])
        )
        self.assertEqual(
            nodes,
            self.district | self.town1 | self.village1 | self.station1,
            "an operator sees its sub-branch, what is below and the path above",
        )

    def test_operator_reads_training_of_town(self):
        town_training = self.env["timebank.training"].create(
            {"name": "Town training", "node_id": self.town1.id}
        )
        town_training.with_user(self.operator).read(["name"])
        with self.assertRefused(AccessError):
            town_training.with_user(self.operator).write({"trainer": "x"})

    def test_scope_error_is_clear(self):
        """Assigning a record outside the user's nodes: translated error
        naming the node, and nothing changes."""
        volunteer = self._create_volunteer(self.village1)
        with self.assertRefused(ValidationError, "Village 2"):
            volunteer.with_user(self.operator).write({"node_id": self.village2.id})
        self.assertEqual(volunteer.node_id, self.village1)
        Volunteer = self.env["timebank.volunteer"]
        count = Volunteer.search_count([])
        with self.assertRefused(ValidationError, "outside the part of the time bank"):
            self._create_volunteer(self.village3, env=self.env(user=self.supervisor))
        self.assertEqual(Volunteer.search_count([]), count)

    def test_user_without_node_sees_nothing(self):
        lonely = self.env["res.users"].create(
            {
                "name": "No node",
                "login": "tb_test_lonely",
                "groups_id": [
                    (
                        6,
                        0,
                        [self.env.ref("timebank_volunteer.group_timebank_operator").id],
                    )
                ],
            }
        )
        self._create_recipient(self.village1)
        self.assertFalse(self.env["timebank.recipient"].with_user(lonely).search([]))
        with self.assertRefused(ValidationError):
            self._create_recipient(self.village1, env=self.env(user=lonely))

    def test_personal_identifiers_visibility(self):
        volunteer = self._create_volunteer(self.village1, mobile="13812345678")
        recipient = self._create_recipient(self.village1, guardian_phone="13912345678")
        # the auditor reads the registration, not the identifiers
        volunteer.with_user(self.auditor).read(["name", "age", "gender"])
        for record, fnames in (
            (volunteer, ["id_number"]),
            (volunteer, ["mobile"]),
            (recipient, ["id_number"]),
            (recipient, ["guardian_phone"]),
            (volunteer.partner_id, ["timebank_id_number"]),
            (volunteer.partner_id, ["timebank_mobile"]),
        ):
            with self.subTest(model=record._name, fields=fnames):
                with self.assertRefused(AccessError):
                    record.with_user(self.auditor).read(fnames)
        for fname in ("id_number", "mobile"):
            self.assertNotIn(fname, volunteer.with_user(self.auditor).fields_get())
            self.assertIn(fname, volunteer.with_user(self.operator).fields_get())
        data = volunteer.with_user(self.operator).read(["id_number", "mobile"])[0]
        self.assertEqual(data["id_number"], volunteer.id_number)
        self.assertTrue(data["mobile"])

    def test_no_tracking_on_identifiers(self):
        for model, fnames in (
            ("timebank.volunteer", ("id_number", "mobile")),
            ("timebank.recipient", ("id_number", "mobile", "guardian_phone")),
            ("res.partner", ("timebank_id_number", "timebank_mobile")),
        ):
            for fname in fnames:
                field = self.env[model]._fields[fname]
                self.assertFalse(getattr(field, "tracking", False), f"{model}.{fname}")
                self.assertTrue(field.groups, f"{model}.{fname} must carry groups")

    def test_views_per_role(self):
        """Every view of the module loads for every role; the auditor's form
        does not even carry the identifiers."""
        for role, user in self.users.items():
            for model in (
                "timebank.node",
                "timebank.volunteer",
                "timebank.recipient",
                "timebank.training",
            ):
                with self.subTest(role=role, model=model):
                    views = (
                        self.env[model]
                        .with_user(user)
                        .get_views(
                            [(False, "list"), (False, "form"), (False, "search")]
                            + (
                                [(False, "kanban")]
                                if model != "timebank.training"
                                else []
                            )
                        )
                    )
                    form = views["views"]["form"]["arch"]
                    if model in ("timebank.volunteer", "timebank.recipient"):
                        if role == "auditor":
                            self.assertNotIn('name="id_number"', form)
                            self.assertNotIn('name="action_review"', form)
                        else:
                            self.assertIn('name="id_number"', form)
        volunteer_form = (
            self.env["timebank.volunteer"]
            .with_user(self.operator)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="action_review"', volunteer_form)
        self.assertNotIn('name="action_suspend"', volunteer_form, "supervisors only")


@tagged("post_install", "-at_install")
class TestAccessRightsLedger(TimebankCommon):
    """Role matrix of the service records and the ledger: each role x
    service record / account / ledger line x read/create/write/delete x a
    record of the user's own node, of a node below it and of a sibling node.
    Ledger lines are never created, changed or deleted through the ORM, by
    anyone; accounts are created empty by the posting code only."""

    # (own, child, sibling) places of the people, as in TestAccessRights
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.users = {
            "operator": cls.operator,
            "supervisor": cls.supervisor,
            "admin": cls.admin,
            "auditor": cls.auditor,
        }
        v1, v2, v3 = cls.village1, cls.village2, cls.village3
        s1, s2 = cls.station1, cls.station2
        cls.places = {
            "operator": ((v1, None), (v1, s1), (v2, None)),
            "supervisor": ((v1, None), (v2, s2), (v3, None)),
            "admin": ((v1, None), (v2, s2), (v3, None)),
            "auditor": ((v1, None), (v2, s2), (v3, None)),
        }
        cls.meal = cls.env.ref("timebank_volunteer.service_type_meal_delivery")
        cls.day = datetime.datetime(2026, 3, 2, 1, 0, 0)

    ALL_NO = {op: (N, N, N) for op in ("read", "write", "create", "unlink")}
    SCOPED = {
        "timebank.service.record": {
            op: (Y, Y, N) for op in ("read", "write", "create", "unlink")
        },
        "timebank.account": dict(ALL_NO, read=(Y, Y, N)),
        "timebank.ledger.line": dict(ALL_NO, read=(Y, Y, N)),
    }
    EXPECTED = {
        "operator": SCOPED,
        "supervisor": SCOPED,
        "admin": {
            "timebank.service.record": {
                op: (Y, Y, Y) for op in ("read", "write", "create", "unlink")
            },
            # no delete right; balances are still refused by create/write
            "timebank.account": dict(
                ALL_NO, read=(Y, Y, Y), write=(Y, Y, Y), create=(Y, Y, Y)
            ),
            "timebank.ledger.line": dict(ALL_NO, read=(Y, Y, Y)),
        },
        "auditor": {
            "timebank.service.record": dict(ALL_NO, read=(Y, Y, N)),
            "timebank.account": dict(ALL_NO, read=(Y, Y, N)),
            "timebank.ledger.line": dict(ALL_NO, read=(Y, Y, N)),
        },
    }

    def _people(self, place):
        node, station = place
        volunteer = self._create_volunteer(node, station)
        volunteer.state = "active"  # as the superuser (see TimebankVolunteer)
        recipient = self._create_recipient(node, station)
        return volunteer, recipient

    def _record_vals(self, volunteer, recipient):
        return {
            "volunteer_id": volunteer.id,
            "recipient_id": recipient.id,
            "service_type_id": self.meal.id,
            "date_start": self.day,
            "date_end": self.day + datetime.timedelta(hours=2),
        }

    def _attempt(self, role, model, operation, place):
        """True if allowed; False on an AccessError, on the translated
        out-of-scope ValidationError or on the ledger's UserError."""
        env = self.env(user=self.users[role])
        volunteer, recipient = self._people(place)
        vals = self._record_vals(volunteer, recipient)
        record = self.env["timebank.service.record"].create(vals)
        account = volunteer.account_id
        line = self.env["timebank.account"]._post_lines(
            [
                {
                    "account_id": account.id,
                    "hours": 1.0,
                    "bucket": "unsettled",
                    "kind": "adjustment",
                    "res_model": "timebank.test.matrix",
                    "res_id": volunteer.id,
                }
            ]
        )
        target = {
            "timebank.service.record": record,
            "timebank.account": account,
            "timebank.ledger.line": line,
        }[model].with_env(env)
        try:
            with self.env.cr.savepoint():
                if operation == "read":
                    target.read(["display_name"])
                elif model == "timebank.service.record":
                    if operation == "write":
                        target.write({"note": "checked"})
                    elif operation == "create":
                        env[model].create(
                            dict(
                                vals,
                                date_start=self.day + datetime.timedelta(hours=3),
                                date_end=self.day + datetime.timedelta(hours=4),
                            )
                        )
                    else:
                        target.unlink()
                elif model == "timebank.account" and operation in ("write", "create"):
                    # no field of an account may be written or given at
                    # creation (they are balances): the rights decide
                    target.browse(
                        [] if operation == "create" else target.ids
                    ).check_access(operation)
                elif operation == "write":
                    target.write({"name": "checked"})
                elif operation == "create":
                    env[model].create(
                        {
                            "account_id": account.id,
                            "hours": 1.0,
                            "bucket": "unsettled",
                            "kind": "adjustment",
                            "res_model": "timebank.test.matrix",
                            "res_id": -volunteer.id,
                        }
                    )
                else:
                    target.unlink()
        except AccessError:
            return False
        except ValidationError as e:
            self.assertIn("outside", str(e), "only the scope check may refuse here")
            return False
        except UserError as e:
            self.assertEqual(model, "timebank.ledger.line", str(e))
            return False
        finally:
            self.env.invalidate_all()
        return True

    def test_role_matrix_ledger(self):
        positions = ("own", "child", "sibling")
        for role, models in self.EXPECTED.items():
            for model, operations in models.items():
                for operation, expected in operations.items():
                    for position, place, allowed in zip(
                        positions, self.places[role], expected, strict=True
                    ):
                        with self.subTest(
                            role=role, model=model, op=operation, where=position
                        ):
                            self.assertEqual(
                                self._attempt(role, model, operation, place),
                                allowed,
                                f"{role} {operation} {model} in {position} node",
                            )

    def test_state_refused_for_every_role(self):
        volunteer, recipient = self._people((self.village1, None))
        vals = self._record_vals(volunteer, recipient)
        record = self.env["timebank.service.record"].create(vals)
        for role, user in self.users.items():
            env = self.env(user=user)
            with self.subTest(role=role):
                with self.assertRefused(UserError):
                    record.with_env(env).write({"state": "confirmed"})
                with self.assertRefused(UserError):
                    env["timebank.service.record"].create(dict(vals, state="confirmed"))
                with self.assertRefused(UserError):
                    volunteer.with_env(env).write({"state": "applied"})
        self.assertEqual(record.state, "draft")
        self.assertEqual(volunteer.state, "active")
