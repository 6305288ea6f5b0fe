"""`shirube ingest` through the real CLI: one JSON document, readable summaries, exit codes."""

import json
import subprocess
import sys

from test_ingest_support import HIGH_SCHOOL, JUNIOR_HIGH, query, schools_rows, write_csv

RETURN_HEADER = ["学校コード", "年度", "学期", "提出日", "B1"]


def shirube(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", *args], capture_output=True, text=True, timeout=120
    )


def files(tmp_path):
    schools = write_csv(tmp_path / "1_schools.csv", schools_rows(JUNIOR_HIGH, HIGH_SCHOOL))
    returns = write_csv(
        tmp_path / "2_returns.csv",
        [
            RETURN_HEADER,
            [JUNIOR_HIGH, "令和7年度", "1", "2025-07-01", "80"],
            [HIGH_SCHOOL, "2025", "9", "2025-07-01", "abc"],
        ],
        encoding="cp932",
    )
    return schools, returns


def test_json_is_exactly_one_document_with_the_issue_keys_and_exit_0(tmp_path):
    schools, returns = files(tmp_path)
    db = tmp_path / "w.duckdb"
    result = shirube("ingest", "--db", str(db), "--json", str(schools), str(returns))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # fails if anything else is on stdout
    assert [sorted(f) for f in document["files"]] == [
        sorted(["path", "kind", "status", "rows_read", "rows_loaded", "rows_quarantined", "reason"])
    ] * 2
    assert [
        (f["path"], f["kind"], f["status"], f["rows_read"], f["rows_loaded"], f["rows_quarantined"])
        for f in document["files"]
    ] == [
        (str(schools), "schools", "loaded", 2, 2, 0),
        (str(returns), "returns", "loaded", 2, 1, 1),
    ]
    assert query(db, "select count(*) from raw.returns") == [(1,)]


def test_folder_is_processed_in_path_order(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    files(folder)
    result = shirube("ingest", "--db", str(tmp_path / "w.duckdb"), "--json", str(folder))
    statuses = [(f["kind"], f["status"]) for f in json.loads(result.stdout)["files"]]
    assert statuses == [("schools", "loaded"), ("returns", "loaded")]


def test_any_rejected_file_gives_exit_1_and_its_reason_in_the_chosen_language(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    schools, _ = files(tmp_path)
    result = shirube(
        "ingest",
        "--db",
        str(tmp_path / "w.duckdb"),
        "--json",
        "--lang",
        "en",
        str(empty),
        str(schools),
    )
    assert result.returncode == 1
    first, second = json.loads(result.stdout)["files"]
    assert (first["status"], second["status"]) == ("rejected", "loaded")
    assert first["reason"].startswith("The file is empty")


def test_usage_errors_exit_2_without_a_traceback(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    unsupported = shirube("ingest", "--db", str(tmp_path / "w.duckdb"), str(pdf))
    missing = shirube("ingest", "--db", str(tmp_path / "w.duckdb"), str(tmp_path / "no.csv"))
    assert (unsupported.returncode, missing.returncode) == (2, 2)
    assert "取り込めない種類のファイルです" in unsupported.stderr
    assert "Traceback" not in unsupported.stderr + missing.stderr


def test_summary_is_japanese_by_default_with_top_reasons_and_example_rows(tmp_path):
    schools, returns = files(tmp_path)
    db = tmp_path / "w.duckdb"
    result = shirube("ingest", "--db", str(db), str(schools), str(returns))
    assert result.returncode == 0
    out = result.stdout
    assert "2行中 1行を取り込み、1行を隔離" in out
    assert "隔離した主な理由:" in out
    assert "例: 2_returns.csv 3行目 「学期」 = 「9」" in out
    english = shirube(
        "ingest", "--db", str(tmp_path / "w2.duckdb"), "--lang", "en", str(schools), str(returns)
    )
    assert "Top reasons rows were quarantined:" in english.stdout
    assert "e.g. 2_returns.csv row 3, 'B1' = 'abc'" in english.stdout
    assert "隔離" not in english.stdout
