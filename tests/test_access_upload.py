"""Upload rules: a size limit, a type check by extension and content, and a hub coordinator's
upload loading only their hub's schools (other rows quarantined with a reason)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from access_warehouse import SCHOOL_A, SCHOOL_C, SCHOOLS, make_real_warehouse, returns_csv

from dashboard import upload
from pipelines.i18n import t


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["学校コード", "学校名", "市区町村コード"])
    book.active.append([SCHOOL_A, "千代田中学校", "13101"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("学校一覧.csv", "学校コード,学校名\r\nC1,千代田\r\n".encode("cp932")),
        ("学校一覧.csv", "\ufeff学校コード,学校名\r\n".encode()),
        ("returns.csv", "学校コード,学校名\r\n".encode("utf-16")),
        ("学校一覧.xlsx", xlsx_bytes()),
    ],
)
def test_real_csv_and_xlsx_files_pass_the_check(name, content):
    assert upload.check_upload(name, content, "ja") is None


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("notes.txt", b"hello", "upload_bad_type"),
        ("noextension", b"a,b\r\n", "upload_bad_type"),
        ("macro.xlsm", xlsx_bytes(), "upload_bad_type"),
        ("renamed.xlsx", "学校コード,学校名\r\n".encode("cp932"), "upload_bad_content"),
        ("workbook.csv", xlsx_bytes(), "upload_bad_content"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "upload_bad_content"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_with_its_name(name, content, key):
    message = upload.check_upload(name, content, "en")
    assert message == t(f"dashboard.{key}", "en", file=name)


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[ingest]\nmax_upload_mb = 0.001\n", encoding="utf-8")  # 1,048 bytes
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    small = "学校コード\r\n".encode("cp932")
    large = small + b"C1,x\r\n" * 200
    assert upload.check_upload("a.csv", small, "ja") is None
    message = upload.check_upload("a.csv", large, "ja")
    assert message is not None and "a.csv" in message and "0.001" in message


def test_a_coordinators_upload_quarantines_rows_of_other_hubs_schools(tmp_path, monkeypatch):
    db = tmp_path / "shirube.duckdb"
    make_real_warehouse(db, tmp_path / "sample")
    monkeypatch.setenv("SHIRUBE_DB", str(db))
    own = {code for code, *_, hub, _ in SCHOOLS if hub == "H01"}
    outcome = upload.ingest_uploads(
        [("自己評価2.csv", returns_csv((SCHOOL_A, SCHOOL_C)))],
        "en",
        user="coord@example.org",
        allowed_schools=own,
    )
    assert outcome.error is None
    (row,) = outcome.files.to_dicts()
    assert (
        row[t("dashboard.col_rows_loaded", "en")],
        row[t("dashboard.col_rows_quarantined", "en")],
    ) == (1, 1)
    rows = outcome.quarantine["自己評価2.csv"]
    assert rows[t("dashboard.col_value", "en")].to_list() == [SCHOOL_C]
    assert "scope" in rows[t("dashboard.col_reason", "en")].item(0)
