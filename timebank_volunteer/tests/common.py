# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import contextlib
import datetime

from stdnum.cn import ric

from odoo.tests import TransactionCase, new_test_user


def create_node_chain(env, prefix):
    """A district, its town and its village, named and coded ``prefix`` +
    D / T / V: for tests that commit their data, whose codes keep their tree
    apart from the other tests'."""
    Node = env["timebank.node"]
    district = Node.create(
        {"name": f"{prefix}D", "code": f"{prefix}D", "kind": "district"}
    )
    town = Node.create(
        {
            "name": f"{prefix}T",
            "code": f"{prefix}T",
            "kind": "town",
            "parent_id": district.id,
        }
    )
    village = Node.create(
        {
            "name": f"{prefix}V",
            "code": f"{prefix}V",
            "kind": "village",
            "parent_id": town.id,
        }
    )
    return district, town, village


def make_id_number(birthdate, seq=123, area="370405"):
    """A valid 18-character resident ID number (odd ``seq``: male)."""
    body = f"{area}{birthdate:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def years_ago(years, days=0):
    today = datetime.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


class TimebankCommon(TransactionCase):
    """A small bank tree built for the tests:

    D (district)
    ├── T1 (town)            ├── T2 (town)
    │   ├── V1 (village)     │   └── V3 (village)
    │   │   └── S1 (station)
    │   ├── V2 (village)
    │   │   └── S2 (station)
    │   └── SO (social organisation sub-branch)

    and one user per role: operator of V1, supervisor of T1, district
    administrator, auditor of T1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Node = cls.env["timebank.node"]
        cls.district = Node.create(
            {"name": "Test District", "code": "D", "kind": "district"}
        )
        cls.town1 = Node.create(
            {
                "name": "Town 1",
                "code": "T1",
                "kind": "town",
                "parent_id": cls.district.id,
            }
        )
        cls.town2 = Node.create(
            {
                "name": "Town 2",
                "code": "T2",
                "kind": "town",
                "parent_id": cls.district.id,
            }
        )
        cls.village1 = Node.create(
            {
                "name": "Village 1",
                "code": "V1",
                "kind": "village",
                "parent_id": cls.town1.id,
            }
        )
        cls.village2 = Node.create(
            {
                "name": "Village 2",
                "code": "V2",
                "kind": "village",
                "parent_id": cls.town1.id,
            }
        )
        cls.village3 = Node.create(
            {
                "name": "Village 3",
                "code": "V3",
                "kind": "village",
                "parent_id": cls.town2.id,
            }
        )
        cls.social = Node.create(
            {
                "name": "Care Society",
                "code": "SO",
                "kind": "social",
                "parent_id": cls.town1.id,
            }
        )
        cls.station1 = Node.create(
            {
                "name": "Station 1",
                "code": "S1",
                "kind": "station",
                "parent_id": cls.village1.id,
            }
        )
        cls.station2 = Node.create(
            {
                "name": "Station 2",
                "code": "S2",
                "kind": "station",
                "parent_id": cls.village2.id,
            }
        )

        cls.operator = new_test_user(
            cls.env,
            login="tb_test_operator",
            groups="base.group_user,timebank_volunteer.group_timebank_operator",
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="tb_test_supervisor",
            groups="base.group_user,timebank_volunteer.group_timebank_supervisor",
        )
        cls.admin = new_test_user(
            cls.env,
            login="tb_test_admin",
            groups="base.group_user,timebank_volunteer.group_timebank_admin",
        )
        cls.auditor = new_test_user(
            cls.env,
            login="tb_test_auditor",
            groups="base.group_user,timebank_volunteer.group_timebank_auditor",
        )
        cls.operator.timebank_node_ids = cls.village1
        cls.supervisor.timebank_node_ids = cls.town1
        cls.admin.timebank_node_ids = cls.district
        cls.auditor.timebank_node_ids = cls.town1

        cls.priority_dibao = cls.env.ref("timebank_volunteer.priority_group_dibao")
        cls.priority_disabled = cls.env.ref(
            "timebank_volunteer.priority_group_disabled"
        )
        cls._seq = 100

    @contextlib.contextmanager
    def assertRefused(self, exception, regex=None):
        """The operation raises ``exception`` (matching ``regex``) and,
        as in a real request, leaves nothing behind."""
        checker = (
            self.assertRaisesRegex(exception, regex)
            if regex
            else self.assertRaises(exception)
        )
        with checker, self.env.cr.savepoint():
            yield
        self.env.invalidate_all()

    @classmethod
    def _next_id_number(cls, age=40, male=True):
        cls._seq += 2
        seq = cls._seq + (1 if male else 0)
        return make_id_number(years_ago(age, days=10), seq=seq % 1000)

    @classmethod
    def _create_volunteer(cls, node, station=None, env=None, **vals):
        env = env or cls.env
        values = {
            "name": vals.pop("name", f"Volunteer {cls._seq}"),
            "id_number": vals.pop("id_number", None) or cls._next_id_number(40),
            "node_id": node.id,
            "station_id": station.id if station else False,
        }
        values.update(vals)
        return env["timebank.volunteer"].create(values)

    @classmethod
    def _create_recipient(cls, node, station=None, env=None, **vals):
        env = env or cls.env
        values = {
            "name": vals.pop("name", f"Recipient {cls._seq}"),
            "id_number": vals.pop("id_number", None) or cls._next_id_number(75),
            "node_id": node.id,
            "station_id": station.id if station else False,
        }
        values.update(vals)
        return env["timebank.recipient"].create(values)
