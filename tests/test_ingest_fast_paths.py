"""The ingest's fast paths give what the slow ones give (issue #17, ingest speed).

- A chunk whose text is all ASCII skips NFKC and trims in one pass: a file that is ASCII but in
  one chunk (full-width digits in the last chunk only, or in one middle chunk) loads the same
  in small chunks as in one, with those digits made half-width; a value with spaces around it
  in one row of a column that has none elsewhere is trimmed in an ASCII chunk. Japanese
  headers (CP932) over ASCII data take the same path and load what English headers load; a
  full-width digit in the first data row, or a quote before the header, keeps it off.
- NFKC of a column of repeated values (only the values it changes are replaced) gives what
  NFKC of every value gives.
- The control-character test of a chunk is a few byte tests: it agrees with the regular
  expression it replaced on every kind of byte.
- Scores and skill steps are stored one row per value given, whatever order the inserts put
  them in (the ingest keeps no storage order: every raw row carries its file and line), with
  the values written (a benchmark past the framework's, or a blank score, gives no row).
- The links in effect are read once per batch and carried from file to file: a loop across two
  files of one batch is caught, and a links file rolled back midway leaves none of its links in
  what the next file of the batch is checked against.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from test_ingest_chunks import (
    SMALL,
    WHOLE,
    ascii_rows,
    chunk_count,
    ingest,
    returns_rows,
    same_in_small_chunks,
)
from test_ingest_support import ELEMENTARY, JUNIOR_HIGH, csv_bytes, query, register_schools

from pipelines.ingest import ingest_files, reading
from pipelines.ingest.headers import FIELD_HEADERS
from pipelines.ingest.reading import may_hold_control
from pipelines.settings import default_framework
from pipelines.skills_framework import skills_framework

# What may_hold_control looked for before it became byte tests (besides quotes and tabs).
REFERENCE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\r(?!\n)")


def test_nfkc_needed_only_in_the_last_chunk(tmp_path):
    rows = ascii_rows(400)
    rows[-1][4] = "2024-03-01"
    rows[-1][2] = "\uff12"  # full-width 2, the file's only non-ASCII text, in its last chunk
    data = csv_bytes(rows, "utf-8")
    assert data[:-200].isascii() and not data.isascii()
    db, small = same_in_small_chunks(tmp_path, "a.csv", data)
    last = len(rows)
    assert query(db, "select grade from raw.activities where row_number = ?", [last]) == [(2,)]
    assert last not in {q.row for q in small.quarantine}


def test_full_width_digits_in_one_middle_chunk_and_an_edge_space_in_one_row(tmp_path):
    rows = ascii_rows(400)
    rows[200][5] = "\uff13"  # full-width 3 hours, in a middle chunk only
    rows[300][1] = " S00299 "  # the only value of student_ref with spaces around it
    data = csv_bytes(rows, "utf-8")
    cut = data.index("\uff13".encode())
    assert data[:cut].isascii() and data[cut + 3 :].isascii()
    assert chunk_count("h.csv", data, SMALL) > 5
    db, _ = same_in_small_chunks(tmp_path, "h.csv", data)
    hours = query(db, "select hours from raw.activities where row_number = 201")
    assert hours == [(3.0,)]
    refs = query(db, "select student_ref from raw.activities where row_number = 301")
    assert refs == [("S00299",)]


ACTIVITY_FIELDS = ("school_code", "student_ref", "grade", "activity_type", "activity_date")
JAPANESE_HEADER = [FIELD_HEADERS[f][0] for f in (*ACTIVITY_FIELDS, "hours", "provider")]


def ascii_flags(monkeypatch) -> list[bool]:
    """What each chunk's reading was told about its text being ASCII (the fast path)."""
    seen: list[bool] = []
    original = reading._finish

    def finish(*args, **kwargs):
        seen.append(kwargs.get("all_ascii", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(reading, "_finish", finish)
    return seen


def loaded(db, result) -> tuple[list[tuple], list[tuple[int, str]]]:
    rows = query(
        db,
        "select * exclude (file_id) from raw.activities where file_id = ? order by row_number",
        [result.file_id],
    )
    return rows, [(q.row, q.rule) for q in result.quarantine]  # columns: as written


@pytest.mark.parametrize(
    ("title", "full_width", "fast"),
    [
        (None, False, True),  # Japanese header, ASCII data: the ASCII path
        (None, True, False),  # a full-width digit in the first data row: NFKC
        ("活動記録, 2024", False, False),  # a quoted title before the header: not measured
    ],
)
def test_japanese_headers_over_ascii_data(tmp_path, monkeypatch, title, full_width, fast):
    english = ascii_rows(250)
    if full_width:
        english[1][2] = "\uff12"  # full-width 2
    japanese = [JAPANESE_HEADER, *english[1:]]
    if title:
        english, japanese = [[title], *english], [[title], *japanese]
    flags = ascii_flags(monkeypatch)
    db_ja, ja = ingest(tmp_path, "ja.csv", csv_bytes(japanese, "cp932"), WHOLE, "ja")
    assert ja.status == "loaded", ja.reason_en
    assert flags[-1] is fast  # the file's one chunk, read after the registry's
    db_en, en = ingest(tmp_path, "en.csv", csv_bytes(english, "utf-8"), WHOLE, "en")
    assert loaded(db_ja, ja) == loaded(db_en, en)
    first_row = 3 if title else 2
    grade = query(db_ja, "select grade from raw.activities where row_number = ?", [first_row])
    assert grade == [(int(str(english[first_row - 1][2]).replace("\uff12", "2")),)]


@pytest.mark.parametrize(
    "values",
    [
        ["○", "×", None, "", "○"] * 20,  # NFKC already: the column is left as it is
        ["○", "１２", "ｱｲ", None, "abc", "\u3000東京\u3000", "①"] * 20,  # some change
        [f"名{i}" for i in range(50)] + ["ＡＢＣ"],  # few repeats: every value normalised
    ],
)
def test_nfkc_of_repeated_values_is_nfkc_of_each(values):
    column = pl.Series("c", values, dtype=pl.String)
    assert reading._nfkc(column).to_list() == column.str.normalize("NFKC").to_list()


@pytest.mark.parametrize(
    "text",
    [
        b"a,b\r\nc,d\r\n",
        b"a,b\nc,d\n",
        "名前,学校\r\n".encode(),
        "caf\u00e9,\u00b7\r\n".encode(),  # \xc3 and \xc2 bytes that are no C1 control
        *(bytes([b]) + b",x\n" for b in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))),
        b"a\x7f,b\n",
        "a\u0085,b\n".encode(),  # C1 NEL
        "a\u009f,b\n".encode(),
        b"a\rb,c\r\n",  # a CR not before LF
        b"a,b\r",
        b"a\tb,c\n",  # a tab in a comma-separated chunk
        b'"a\nb",c\n',  # a quote
    ],
)
def test_control_byte_test_agrees_with_the_regular_expression(text):
    expected = b'"' in text or b"\t" in text or REFERENCE.search(text) is not None
    assert may_hold_control(text, ",") is expected
    tab_expected = b'"' in text or REFERENCE.search(text) is not None
    assert may_hold_control(text, "\t") is tab_expected


LINKS_HEADER = ["引継ぎ元学校コード", "引継ぎ元生徒番号", "引継ぎ先学校コード", "引継ぎ先生徒番号"]


def links_file(tmp_path, name: str, rows: list[list[str]], encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(csv_bytes([[*LINKS_HEADER, "引継ぎ日"], *rows], encoding))
    return path


def test_a_loop_across_two_files_of_one_batch_is_caught(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    first = links_file(tmp_path, "1.csv", [[ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "2025-04-01"]])
    second = links_file(tmp_path, "2.csv", [[JUNIOR_HIGH, "j1", ELEMENTARY, "e1", "2025-05-01"]])
    one, two = ingest_files([first, second], db)
    assert one.status == two.status == "loaded" and one.rows_quarantined == 0
    assert [(q.row, q.rule) for q in two.quarantine] == [(2, "link_closes_loop")]


def test_a_links_file_rolled_back_leaves_no_links_for_the_next_file(tmp_path):
    """The first file links e1 -> j1 in its first chunk, then breaks in its last (a byte that
    is no CP932 character): it is rolled back, so j1 -> e1 in the next file closes no loop."""
    rows = [[ELEMENTARY, "e1", JUNIOR_HIGH, "j1", "2025-04-01"]]
    # Past the first 64 KB (read whole to find the header) the file is decoded chunk by chunk.
    rows += [[ELEMENTARY, f"e{i}", JUNIOR_HIGH, f"j{i}", "2025-04-01"] for i in range(100, 3000)]
    broken = links_file(tmp_path, "1.csv", rows, "cp932")
    data = broken.read_bytes()
    broken.write_bytes(data[:-30] + b"\x81\x7f" + data[-28:])
    assert len(data) > 2 * 65536 and chunk_count("1.csv", data, SMALL) > 5
    after = links_file(tmp_path, "2.csv", [[JUNIOR_HIGH, "j1", ELEMENTARY, "e1", "2025-05-01"]])
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    one, two = ingest_files([broken, after], db, chunk_bytes=SMALL)
    assert one.status == "rejected" and two.status == "loaded"
    assert two.rows_quarantined == 0
    assert query(db, "select from_student_ref, to_student_ref from raw.student_links") == [
        ("j1", "e1")
    ]


def test_scores_are_stored_one_row_per_benchmark_given_with_the_values_written(tmp_path):
    rows = returns_rows(300)
    rows[0].append("B9")  # past the default framework's eight benchmarks
    for row in rows[1:]:
        row.append("")
    rows[-1][4] = "50"
    db, small = same_in_small_chunks(tmp_path, "r.csv", csv_bytes(rows, "utf-8"))
    assert small.rows_quarantined == 0
    ids = {b.position: b.id for b in default_framework().benchmarks}
    order = {b.id: b.position for b in default_framework().benchmarks}
    stored = sorted(
        query(db, "select row_number, benchmark_id, score from raw.return_scores"),
        key=lambda r: (r[0], order[r[1]]),
    )
    expected = []
    for number, row in enumerate(rows[1:], start=2):
        for position, cell in ((1, row[4]), (2, row[5]), (3, row[6])):
            if cell != "-":
                value = float(str(cell).rstrip("%").replace("８０", "80"))
                expected.append((number, ids[position], value))
    assert stored == expected


def test_skill_steps_are_stored_one_row_per_step_given(tmp_path):
    framework = skills_framework()
    names = [s.id for s in framework.skills]
    header = ["school_code", "student_ref", "grade", "assessed_on", *names]
    rows = [header]
    rows += [
        [JUNIOR_HIGH, f"s{i}", 1 + i % 3, "2025-06-01", *((i + k) % 4 for k in range(len(names)))]
        for i in range(300)
    ]
    db, _ = same_in_small_chunks(tmp_path, "s.csv", csv_bytes(rows, "utf-8"))
    stored = query(db, "select row_number, skill_id, step from raw.skill_steps order by all")
    expected = sorted(
        (number, skill_id, step)
        for number, row in enumerate(rows[1:], start=2)
        for skill_id, step in zip(names, row[4:], strict=True)
    )
    assert stored == expected
