"""Files as a whole: archive, duplicates, resubmissions, whole-file rejection, folders, uploads."""

import hashlib
import io
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from test_ingest_support import (
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    csv_bytes,
    load,
    query,
    register_schools,
    table_counts,
    write_csv,
)

from pipelines.ingest import IngestSource, UsageError, expand_paths
from pipelines.warehouse import archive_dir

RETURN_HEADER = ["学校コード", "年度", "学期", "提出日", "B1"]


def test_loaded_file_is_archived_byte_for_byte_under_its_sha256(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    path = write_csv(
        tmp_path / "r.csv",
        [RETURN_HEADER, [JUNIOR_HIGH, "2025", "1", "2025-07-01", "70"]],
        encoding="cp932",
    )
    (result,) = load(db, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    ((sha, archived, name, status),) = query(
        db,
        "select sha256, archive_path, original_name, status from raw.ingest_log where file_id = ?",
        [result.file_id],
    )
    assert (sha, name, status) == (digest, "r.csv", "loaded")
    assert digest in archived
    assert (archive_dir(db) / archived).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("where", ["upload", "file on another file system"])
def test_upload_and_file_on_another_file_system_are_archived_byte_for_byte(tmp_path, where):
    """The archive copy of a file on disk is made by the kernel where it can; an upload's bytes
    (no file), or a file on another file system than the warehouse's (/dev/shm, a tmpfs, where
    the kernel may refuse), take the buffered copy. Each gives the same bytes."""
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [[JUNIOR_HIGH, "2025", "1", f"2025-07-{day:02d}", str(day)] for day in range(1, 29)]
    data = csv_bytes([RETURN_HEADER, *rows])
    with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
        if where == "upload":
            source = IngestSource("returns.csv", data)
        else:
            source = Path(shm) / "returns.csv"
            source.write_bytes(data)
        (result,) = load(db, source)
    ((archived,),) = query(
        db, "select archive_path from raw.ingest_log where file_id = ?", [result.file_id]
    )
    assert result.status == "loaded" and result.rows_loaded == 28
    assert (archive_dir(db) / archived).read_bytes() == data


def test_same_bytes_twice_is_a_duplicate_and_changes_no_data(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    data = csv_bytes([RETURN_HEADER, [JUNIOR_HIGH, "2025", "1", "2025-07-01", "70"]])
    (first,) = load(db, IngestSource("returns.csv", data))
    before = table_counts(db)
    renamed = tmp_path / "copy_with_other_name.csv"
    renamed.write_bytes(data)
    (again,) = load(db, renamed)
    assert (first.status, again.status) == ("loaded", "duplicate")
    assert str(first.file_id) in again.reason_ja and "same bytes" in again.reason_en
    after = table_counts(db)
    assert after.pop("ingest_log") == before.pop("ingest_log") + 1
    assert after == before


def test_resubmitted_return_keeps_both_rows_and_the_later_file_is_newer(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    key = [JUNIOR_HIGH, "2025", "1", "2025-07-01"]
    first = write_csv(tmp_path / "first.csv", [RETURN_HEADER, key + ["40"]])
    second = write_csv(tmp_path / "second.csv", [RETURN_HEADER, key + ["90"]])
    a, b = load(db, first, second)
    history = query(
        db,
        "select r.file_id, s.score from raw.returns r join raw.return_scores s "
        "using (file_id, row_number) order by r.file_id",
    )
    assert history == [(a.file_id, 40.0), (b.file_id, 90.0)]
    assert b.file_id > a.file_id


_RNG = random.Random(3)
GARBAGE = bytes(_RNG.randrange(256) for _ in range(4096))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


REJECTIONS = [
    ("empty.csv", b"", "空です", "empty"),
    ("blank.csv", b"\r\n \r\n", "空です", "empty"),
    ("garbage.csv", GARBAGE, "バイナリ", "binary"),
    ("bad_encoding.csv", b"abc,def\n\x82\xff\xff\n", "文字コード", "encoding"),
    (
        "no_header.csv",
        csv_bytes([["氏名", "点数"], ["山田", "80"]]),
        "見出し行が見つかりません",
        "No header row",
    ),
    ("only_header.csv", csv_bytes([RETURN_HEADER]), "データ行がありません", "no data rows"),
    (
        "missing_column.csv",
        csv_bytes([["学校コード", "年度", "学期", "B1"], [JUNIOR_HIGH, "2025", "1", "80"]]),
        "提出日",
        "submitted_on",
    ),
    ("photo.xlsx", PNG, "Excel ファイルとして読めません", "Excel workbook"),
    ("archive.xlsx", _zip_of_text(), "Excel ファイルとして読めません", "Excel workbook"),
]


@pytest.mark.parametrize(("name", "data", "ja", "en"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_unusable_file_is_rejected_whole_with_a_reason_and_changes_no_data(
    tmp_path, name, data, ja, en
):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    before = table_counts(db)
    archived_before = sorted(archive_dir(db).rglob("*"))
    (result,) = load(db, IngestSource(name, data))
    assert result.status == "rejected"
    assert ja in result.reason_ja and en in result.reason_en
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (0, 0, 0)
    after = table_counts(db)
    assert after.pop("ingest_log") == before.pop("ingest_log") + 1
    assert after == before
    assert sorted(archive_dir(db).rglob("*")) == archived_before
    assert query(
        db, "select status, archive_path from raw.ingest_log where file_id = ?", [result.file_id]
    ) == [("rejected", None)]


def test_rejected_file_does_not_stop_the_files_after_it(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    good = write_csv(
        tmp_path / "b.csv", [RETURN_HEADER, [HIGH_SCHOOL, "2025", "1", "2025-07-01", "55"]]
    )
    bad, ok = load(db, IngestSource("a.csv", b""), good)
    assert (bad.status, ok.status, ok.rows_loaded) == ("rejected", "loaded", 1)


def test_folders_expand_recursively_by_path_skipping_hidden_notes_and_lock_files(tmp_path):
    root = tmp_path / "inbox"
    for relative in [
        "b/2.csv",
        "a/z.xlsx",
        "a/1.CSV",
        "top.xlsm",
        "README.txt",
        "notes.md",
        ".hidden.csv",
        ".git/x.csv",
        "a/~$z.xlsx",
        "old.xls",
    ]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"x")
    explicit = write_csv(tmp_path / "single.txt", [["a"]])
    found = [p.relative_to(tmp_path).as_posix() for p in expand_paths([explicit, root])]
    assert found == [
        "single.txt",
        "inbox/a/1.CSV",
        "inbox/a/z.xlsx",
        "inbox/b/2.csv",
        "inbox/old.xls",
        "inbox/top.xlsm",
    ]


def test_explicit_unsupported_file_or_missing_path_is_a_usage_error(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(UsageError) as unsupported:
        expand_paths([pdf])
    assert unsupported.value.key == "usage_unsupported_extension"
    with pytest.raises(UsageError) as missing:
        expand_paths([tmp_path / "nowhere.csv"])
    assert missing.value.key == "usage_not_a_file"
