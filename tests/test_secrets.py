"""Secrets: a database URL's password never appears in output, logs, errors or the warehouse.

A role with a password is created on the test server, owning a fresh database; every
command runs with a URL that carries that password — and with URLs that make each
command fail (a closed port, a database that does not exist, a bad option, a password
with a broken percent-escape). The password must not appear in stdout or stderr, in any
row of ``load_file`` / ``load_rejection``, in log records (captured at DEBUG level), or
in a published copy.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import _libpq_url, _with_database
from sqlalchemy.engine import make_url
from test_load import query
from test_properties import json_lines, snapshot
from typer.testing import CliRunner

from warehouse import db
from warehouse.cli import app

PASSWORD = f"s3cr3t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def secret_url(_pg_server, pg_server_url) -> Iterator[str]:
    """A fresh database owned by a role that logs in with PASSWORD; its URL holds it."""
    role = f"lpwh_secret_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_libpq_url(pg_server_url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    url = _pg_server.create(f"secret{uuid.uuid4().hex[:6]}")
    name = make_url(url).database
    with psycopg.connect(_libpq_url(pg_server_url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO {role}')
    server = make_url(_libpq_url(_with_database(pg_server_url, name)))
    try:
        yield server.set(username=role, password=PASSWORD).render_as_string(hide_password=False)
    finally:
        _pg_server.drop(url)
        with psycopg.connect(_libpq_url(pg_server_url), autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def lpwh(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPWH_")}
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def assert_hidden(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert PASSWORD.replace("-", "%2D") not in text


@pytest.fixture
def exports(tmp_path) -> tuple[Path, Path]:
    good = tmp_path / "good.jsonl"
    good.write_bytes(json_lines([snapshot("c1", 1, 2), {"info": {}}]))  # one record rejected
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{not json")
    return good, bad


def test_every_command_keeps_the_password_out_of_its_output(secret_url, exports, tmp_path):
    assert PASSWORD in secret_url
    good, bad = exports
    runs = [
        lpwh("migrate", "--db", secret_url),
        lpwh("load", str(good), str(bad), "--db", secret_url),
        lpwh("load", str(good), "--db", secret_url, "--force", "--format", "json"),
        lpwh("query", "csat_by_agent", "--db", secret_url),
        lpwh("sql", "SELECT count(*) AS n FROM conversation", "--db", secret_url),
        lpwh("sql", "SELECT nope FROM nowhere", "--db", secret_url),
        lpwh("sql", "DELETE FROM conversation", "--db", secret_url),
        lpwh("publish", str(tmp_path / "copy.duckdb"), "--db", secret_url),
        lpwh("load", str(good), "--db", secret_url, "--publish", str(tmp_path / "c2.duckdb")),
    ]
    codes = [r.returncode for r in runs]
    assert codes == [0, 1, 1, 0, 0, 1, 1, 0, 0], [r.stderr for r in runs]
    for run in runs:
        assert_hidden(run.stdout, run.stderr)
    assert ":***@" in runs[0].stdout  # the database is named, with its password masked
    assert json.loads(runs[2].stdout)["database"].count(":***@") == 1
    # The warehouse itself: bookkeeping rows, and the published copies byte for byte.
    for table in ("load_file", "load_rejection"):
        assert_hidden(repr(query(secret_url, f"SELECT * FROM {table}")))
    assert query(secret_url, "SELECT count(*) FROM load_rejection")[0][0] >= 2
    for copy in ("copy.duckdb", "c2.duckdb"):
        assert PASSWORD.encode() not in (tmp_path / copy).read_bytes()


@pytest.mark.parametrize(
    "change",
    [
        {"port": 1},  # nothing listens there
        {"database": "lpwh_no_such_database"},
        {"query": {"sslmode": "bogus"}},
        {"password": PASSWORD + "%zz"},  # a broken percent-escape in the password itself
    ],
    ids=["closed-port", "no-database", "bad-option", "bad-escape"],
)
def test_failing_commands_keep_the_password_out_of_their_errors(secret_url, exports, change):
    url = make_url(secret_url)
    if "password" in change:
        text = url.render_as_string(hide_password=False).replace(PASSWORD, change["password"])
    else:
        text = url.set(**change).render_as_string(hide_password=False)
    good, _ = exports
    for args in (
        ["migrate"],
        ["load", str(good)],
        ["query", "csat_by_agent"],
        ["sql", "SELECT 1"],
        ["publish", str(good.with_suffix(".duckdb"))],
    ):
        run = lpwh(*args, "--db", text)
        if "password" not in change:  # (the test server trusts local users: any password works)
            assert run.returncode == 1, (args, run.stdout, run.stderr)
            assert run.stderr.strip()
        assert "Traceback" not in run.stderr
        assert_hidden(run.stdout, run.stderr)
        assert change.get("password", "%zz") not in run.stdout + run.stderr


def test_logs_keep_the_password_out(secret_url, exports, caplog):
    good, bad = exports
    runner = CliRunner()
    with caplog.at_level(logging.DEBUG):
        for args in (["migrate"], ["load", str(good), str(bad)], ["sql", "SELECT 1"]):
            result = runner.invoke(app, [*args, "--db", secret_url])
            assert_hidden(result.output)
    assert caplog.records  # DEBUG logging of the database layers was captured
    assert_hidden(caplog.text, *(repr(r.args) for r in caplog.records))


@pytest.mark.parametrize(
    "password", ["pass#word", "p/ssw0rd", "pa?ss", "hunter2@TopSecret99", "p w d"]
)
def test_passwords_with_unescaped_url_characters_are_masked(password):
    # People write such passwords into URLs unescaped, and drivers accept some of them.
    url = f"postgresql://postgres:{password}@127.0.0.1:5432/db"
    assert db.redact(url) == "postgresql://postgres:***@127.0.0.1:5432/db"
    # A driver's error may quote the URL, the password, or the part it took for the host.
    after = password.split("@")[-1]
    message = f"cannot connect to {url}: password {password!r}; no host '{after}@127.0.0.1'"
    shown = db.scrub(message, url)
    for part in {password, *password.replace("@", " ").split()} - {"p", "w", "d"}:
        assert part not in shown, shown


def test_commands_mask_a_password_the_driver_took_for_part_of_the_host(tmp_path):
    # libpq splits "u:hunter2@TopSecret99@host" at the first "@" and names the host it could
    # not resolve: 'TopSecret99@127.0.0.1'. No command shows that part of the password.
    url = "postgresql://postgres:hunter2@TopSecret99@127.0.0.1:5432/lpwh_nowhere"
    export = tmp_path / "e.jsonl"
    export.write_bytes(json_lines([snapshot("c1", 1, 2)]))
    for args in (["sql", "SELECT 1"], ["query", "csat_by_agent"], ["load", str(export)]):
        run = lpwh(*args, "--db", url)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        assert "hunter2" not in run.stderr + run.stdout
        assert "TopSecret99" not in run.stderr + run.stdout, run.stderr


@pytest.mark.parametrize(
    ("message", "url"),
    [
        ("failed: pw%zz is bad", "postgresql://u:pw%25zz@h/d"),
        ("FATAL: password pa@ss rejected", "postgresql://u:pa@ss@h/d"),
        ("see postgresql://u:p4ss@h/d?x=1", "postgresql://u:p4ss@h/d"),
        ("bad: password=p4ss", "postgresql://h/d?password=p4ss"),
    ],
)
def test_scrub_removes_the_password_in_any_form(message, url):
    shown = db.scrub(message, url)
    password = {"postgresql://u:pw%25zz@h/d": "pw%zz"}.get(
        url, "p4ss" if "p4ss" in url else "pa@ss"
    )
    assert password not in shown
    assert "***" in shown
    assert db.redact(url).count("***") == 1
