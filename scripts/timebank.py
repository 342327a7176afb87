#!/usr/bin/env python3
# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Run, test and lint Time Bank on an installed Odoo 18.

    python3 scripts/timebank.py run     # Odoo with both modules and demo data on :8069
    python3 scripts/timebank.py test    # fresh database, install, every test
    python3 scripts/timebank.py lint    # ruff + pylint-odoo, as OCA CI does

The same script runs natively and inside the Docker image (docker/). It finds
Odoo as an importable ``odoo`` package, or under the source folder named by
``ODOO_SRC``; PostgreSQL is reached with ``TB_DB_HOST``/``TB_DB_PORT``/
``TB_DB_USER``/``TB_DB_PASSWORD`` (defaults: 127.0.0.1, 5432, the current
user, no password). Its own files (odoo.conf, logs, filestore) go to
``TB_STATE_DIR`` (default: .odoo/ in the checkout). Nothing here prints a
stack trace for a missing piece: it says what is missing and exits with
status 2.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("timebank_volunteer", "timebank_exchange")
STATE_DIR = Path(os.environ.get("TB_STATE_DIR") or ROOT / ".odoo")
# A log line of Odoo: "2026-01-01 10:00:00,000 1234 LEVEL db logger: message"
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<message>.*)$"
)
ODOO_SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
PYTEST_COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


class Missing(Exception):
    """A precondition is not met; the message says what to do."""


def env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def fail(message):
    print("\n" + textwrap.fill(" ".join(message.split()), width=88), file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------- preconditions
def python_env():
    """Environment for child processes: ODOO_SRC on the path when given."""
    child = dict(os.environ)
    src = env("ODOO_SRC")
    if src:
        child["PYTHONPATH"] = os.pathsep.join(
            p for p in (src, child.get("PYTHONPATH")) if p
        )
    child.setdefault("ODOO_TEST_FAILURE_RETRIES", "0")
    return child


def check_odoo():
    """Return Odoo's version string, or raise Missing with instructions."""
    src = env("ODOO_SRC")
    if src and not (Path(src) / "odoo" / "release.py").is_file():
        raise Missing(
            f"ODOO_SRC is set to {src!r}, but that folder holds no Odoo source "
            "(no odoo/release.py in it). Point ODOO_SRC at the folder that "
            "contains odoo-bin and the odoo package, or unset it to use an "
            "installed odoo."
        )
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import odoo.release as r; print(r.version_info[0], r.version)",
        ],
        env=python_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        raise Missing(
            f"Odoo 18 is not installed for {sys.executable}: 'import odoo' "
            "failed. Install Odoo 18.0 into this interpreter (from an Odoo 18.0 "
            "source folder: 'pip install -r requirements.txt && pip install -e "
            ".'), or set ODOO_SRC to an Odoo 18.0 source folder whose Python "
            "dependencies are installed, or use the Docker path: 'docker "
            "compose -f docker/docker-compose.yml up'."
        )
    major, version = probe.stdout.split(maxsplit=1)
    if major != "18":
        raise Missing(
            f"Time Bank needs Odoo 18.0, but the odoo found for {sys.executable} "
            f"is version {version.strip()}. Install Odoo 18.0, or point ODOO_SRC "
            "at an Odoo 18.0 source folder."
        )
    return version.strip()


def db_params():
    return {
        "host": env("TB_DB_HOST", "127.0.0.1"),
        "port": int(env("TB_DB_PORT", "5432")),
        "user": env("TB_DB_USER", env("USER") or _current_user()),
        "password": env("TB_DB_PASSWORD", ""),
    }


def _current_user():
    import getpass

    return getpass.getuser()


def pg_connect(dbname="postgres"):
    try:
        import psycopg2
    except ImportError as exc:
        raise Missing(
            "The Python driver psycopg2 is missing: Odoo's dependencies are "
            "not installed for this interpreter. Run 'pip install -r "
            "requirements.txt' in the Odoo 18.0 source folder."
        ) from exc
    params = db_params()
    try:
        conn = psycopg2.connect(dbname=dbname, connect_timeout=5, **params)
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        raise Missing(
            f"PostgreSQL is not reachable at {params['host']}:{params['port']} "
            f"as user {params['user']!r} ({reason}). Start PostgreSQL (on Debian: "
            "'pg_ctlcluster <version> main start'), or set TB_DB_HOST, "
            "TB_DB_PORT, TB_DB_USER and TB_DB_PASSWORD to a server where this "
            "user may create databases."
        ) from exc
    conn.autocommit = True
    return conn


def psycopg2_errors():
    import psycopg2  # pylint: disable=import-outside-toplevel

    return psycopg2


def psycopg2_sql():
    from psycopg2 import sql  # pylint: disable=import-outside-toplevel

    return sql


def drop_database(name):
    conn = pg_connect()
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cr.execute(
                psycopg2_sql()
                .SQL("DROP DATABASE IF EXISTS {}")
                .format(psycopg2_sql().Identifier(name))
            )
    finally:
        conn.close()
    data_dir = Path(env("TB_DATA_DIR", STATE_DIR / "data"))
    shutil.rmtree(data_dir / "filestore" / name, ignore_errors=True)


def modules_installed(name):
    try:
        conn = pg_connect(name)
    except Missing:
        return False
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ir_module_module "
                "WHERE name = ANY(%s) AND state = 'installed'",
                [list(MODULES)],
            )
            return cr.fetchone()[0] == len(MODULES)
    except psycopg2_errors().Error:  # e.g. no ir_module_module yet
        return False
    finally:
        conn.close()


# ------------------------------------------------------------------- odoo calls
def write_config(http_port, name="odoo.conf"):
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    params = db_params()
    conf = STATE_DIR / name
    conf.write_text(
        "[options]\n"
        f"addons_path = {ROOT}\n"
        f"data_dir = {env('TB_DATA_DIR', STATE_DIR / 'data')}\n"
        f"db_host = {params['host']}\n"
        f"db_port = {params['port']}\n"
        f"db_user = {params['user']}\n"
        f"db_password = {params['password']}\n"
        f"http_port = {http_port}\n"
        "list_db = False\n"
        "max_cron_threads = 1\n"
    )
    return conf


def odoo_cmd(conf, *args):
    return [sys.executable, "-m", "odoo", "-c", str(conf), *args]


def run_logged(cmd, logfile, echo):
    """Run cmd, write its output to logfile, echo the lines echo() accepts."""
    with open(logfile, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd,
            env=python_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        for line in proc.stdout:
            log.write(line)
            if echo(line):
                print(line, end="", flush=True)
        return proc.wait()


# --------------------------------------------------------------------- commands
def cmd_run(args):
    version = check_odoo()
    db = args.database
    port = args.port
    pg_connect().close()
    conf = write_config(port)
    mods = ",".join(MODULES)
    if not modules_installed(db):
        print(f"Installing {mods} with demo data into database {db!r} (Odoo {version})")
        rc = subprocess.call(
            odoo_cmd(conf, "-d", db, "-i", mods, "--stop-after-init"),
            env=python_env(),
        )
        if rc:
            fail(f"Installing the modules into {db!r} failed (exit {rc}); see above.")
    print(
        f"\nTime Bank (Odoo {version}) starts on http://localhost:{port}/odoo\n"
        f"Database {db!r}. Log in as admin / admin (district administrator);\n"
        "demo staff users are listed in README.md. Stop with Ctrl+C.\n",
        flush=True,
    )
    os.execve(
        sys.executable,
        odoo_cmd(conf, "-d", db, f"--db-filter=^{db}$"),
        python_env(),
    )


def odoo_tests(conf, db, logfile):
    """Install both modules in a fresh db and run their tests with odoo-bin."""
    mods = ",".join(MODULES)
    tags = ",".join(f"/{m}" for m in MODULES)
    print(f"== Module tests: odoo --test-enable -i {mods} (log: {logfile})", flush=True)

    def echo(line):
        m = LOG_LINE.match(line)
        if not m:
            return line.startswith(("Traceback", "AssertionError", "  File"))
        return m["level"] in ("WARNING", "ERROR", "CRITICAL") or (
            m["logger"] in ("odoo.tests.result", "odoo.tests.stats")
            or m["message"].startswith(("FAIL:", "ERROR:"))
        )

    rc = run_logged(
        odoo_cmd(
            conf,
            "-d",
            db,
            "-i",
            mods,
            "--test-enable",
            f"--test-tags={tags}",
            "--stop-after-init",
            "--log-level=test",
            "--http-interface=127.0.0.1",
        ),
        logfile,
        echo,
    )
    text = Path(logfile).read_text(encoding="utf-8", errors="replace")
    summaries = ODOO_SUMMARY.findall(text)
    failed = errors = ran = 0
    for f, e, n in summaries:
        failed, errors, ran = failed + int(f), errors + int(e), ran + int(n)
    # like OCA's checklog: a warning or an error logged anywhere is a failure
    bad = [
        line
        for line in text.splitlines()
        if (m := LOG_LINE.match(line))
        and m["level"] in ("WARNING", "ERROR", "CRITICAL")
    ]
    return rc, ran, failed + errors, bad


def pytest_tests(conf, db, paths):
    print(f"== pytest-odoo on {' '.join(paths)}", flush=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"--odoo-config={conf}",
            f"--odoo-database={db}",
            "--odoo-http",
            "-p",
            "no:cacheprovider",
            "-q",
            *paths,
        ],
        cwd=ROOT,
        env=python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        check=False,
    )
    print(proc.stdout, end="", flush=True)
    last = [line for line in proc.stdout.splitlines() if line.strip()][-1:]
    counts = {}
    for n, what in PYTEST_COUNTS.findall(last[0] if last else ""):
        counts[what.rstrip("s") if what.startswith("error") else what] = int(n)
    passed = counts.get("passed", 0)
    failed = counts.get("failed", 0) + counts.get("error", 0)
    # exit 5 = no tests collected: not a failure of ours when a folder is empty
    rc = 0 if proc.returncode == 5 else proc.returncode
    return rc, passed, failed, counts.get("skipped", 0)


def cmd_test(args):
    version = check_odoo()
    try:
        import pytest_odoo  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        if not args.no_pytest:
            raise Missing(
                "pytest-odoo is not installed for this interpreter. Install the "
                f"test tools: '{sys.executable} -m pip install -r "
                "requirements-test.txt'."
            ) from None
    pg_connect().close()
    db = args.database
    conf = write_config(args.port)
    print(f"Time Bank tests on Odoo {version}, fresh database {db!r}", flush=True)
    drop_database(db)
    logdir = STATE_DIR / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    rc, ran, failed, bad_lines = odoo_tests(conf, db, logdir / "odoo-tests.log")
    passed = max(ran - failed, 0)
    problems = []
    if rc:
        problems.append(f"odoo exited with status {rc}")
    if failed:
        problems.append(f"{failed} module test(s) failed")
    if ran == 0:
        problems.append("odoo ran no module test")
    if bad_lines:
        problems.append(f"{len(bad_lines)} WARNING/ERROR line(s) in the Odoo log")
        print("\n".join(bad_lines[:40]))
    skipped = 0
    if not args.no_pytest:
        paths = ["tests"]
        if not args.top_level_only:
            paths += [f"{m}/tests" for m in MODULES if (ROOT / m / "tests").is_dir()]
        prc, ppassed, pfailed, skipped = pytest_tests(conf, db, paths)
        passed += ppassed
        failed += pfailed
        if prc:
            problems.append(f"pytest exited with status {prc}")
    print(
        f"\nodoo --test-enable ran {ran} tests; pytest-odoo ran: {not args.no_pytest}"
    )
    if problems:
        print("Problems: " + "; ".join(problems))
    print(f"Time Bank: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if problems or failed else 0


def check_data_files():
    """XML files parse and PO files compile, as the OCA pre-commit hooks check."""
    from lxml import etree  # pylint: disable=import-outside-toplevel

    rc = 0
    print("== xml and po files", flush=True)
    for module in MODULES:
        for xml in sorted((ROOT / module).rglob("*.xml")):
            try:
                etree.parse(str(xml))
            except etree.XMLSyntaxError as exc:
                print(f"{xml.relative_to(ROOT)}: {exc}")
                rc = 1
        for po in sorted((ROOT / module).rglob("*.po")):
            if shutil.which("msgfmt") is None:
                print("msgfmt not found (Debian package gettext): PO files unchecked")
                break
            if subprocess.call(["msgfmt", "--check", "-o", os.devnull, str(po)]):
                rc = 1
    return rc


def cmd_i18n(args):
    """Export each module's .pot from a scratch database; merge it into zh_CN.po."""
    version = check_odoo()
    pg_connect().close()
    db = args.database
    conf = write_config(args.port)
    drop_database(db)
    mods = ",".join(MODULES)
    print(f"Exporting terms of {mods} (Odoo {version}) from database {db!r}")
    rc = subprocess.call(
        odoo_cmd(conf, "-d", db, "-i", mods, "--stop-after-init", "--log-level=warn"),
        env=python_env(),
    )
    for module in MODULES if not rc else ():
        i18n = ROOT / module / "i18n"
        i18n.mkdir(exist_ok=True)
        pot = i18n / f"{module}.pot"
        rc |= subprocess.call(
            odoo_cmd(
                conf,
                "-d",
                db,
                f"--i18n-export={pot}",
                f"--modules={module}",
                "--stop-after-init",
                "--log-level=warn",
            ),
            env=python_env(),
        )
        po = i18n / "zh_CN.po"
        if not po.exists():
            import polib  # pylint: disable=import-outside-toplevel

            new = polib.pofile(str(pot))
            new.metadata.update(
                {"Language": "zh_CN", "Plural-Forms": "nplurals=1; plural=0;"}
            )
            new.save(str(po))
        rc |= subprocess.call(
            [
                "msgmerge",
                "--quiet",
                "--no-fuzzy-matching",
                "--update",
                "--backup=none",
                str(po),
                str(pot),
            ]
        )
        subprocess.call(["msgfmt", "--statistics", "-o", os.devnull, str(po)])
    drop_database(db)
    return rc


def cmd_lint(_args):
    targets = [*MODULES, "scripts", "tests"]
    if (ROOT / "bench").is_dir():
        targets.append("bench")
    steps = [
        [sys.executable, "-m", "ruff", "check", *targets],
        [sys.executable, "-m", "ruff", "format", "--check", *targets],
        [
            sys.executable,
            "-m",
            "pylint",
            "--rcfile=.pylintrc-mandatory",
            *MODULES,
        ],
    ]
    rc = check_data_files()
    for step in steps:
        print("== " + " ".join(step[2:]), flush=True)
        try:
            rc |= subprocess.call(step, cwd=ROOT, env=python_env())
        except FileNotFoundError:
            rc |= 1
    if rc:
        print("lint: problems found (see above)")
    else:
        print("lint: clean")
    return rc


LEDGER_VERIFY = """
result = env["timebank.account"].search([])._check_chain()
print("LEDGER-OK" if result["ok"] else "LEDGER-BROKEN", result["message"])
"""
LEDGER_RESEAL = """
import os
count = env["timebank.account"].search([])._reseal_chain(
    os.environ.get("TIMEBANK_LEDGER_PREVIOUS_KEY", "")
)
env.cr.commit()
print("LEDGER-OK", count, "ledger lines sealed with the ledger key.")
"""


def cmd_ledger(args):
    """verify / reseal the hash chains of every account, in odoo shell."""
    check_odoo()
    pg_connect().close()
    if not modules_installed(args.database):
        fail(f"Database {args.database!r} has no Time Bank installed.")
    if args.action == "reseal" and not os.environ.get("TIMEBANK_LEDGER_KEY"):
        fail(
            "Stop the server, set TIMEBANK_LEDGER_KEY to the new ledger key (and "
            "TIMEBANK_LEDGER_PREVIOUS_KEY to the former one, if any) and reseal; "
            "then start the server with the new key (lines it posted with the "
            "new key before the reseal would make the reseal refuse the chain)."
        )
    conf = write_config(int(env("TB_HTTP_PORT", "8069")), "odoo-ledger.conf")
    proc = subprocess.run(
        [sys.executable, "-m", "odoo", "shell", "-c", str(conf), "-d", args.database]
        + ["--no-http", "--log-level=warn"],
        input=LEDGER_RESEAL if args.action == "reseal" else LEDGER_VERIFY,
        env=python_env(),
        capture_output=True,
        text=True,
        errors="replace",
    )
    result = [line for line in proc.stdout.splitlines() if line.startswith("LEDGER-")]
    if proc.returncode or not result:
        sys.stderr.write(proc.stdout + proc.stderr)
        return 1
    print(result[-1].split(" ", 1)[1])
    return 0 if result[-1].startswith("LEDGER-OK") else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve Odoo with both modules and demo data")
    run.add_argument("--database", default=env("TB_DB", "timebank"))
    run.add_argument("--port", type=int, default=int(env("TB_HTTP_PORT", "8069")))
    test = sub.add_parser("test", help="fresh database, install, run every test")
    test.add_argument("--database", default=env("TB_TEST_DB", "timebank_test"))
    test.add_argument("--port", type=int, default=int(env("TB_TEST_HTTP_PORT", "8169")))
    test.add_argument(
        "--no-pytest", action="store_true", help="only the odoo --test-enable run"
    )
    test.add_argument(
        "--top-level-only",
        action="store_true",
        help="pytest runs only tests/ (module tests then run once, under odoo-bin)",
    )
    sub.add_parser("lint", help="ruff and pylint-odoo")
    i18n = sub.add_parser("i18n", help="export .pot files and merge them into zh_CN.po")
    i18n.add_argument("--database", default="timebank_i18n")
    i18n.add_argument("--port", type=int, default=8269)
    ledger = sub.add_parser(
        "ledger", help="verify the hash chains, or reseal them with the ledger key"
    )
    ledger.add_argument("action", choices=("verify", "reseal"))
    ledger.add_argument("--database", default=env("TB_DB", "timebank"))
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "test":
            return cmd_test(args)
        if args.command == "i18n":
            return cmd_i18n(args)
        if args.command == "ledger":
            return cmd_ledger(args)
        return cmd_lint(args)
    except Missing as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
