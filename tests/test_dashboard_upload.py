"""The upload page's handlers: the CLI's ingest on uploaded bytes, shown file by file and row by
row, then the rebuild that the dashboard picks up."""

from __future__ import annotations

from dashboard import upload
from pipelines.codes import make_school_code
from pipelines.i18n import t
from pipelines.settings import default_framework
from pipelines.warehouse import current_snapshot

SCHOOL = make_school_code("C1", "13", "2", 1)


def _schools_csv_cp932() -> bytes:
    return f"学校コード,学校名,市区町村コード\r\n{SCHOOL},千代田中学校,13101\r\n".encode("cp932")


def _returns_csv_with_one_bad_row() -> bytes:
    ids = default_framework().ids
    header = ",".join(["学校コード", "年度", "学期", "提出日", *ids])
    good = ",".join([SCHOOL, "2025", "1", "2025-07-15", *["100"] * len(ids)])
    bad = ",".join([SCHOOL, "2025", "2", "2025-11-15", "120", *["50"] * (len(ids) - 1)])
    return ("\ufeff" + "\r\n".join([header, good, bad]) + "\r\n").encode("utf-8")


def test_uploaded_files_are_ingested_and_reported_row_by_row(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIRUBE_DB", str(tmp_path / "shirube.duckdb"))
    outcome = upload.ingest_uploads(
        [("学校一覧.csv", _schools_csv_cp932()), ("自己評価.csv", _returns_csv_with_one_bad_row())],
        "ja",
    )
    assert outcome.error is None
    files = outcome.files.to_dicts()
    loaded = t("dashboard.col_rows_loaded", "ja")
    quarantined = t("dashboard.col_rows_quarantined", "ja")
    assert [(f[loaded], f[quarantined]) for f in files] == [(1, 0), (1, 1)]
    rows = outcome.quarantine["自己評価.csv"]
    assert rows[t("dashboard.col_row", "ja")].to_list() == [3]  # header is row 1
    assert rows[t("dashboard.col_value", "ja")].to_list() == ["120"]


def test_rebuild_publishes_a_snapshot_the_dashboard_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIRUBE_DB", str(tmp_path / "shirube.duckdb"))
    upload.ingest_uploads([("学校一覧.csv", _schools_csv_cp932())], "en")
    assert current_snapshot(tmp_path / "shirube.duckdb") is None
    ok, message = upload.build_now("en")
    assert ok, message
    assert message == t("dashboard.build_done", "en")
    assert current_snapshot(tmp_path / "shirube.duckdb") is not None
