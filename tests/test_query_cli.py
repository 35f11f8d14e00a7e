"""``lpwh query`` and ``lpwh sql``: listing, formats, and clear errors (on both databases)."""

from __future__ import annotations

import csv
import io
import json

from query_data import Data
from typer.testing import CliRunner

from warehouse.cli import app
from warehouse.queries import list_queries, run_sql

runner = CliRunner()


def lpwh(*args: str):
    return runner.invoke(app, list(args))


def _volume_data(url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00", status="CLOSE")
    d.conversation("c2", "2024-03-01 09:00", status="OPEN")
    d.conversation("c3", "2024-03-02 10:00", status="CLOSE")
    d.insert(url)


def test_list_names_every_query_and_its_question() -> None:
    result = lpwh("query", "--list", "--format", "csv")
    assert result.exit_code == 0, result.output
    listed = list(csv.reader(io.StringIO(result.stdout)))
    assert listed[0] == ["name", "question"]
    assert listed[1:] == [[q.name, q.question] for q in list_queries()]
    assert [
        "conversation_volume",
        "How many conversations start each day, and how many are closed?",
    ] in listed


def test_list_as_a_table() -> None:
    result = lpwh("query", "--list")
    assert result.exit_code == 0
    for info in list_queries():
        assert info.name in result.stdout


def test_query_json_has_exactly_the_documented_columns(db_url: str) -> None:
    _volume_data(db_url)
    result = lpwh("query", "conversation_volume", "--format", "json", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"day": "2024-03-01", "conversations": 2, "closed": 1, "open": 1},
        {"day": "2024-03-02", "conversations": 1, "closed": 1, "open": 0},
    ]


def test_query_json_with_range_and_params(db_url: str) -> None:
    d = Data()
    d.visit("v1", "2024-03-01 10:00")
    d.page_view("v1", "/home", "2024-03-01 10:00")
    d.page_view("v1", "/cart", "2024-03-01 10:01")
    d.page_view("v1", "/home", "2024-03-01 10:02")
    d.visit("v2", "2024-03-02 10:00")
    d.page_view("v2", "/pay", "2024-03-02 10:00")
    d.insert(db_url)
    result = lpwh(
        "query", "top_pages", "--start", "2024-03-01", "--end", "2024-03-02",
        "--param", "limit=1", "--format", "json", "--db", db_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"url": "/home", "page_views": 2, "visits": 1, "entries": 1}
    ]


def test_query_json_of_no_rows_is_an_empty_array(db_url: str) -> None:
    result = lpwh("query", "csat_by_agent", "--format", "json", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_query_csv_has_a_header(db_url: str) -> None:
    _volume_data(db_url)
    result = lpwh(
        "query", "conversation_volume", "--format", "csv", "--start", "2024-03-02", "--db", db_url
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["day,conversations,closed,open", "2024-03-02,1,1,0"]


def test_query_csv_null_is_an_empty_cell(db_url: str) -> None:
    d = Data()
    d.conversation("c1", "2024-03-01 08:00", latest_agent_id="a1", csat_rate=None)
    d.insert(db_url)
    result = lpwh("query", "csat_by_agent", "--format", "csv", "--db", db_url)
    assert result.stdout.splitlines() == [
        "agent_id,agent_name,conversations,rated,avg_csat,csat_top2_pct",
        "a1,,1,0,,",
    ]


def test_query_table(db_url: str) -> None:
    _volume_data(db_url)
    result = lpwh("query", "conversation_volume", "--db", db_url)
    assert result.exit_code == 0, result.output
    for text in ("day", "conversations", "closed", "open", "2024-03-01", "2024-03-02", "2 rows"):
        assert text in result.stdout


def test_a_big_result_as_a_table_shows_its_first_rows_and_says_so(duckdb_url: str) -> None:
    # A table is for people, and laid out cell by cell: 100,000 rows took 7 minutes.
    sql = "SELECT range AS n FROM range(1500)"
    result = lpwh("sql", sql, "--db", duckdb_url)
    assert result.exit_code == 0, result.output
    assert "the first 1,000 of 1,500 rows: --format csv or json gives them all" in result.stdout
    assert "│ 999 │" in result.stdout and "│ 1000 │" not in result.stdout
    result = lpwh("sql", sql, "--db", duckdb_url, "--format", "csv")
    assert result.stdout.splitlines()[-1] == "1499"


def test_unknown_query_names_the_queries(duckdb_url: str) -> None:
    result = lpwh("query", "no_such_query", "--db", duckdb_url)
    assert result.exit_code == 1
    assert "unknown query 'no_such_query'" in result.stderr
    assert "conversation_volume" in result.stderr and "top_pages" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_param_names_the_parameters(duckdb_url: str) -> None:
    result = lpwh("query", "top_pages", "--param", "size=3", "--db", duckdb_url)
    assert result.exit_code == 1
    assert "no parameter 'size'" in result.stderr
    assert "limit (int, default 20)" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_param_and_bad_date(duckdb_url: str) -> None:
    result = lpwh("query", "top_pages", "--param", "limit", "--db", duckdb_url)
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr
    # An empty value is no value (it used to run with the default, silently).
    result = lpwh("query", "top_pages", "--param", "limit=", "--db", duckdb_url)
    assert result.exit_code == 2 and "KEY=VALUE" in result.stderr
    # A parameter given twice is a mistake, not the last one winning.
    result = lpwh(
        "query", "top_pages", "--param", "limit=3", "--param", "limit=5", "--db", duckdb_url
    )
    assert result.exit_code == 2 and "--param limit is given twice" in result.stderr
    result = lpwh("query", "conversation_volume", "--start", "03/01/2024", "--db", duckdb_url)
    assert result.exit_code == 1
    assert "start must be a date YYYY-MM-DD, got '03/01/2024'" in result.stderr


def test_bad_format_and_missing_name(duckdb_url: str) -> None:
    result = lpwh("query", "conversation_volume", "--format", "xml", "--db", duckdb_url)
    assert result.exit_code == 2
    assert "table, csv, json" in result.stderr
    result = lpwh("query", "--db", duckdb_url)
    assert result.exit_code == 2
    assert "--list" in result.stderr


def test_missing_warehouse_file(tmp_path) -> None:
    result = lpwh("query", "conversation_volume", "--db", str(tmp_path / "none.duckdb"))
    assert result.exit_code == 1
    assert "no warehouse at" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_database_from_the_environment(duckdb_url: str, monkeypatch) -> None:
    _volume_data(duckdb_url)
    monkeypatch.setenv("LPWH_DATABASE_URL", duckdb_url)
    result = lpwh("sql", "SELECT COUNT(*) AS n FROM conversation", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 3}]


def test_db_before_the_command(db_url: str, tmp_path, monkeypatch) -> None:
    # The contract names --db without its place: ``lpwh --db URL sql …`` works too, and
    # wins over the environment.
    _volume_data(db_url)
    monkeypatch.setenv("LPWH_DATABASE_URL", str(tmp_path / "other.duckdb"))
    result = lpwh(
        "--db", db_url, "sql", "SELECT COUNT(*) AS n FROM conversation", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 3}]
    result = lpwh("--db", db_url, "--wait", "1", "query", "conversation_volume", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["2024-03-01,2,1,1", "2024-03-02,1,1,0"]
    assert not (tmp_path / "other.duckdb").exists()
    result = lpwh("--db", db_url, "sql", "SELECT COUNT(*) AS n FROM conversation", "--db", db_url)
    assert result.exit_code == 0, result.output


def test_db_given_twice_differently_is_refused(duckdb_url: str, tmp_path) -> None:
    other = str(tmp_path / "other.duckdb")
    for command in (["sql", "SELECT 1"], ["load", str(tmp_path)], ["migrate"], ["publish", other]):
        result = lpwh("--db", duckdb_url, *command, "--db", other)
        assert result.exit_code == 2, (command, result.output)
        assert f"lpwh {command[0]}: --db is given twice, with different values" in result.stderr
    assert not (tmp_path / "other.duckdb").exists()


def test_sql_formats(db_url: str) -> None:
    _volume_data(db_url)
    sql = "SELECT conversation_id, start_time FROM conversation WHERE status = 'OPEN'"
    result = lpwh("sql", sql, "--format", "json", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"conversation_id": "c2", "start_time": "2024-03-01T09:00:00"}
    ]
    result = lpwh("sql", sql, "--format", "csv", "--db", db_url)
    assert result.stdout.splitlines() == ["conversation_id,start_time", "c2,2024-03-01T09:00:00"]


def test_sql_drop_table_fails_and_changes_nothing(db_url: str) -> None:
    _volume_data(db_url)
    result = lpwh("sql", "DROP TABLE conversation", "--db", db_url)
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert "Traceback" not in result.output
    assert run_sql(db_url, "SELECT COUNT(*) AS n FROM conversation").rows == [(3,)]


def test_sql_error_is_one_clear_line(db_url: str) -> None:
    result = lpwh("sql", "SELECT * FROM no_such_table", "--db", db_url)
    assert result.exit_code == 1
    assert result.stderr.startswith("lpwh sql: SQL failed:")
    assert "no_such_table" in result.stderr
    assert "Traceback" not in result.output


def test_sql_json_refuses_two_columns_of_one_name(duckdb_url: str) -> None:
    # One object key would hide the other column's values ([{"a": 2}] for a and a).
    result = lpwh("sql", "SELECT 1 AS a, 2 AS a", "--format", "json", "--db", duckdb_url)
    assert result.exit_code == 1
    assert "more than one column is named 'a'" in result.stderr
    result = lpwh("sql", "SELECT 1 AS a, 2 AS a", "--format", "csv", "--db", duckdb_url)
    assert result.exit_code == 0 and result.stdout.splitlines() == ["a,a", "1,2"]


def test_sql_on_a_directory_says_it_is_one(tmp_path) -> None:
    result = lpwh("sql", "SELECT 1", "--db", str(tmp_path))
    assert result.exit_code == 1
    assert "is a directory, not a DuckDB warehouse file" in result.stderr
