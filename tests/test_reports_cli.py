"""`shirube report` through the real CLI: writes each format, fails clearly on bad input."""

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from report_fixture import make_report_fixture

from pipelines.i18n import t

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("warehouse") / "shirube.duckdb"
    make_report_fixture(path)
    return path


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shirube.cli", "report", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_clear_failure(result: subprocess.CompletedProcess, code: int, message: str) -> None:
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx", ".html"])
def test_report_writes_the_format_named_by_the_extension(db, tmp_path, suffix):
    out = tmp_path / "reports" / f"aichi{suffix}"
    result = report("--db", str(db), "--year", "2025", "--area", "prefecture:23", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert t("report.written", "ja", path=out) in result.stdout
    data = out.read_bytes()
    if suffix == ".pdf":
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert "愛知県" in text and "2025年度" in text
    elif suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[0] == t("report.sheet_summary", "ja")
    else:
        assert data.startswith(b"<!DOCTYPE html>") and "愛知県".encode() in data


def test_english_report_on_request(db, tmp_path):
    out = tmp_path / "national.html"
    result = report("--db", str(db), "--year", "2025", "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert t("report.written", "en", path=out) in result.stdout
    assert t("report.title", "en") in out.read_text(encoding="utf-8")


def test_unsupported_extension_is_a_usage_error_in_both_languages(db, tmp_path):
    out = tmp_path / "report.docx"
    result = report("--db", str(db), "--year", "2025", "--out", str(out))
    assert_clear_failure(result, 2, t("report.error_bad_extension", "ja", suffix=".docx"))
    assert t("report.error_bad_extension", "en", suffix=".docx") in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("area", "key"), [("ward:13101", "error_bad_area"), ("hub:NO-SUCH-HUB", "error_unknown_area")]
)
def test_bad_or_unknown_area_fails_with_a_message(db, tmp_path, area, key):
    out = tmp_path / "r.xlsx"
    result = report(
        "--db", str(db), "--year", "2025", "--area", area, "--out", str(out), "--lang", "en"
    )
    expected = t(f"report.{key}", "en", area=area if key == "error_bad_area" else "hub:NO-SUCH-HUB")
    assert_clear_failure(result, 1, expected)
    assert not out.exists()


def test_year_without_data_names_the_years_that_have_data(db, tmp_path):
    result = report("--db", str(db), "--year", "2019", "--out", str(tmp_path / "r.html"))
    assert_clear_failure(
        result,
        1,
        t("report.error_no_data_for_year", "ja", area="全国", year=2019, years="2024, 2025"),
    )


def test_no_snapshot_yet_says_to_build_first(tmp_path):
    empty = tmp_path / "empty.duckdb"
    result = report("--db", str(empty), "--year", "2025", "--out", str(tmp_path / "r.pdf"))
    assert_clear_failure(result, 1, t("report.error_no_snapshot", "ja", db=empty.resolve()))
