# Copyright 2026 Time Bank contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Helpers of the load suites: (re)create a ``tb_load*`` database and run a
real prefork Odoo server on localhost for the duration of a run."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDONS = f"/opt/odoo18/odoo/addons,{REPO}"
ODOO_BIN = "/opt/odoo18/odoo-bin"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check_db_name(parser, db):
    if not db.startswith("tb_load"):
        parser.error("use a database whose name starts with tb_load")


def create_db(db, http_port, modules="timebank_volunteer"):
    """Drop ``db`` if it exists, create it and install ``modules`` with their
    demo data."""
    assert db.startswith("tb_load"), db
    log(f"creating {db} with {modules} and its demo data")
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", db], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={ADDONS}",
            "-i",
            modules,
            "--stop-after-init",
            f"--http-port={http_port}",
            "--log-level=warn",
        ],
        check=True,
    )


def registry(db):
    """The registry of ``db`` in this process (for setup and checks)."""
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ADDONS}", "--log-level=critical"])
    return Registry(db)


def start_server(db, http_port, workers=4, logfile=None, extra=()):
    """Start ``odoo-bin`` with ``workers`` workers on 127.0.0.1:``http_port``
    (the gevent port is the next one) in its own process group and wait until
    it answers. Returns the ``Popen``; stop it with ``stop_server``."""
    if logfile and os.path.exists(logfile):
        os.remove(logfile)
    server = subprocess.Popen(
        # odoo-bin, not "-m odoo": the prefork server re-executes sys.argv[0]
        # for its gevent process
        [
            sys.executable,
            ODOO_BIN,
            "-d",
            db,
            f"--addons-path={ADDONS}",
            f"--http-port={http_port}",
            f"--gevent-port={http_port + 1}",
            "--http-interface=127.0.0.1",
            f"--db-filter=^{db}$",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--limit-time-real=300",
            "--limit-time-cpu=240",
            "--log-level=warn",
            *([f"--logfile={logfile}"] if logfile else []),
            *extra,
        ],
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{http_port}"
    for _i in range(90):
        if server.poll() is not None:
            raise RuntimeError(f"the Odoo server stopped (exit {server.returncode})")
        try:
            urllib.request.urlopen(f"{url}/web/login", timeout=5)
            break
        except OSError:
            time.sleep(1)
    else:
        stop_server(server)
        raise RuntimeError(f"the Odoo server did not answer on {url}")
    return server


def stop_server(server):
    """Stop the server started by ``start_server`` (its whole process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
