"""A file read in many small chunks loads exactly what one chunk for the whole file loads.

Real files (CSV in UTF-8, CP932 and ASCII; every kind with a rule or an insert that looks
across rows) written here cross many chunk boundaries, with the values that take the slow paths
(full-width digits for NFKC, spaces to trim, a blank row, quoted separators and line breaks, a
control character) and broken rows, one of them the file's last row. Each is ingested twice,
into its own warehouse: with `chunk_bytes` small, and with one chunk for the whole file; the
rows loaded, the quarantine (rules, reasons, row numbers) and the counts must be the same.
The small-chunk side runs twice, with the chunks after the first joined into batches of
`[ingest] insert_rows` (reading.batched): of a few chunks each (BATCH_ROWS), and all in one
(ONE_BATCH), so a control character or an over-long value in a chunk that is neither the first
nor the last of its batch must still get its rule.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from criteria_support import HEADER_JA as CRITERIA_HEADER
from criteria_support import all_met
from hostile_files import xlsx_bytes
from test_ingest_support import (
    ELEMENTARY,
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    csv_bytes,
    query,
    register_schools,
    table_counts,
)

from pipelines.ingest import FileResult, IngestSource, ingest_files
from pipelines.ingest.reading import batched, open_chunks
from pipelines.ingest.textstream import scan
from pipelines.reference import activity_types
from pipelines.settings import default_framework

SMALL = 1500  # bytes of text per chunk: dozens of chunks for these files
WHOLE = 1 << 30
BATCH_ROWS = 37  # [ingest] insert_rows of the small-chunk side: a few chunks' rows a batch
ONE_BATCH = 10**6  # ... and every chunk after the first in one batch

TABLES = (
    "schools",
    "returns",
    "return_scores",
    "criterion_answers",
    "activities",
    "roster",
    "skill_assessments",
    "skill_steps",
    "student_links",
    "quarantine",
    "row_warnings",
)


def activity_rows(count: int) -> list[list[object]]:
    """Activity rows with every path staging takes, and broken rows; the last row is broken."""
    types = sorted(activity_types())
    rows: list[list[object]] = [
        ["学校コード", "生徒番号", "学年", "活動種別", "実施日", "時間", "連携先"]
    ]
    for i in range(count):
        school = (JUNIOR_HIGH, HIGH_SCHOOL)[i % 2]
        rows.append(
            [school, f"S{i:05d}", 1 + i % 3, types[i % len(types)], f"2024-0{1 + i % 9}-1{i % 10}"]
            + [str(1 + i % 4), f"連携先{i % 7}"]
        )
    rows[40][2] = "２"  # full-width digit: NFKC
    rows[41][1] = "  S-trim  "  # spaces around a value
    rows[60] = ["", "", "", "", "", "", ""]  # a blank row: skipped, numbering goes on
    rows[75][6] = "連携先,東京"  # a quoted separator
    rows[76][6] = "二行の\n連携先"  # a quoted line break: one record, quarantined (control)
    rows[90][6] = "制御\x07文字"  # a control character: quarantined
    rows[120][3] = "宇宙旅行"  # unknown activity type
    rows[150][6] = "長" * 201  # a provider over its 200 characters: quarantined
    rows[201][2] = "9"  # grade out of range for the school type
    rows[-1][4] = "2024-02-30"  # an impossible date, in the last chunk
    return rows


def ascii_rows(count: int) -> list[list[object]]:
    """The same rows in ASCII with the contract's English headers (the plain text fast path)."""
    rows = activity_rows(count)
    rows[0] = ["school_code", "student_ref", "grade", "activity_type", "activity_date"]
    rows[0] += ["hours", "provider"]
    for row in rows[1:]:
        row[6] = f"Provider {row[1]}" if row[6] else ""
    rows[40][2] = "2"
    rows[75][6] = "Provider, Tokyo"
    rows[76][6] = "two\nlines"
    rows[90][6] = "bell\x07"
    rows[120][3] = "space_travel"
    rows[150][6] = "x" * 201
    return rows


@contextlib.contextmanager
def insert_rows(folder: Path, rows: int):
    """[ingest] insert_rows set to `rows` (a settings file of its own) while inside."""
    settings = folder / "insert_rows.toml"
    settings.write_text(f"[ingest]\ninsert_rows = {rows}\n", encoding="utf-8")
    before = os.environ.get("SHIRUBE_SETTINGS")
    os.environ["SHIRUBE_SETTINGS"] = str(settings)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SHIRUBE_SETTINGS"]
        else:
            os.environ["SHIRUBE_SETTINGS"] = before


def ingest(
    tmp_path: Path, name: str, data: bytes, chunk_bytes: int, tag: str, batch: int | None = None
) -> tuple:
    db = tmp_path / tag / "w.duckdb"
    db.parent.mkdir(parents=True)
    register_schools(db, db.parent)
    path = db.parent / name
    path.write_bytes(data)
    with contextlib.ExitStack() as stack:
        if batch is not None:
            stack.enter_context(insert_rows(db.parent, batch))
        (result,) = ingest_files([path], db, chunk_bytes=chunk_bytes)
    return db, result


def contents(db: Path, result: FileResult) -> dict[str, list[tuple]]:
    fid = result.file_id
    return {
        table: query(
            db, f"select * exclude (file_id) from raw.{table} where file_id = ? order by all", [fid]
        )
        for table in TABLES
    }


def summary(result: FileResult) -> tuple:
    return (
        result.status,
        result.kind,
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
        result.rows_warned,
        result.reason_en,
        [tuple(vars(q).values()) for q in result.quarantine],
    )


def chunk_count(name: str, data: bytes, chunk_bytes: int) -> int:
    source = IngestSource(name, data)
    return sum(1 for _ in open_chunks(name, source.open, scan(source.open), None, chunk_bytes))


def same_in_small_chunks(
    tmp_path: Path, name: str, data: bytes, small_bytes: int = SMALL
) -> tuple[Path, FileResult]:
    """Ingest `data` in small chunks and whole; assert they agree; the small one's warehouse."""
    assert chunk_count(name, data, small_bytes) > 5  # the file really crosses chunk boundaries
    assert chunk_count(name, data, WHOLE) == 1
    whole_db, whole = ingest(tmp_path, name, data, WHOLE, "whole")
    for batch in (BATCH_ROWS, ONE_BATCH):
        small_db, small = ingest(tmp_path, name, data, small_bytes, f"small{batch}", batch=batch)
        assert small.status == "loaded", small.reason_en
        assert summary(small) == summary(whole)
        assert contents(small_db, small) == contents(whole_db, whole)
    return small_db, small


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("活動.csv", "utf-8"),
        ("活動_bom.csv", "utf-8-sig"),
        ("活動_sjis.csv", "cp932"),
        ("a.csv", None),
    ],
)
def test_small_chunks_load_exactly_what_one_chunk_loads(tmp_path, name, encoding):
    rows = activity_rows(400) if encoding else ascii_rows(400)
    data = csv_bytes(rows, encoding or "utf-8")
    db, small = same_in_small_chunks(tmp_path, name, data)
    # What the rows written above say: 400 data rows, one blank; the broken ones quarantined.
    assert small.rows_read == 399
    last_row = len(rows)  # the header is row 1
    assert {q.row for q in small.quarantine} == {77, 91, 121, 151, 202, last_row}
    assert small.rows_quarantined == 6
    loaded = query(db, "select row_number, grade, student_ref, provider from raw.activities")
    by_row = {r[0]: r[1:] for r in loaded}
    assert by_row[41][0] == 2 and by_row[42][1] == "S-trim" and by_row[76][2] == rows[75][6]
    assert 61 not in by_row and len(by_row) == 393


def test_batches_hold_whole_row_groups_and_every_row_once_in_order():
    """reading.batched: chunks joined until they hold `rows` rows, each batch but the last cut
    at a multiple of `align` (DuckDB's row group; 16 here), the rows past it starting the next:
    every row of the file once, in its order, whatever the cut."""
    data = csv_bytes(ascii_rows(400), "utf-8")
    source = IngestSource("a.csv", data)

    def chunks():
        return open_chunks("a.csv", source.open, scan(source.open), None, SMALL)

    every_row = [row for chunk in chunks() for row in chunk.frame["row_number"].to_list()]
    assert len(list(chunks())) > 5
    for rows in (16, 37, 100):
        batches = list(batched(chunks(), rows, align=16))
        heights = [batch.frame.height for batch in batches]
        assert all(height % 16 == 0 for height in heights[:-1]), (rows, heights)
        assert all(height >= 16 for height in heights[:-1])
        assert [r for b in batches for r in b.frame["row_number"].to_list()] == every_row
    # A batch of fewer rows than one row group is not cut (nothing whole to keep).
    batches = list(batched(chunks(), 37, align=10**6))
    assert all(batch.frame.height >= 37 for batch in batches[:-1])
    assert sum(batch.frame.height for batch in batches) == len(every_row)


def test_quoted_line_breaks_at_every_boundary_stay_in_their_row(tmp_path):
    """Every other row's provider holds a quoted line break (and a quoted comma), so chunk ends
    fall inside quoted values: each cut must move to the end of the record."""
    rows = activity_rows(300)
    for i, row in enumerate(rows[1:], start=2):
        if i % 2 == 0 and row[6]:
            row[6] = f"連携先,{i}\r\n二行目"
    data = csv_bytes(rows, "utf-8")
    _, small = same_in_small_chunks(tmp_path, "q.csv", data)
    control = sorted(q.row for q in small.quarantine if q.rule == "control_character")
    assert control == sorted({77, 91} | {i for i in range(2, len(rows) + 1) if i % 2 == 0})
    assert small.rows_read == 299


def test_a_title_above_the_header_and_an_excel_file(tmp_path):
    """Title rows above the header: data row numbers start after them, in every chunk; an
    Excel workbook is read whole (one chunk) and loads the same rows as its CSV twin."""
    rows = activity_rows(300)
    titled = [["活動記録 2024年度"], [], *rows]
    db, small = same_in_small_chunks(tmp_path, "t.csv", csv_bytes(titled, "cp932"))
    assert {q.row for q in small.quarantine} == {79, 93, 123, 153, 204, len(titled)}
    assert chunk_count("t.xlsx", xlsx_bytes(rows), SMALL) == 1
    xlsx_db, xlsx = ingest(tmp_path, "t.xlsx", xlsx_bytes(rows), SMALL, "xlsx")
    assert xlsx.status == "loaded" and xlsx.rows_read == small.rows_read
    assert xlsx.rows_quarantined == small.rows_quarantined


def returns_rows(count: int) -> list[list[object]]:
    rows: list[list[object]] = [["学校コード", "年度", "学期", "提出日", "B1", "B2", "B3"]]
    for i in range(count):
        rows.append(
            [
                (JUNIOR_HIGH, HIGH_SCHOOL)[i % 2],
                "令和6年度",
                1 + i % 3,
                f"2024-1{i % 3}-0{1 + i % 9}",
            ]
            + [f"{(i * 7) % 101}%", "-" if i % 5 == 0 else str(i % 100), "８０"]
        )
    rows[-1][4] = "百"  # a score that is no number, in the last row
    return rows


def test_returns_in_small_chunks_match_one_chunk(tmp_path):
    data = csv_bytes(returns_rows(300), "utf-8")
    _, small = same_in_small_chunks(tmp_path, "r.csv", data)
    assert small.rows_loaded == 299 and [q.row for q in small.quarantine] == [301]


def test_criteria_rows_of_one_return_across_chunks_make_one_return(tmp_path):
    """Rows with the same school, year, term and date form one return numbered by its last
    row, wherever the chunks cut them."""
    answers = [a for b in default_framework().benchmarks for a in all_met(b.id)]
    rows = [CRITERIA_HEADER]
    for school in (JUNIOR_HIGH, HIGH_SCHOOL):
        for term in (1, 2):
            rows += [[school, "2024", str(term), f"2024-0{5 + term}-01", c, a] for c, a in answers]
    rows.insert(len(rows) // 2, [JUNIOR_HIGH, "2024", "1", "2024-06-01", "no-such", "はい"])
    db, small = same_in_small_chunks(tmp_path, "c.csv", csv_bytes(rows, "cp932"), 400)
    returns = query(db, "select school_code, term, row_number from raw.returns order by 1, 2")
    assert len(returns) == 4
    assert small.rows_quarantined == 1 and small.quarantine[0].rule == "criterion_unknown"
    # Each return is numbered by its last row: the JUNIOR_HIGH term-1 rows end before term 2.
    assert returns[0][2] == 1 + len(answers)


LINKS_HEADER = ["引継ぎ元学校コード", "引継ぎ元生徒番号", "引継ぎ先学校コード", "引継ぎ先生徒番号"]


def test_a_link_loop_split_across_chunks_is_caught(tmp_path):
    """e9 -> j9 in the first chunk and j9 -> e9 in the last: the loop is found across chunks."""
    rows = [[*LINKS_HEADER, "引継ぎ日"], [ELEMENTARY, "e9", JUNIOR_HIGH, "j9", "2025-04-01"]]
    rows += [[ELEMENTARY, f"e{i}", JUNIOR_HIGH, f"j{i}", "2025-04-01"] for i in range(100, 250)]
    rows += [[JUNIOR_HIGH, f"j{i}", HIGH_SCHOOL, f"h{i}", "2025-04-02"] for i in range(100, 250)]
    rows.append([JUNIOR_HIGH, "j9", ELEMENTARY, "e9", "2025-05-01"])
    _, small = same_in_small_chunks(tmp_path, "l.csv", csv_bytes(rows, "utf-8"))
    assert [(q.row, q.rule) for q in small.quarantine] == [(len(rows), "link_closes_loop")]


def test_skills_schools_and_a_duplicate_roster_row_across_chunks(tmp_path):
    skills = [["学校コード", "生徒番号", "学年", "評価日", "評価者", "聴く力", "チームワーク"]]
    skills += [
        [JUNIOR_HIGH, f"s{i}", 1 + i % 3, "2025-06-01", ("教員", "本人")[i % 2], i % 5, "3"]
        for i in range(300)
    ]
    skills[-1][5] = "ステップ99"  # out of range, in the last chunk
    _, result = same_in_small_chunks(tmp_path / "s", "s.csv", csv_bytes(skills, "utf-8"))
    assert [q.row for q in result.quarantine] == [len(skills)]
    # The same student twice in one roster, first row and last row (the later row wins in
    # the models: both rows are loaded, in order).
    roster = [["学校コード", "年度", "生徒番号", "学年"]]
    roster += [[HIGH_SCHOOL, "2024", f"r{i}", 1 + i % 3] for i in range(400)]
    roster.append([HIGH_SCHOOL, "2024", "r0", "3"])
    db, result = same_in_small_chunks(tmp_path / "r", "r.csv", csv_bytes(roster, "utf-8"))
    twice = query(db, "select row_number, grade from raw.roster where student_ref = 'r0'")
    assert sorted(twice) == [(2, 1), (len(roster), 3)]
    schools = [["学校コード", "学校名", "市区町村コード"]]
    schools += [[ELEMENTARY, f"学校{i}", "13101"] for i in range(300)]
    _, result = same_in_small_chunks(tmp_path / "k", "k.csv", csv_bytes(schools, "utf-8"))
    assert result.rows_loaded == 300


def test_a_bad_byte_in_the_last_chunk_changes_nothing(tmp_path):
    rows = activity_rows(400)
    rows[-1][4] = "2024-03-01"
    data = csv_bytes(rows, "cp932")
    data = data[:-40] + b"\x81\x7f" + data[-38:]  # no CP932 character, far past the first chunk
    assert chunk_count("a.csv", data[:-60], SMALL) > 5
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    before = table_counts(db)
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    (result,) = ingest_files([path], db, chunk_bytes=SMALL)
    assert result.status == "rejected" and result.rows_loaded == 0
    assert "encoding" in result.reason_en.lower() or "read" in result.reason_en.lower()
    after = table_counts(db)
    assert after.pop("ingest_log") == before.pop("ingest_log") + 1
    assert after == before
    assert query(db, "select count(*) from raw.activities") == [(0,)]


def test_blank_lines_only_after_the_header_is_rejected_as_whole(tmp_path):
    data = csv_bytes([activity_rows(300)[0]] + [[""] * 7] * 400, "utf-8")
    assert chunk_count("b.csv", data, SMALL) > 1
    _, small = ingest(tmp_path, "b.csv", data, SMALL, "small")
    _, whole = ingest(tmp_path, "b.csv", data, WHOLE, "whole")
    assert small.status == "rejected" and summary(small) == summary(whole)


def test_an_upload_as_bytes_is_chunked_like_a_path(tmp_path):
    data = csv_bytes(activity_rows(300), "cp932")
    path_db, by_path = ingest(tmp_path, "u.csv", data, SMALL, "path")
    db = tmp_path / "bytes" / "w.duckdb"
    db.parent.mkdir()
    register_schools(db, db.parent)
    (by_bytes,) = ingest_files([IngestSource("u.csv", data)], db, chunk_bytes=SMALL)
    assert summary(by_bytes) == summary(by_path)
    assert contents(db, by_bytes) == contents(path_db, by_path)
