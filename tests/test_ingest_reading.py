"""Reading: every kind of file in every dress (UTF-8, BOM, CP932, xlsx), headers, Excel quirks."""

import datetime as dt
import unicodedata

import pytest
import xlsxwriter
from test_ingest_support import (
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    TOKYO_WARD,
    load,
    query,
    register_schools,
    write_csv,
)

KIND_ROWS = {
    "schools": [
        ["学校コード", "学校名", "市区町村コード", "生徒数"],
        [JUNIOR_HIGH, "髙橋①中学校", TOKYO_WARD, "420"],
        [HIGH_SCHOOL, "ｶﾀｶﾅ高校㈱", "131016", "800"],
    ],
    "returns": [
        ["学校コード", "年度", "学期", "提出日", "B1", "B2"],
        [JUNIOR_HIGH, "令和7年度", "1", "2025-07-15", "85", "100"],
        [HIGH_SCHOOL, "2025", "前期", "2025/9/1", "40", "-"],
    ],
    "activities": [
        ["学校コード", "生徒番号", "学年", "活動種別", "実施日", "時間", "連携先"],
        [JUNIOR_HIGH, "S001", "2", "employer_encounter", "2025-06-10", "2", "ﾄﾖﾀ㈱"],
        [HIGH_SCHOOL, "S900", "3", "職場体験・インターンシップ", "2025-11-20", "", "髙島屋"],
    ],
    "roster": [
        ["学校コード", "年度", "生徒番号", "学年"],
        [JUNIOR_HIGH, "R7", "S001", "2"],
        [HIGH_SCHOOL, "令和7年度", "S900", "3"],
    ],
}
KIND_TABLE = {
    "schools": "schools",
    "returns": "returns",
    "activities": "activities",
    "roster": "roster",
}
TEXT_COLUMNS = {
    "schools": "school_name",
    "activities": "provider",
    "roster": "student_ref",
    "returns": "school_code",
}


def write_xlsx(path, rows, *, title_rows=0, sheets_before=0, formats=None):
    """Rows into a workbook; optional title/notes/blank rows above the header, leading sheets."""
    book = xlsxwriter.Workbook(str(path))
    for i in range(sheets_before):
        notes = book.add_worksheet(f"説明{i}")
        notes.write(0, 0, "記入方法: 次のシートに入力してください")
    sheet = book.add_worksheet("データ")
    if title_rows:
        sheet.write(0, 0, "令和7年度 キャリア教育ベンチマーク自己評価")
        sheet.write(1, 0, "※ 点数は達成率(%)で入力してください")
    formats = formats or {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            fmt = book.add_format(formats[(r, c)]) if (r, c) in formats else None
            target = r + title_rows
            if isinstance(value, dt.datetime):
                sheet.write_datetime(target, c, value, fmt)
            else:
                sheet.write(target, c, value, fmt)
    book.close()
    return path


def dress(tmp_path, kind, how):
    rows = KIND_ROWS[kind]
    if how == "xlsx":
        return write_xlsx(tmp_path / f"{kind}.xlsx", rows, title_rows=3)
    return write_csv(tmp_path / f"{kind}.csv", rows, encoding=how)


@pytest.mark.parametrize("how", ["utf-8", "utf-8-sig", "cp932", "xlsx"])
@pytest.mark.parametrize("kind", list(KIND_ROWS))
def test_each_kind_in_each_dress_is_recognised_and_loaded_with_nfkc_text(tmp_path, kind, how):
    db = tmp_path / "w.duckdb"
    if kind != "schools":
        register_schools(db, tmp_path)
    (result,) = load(db, dress(tmp_path, kind, how))
    assert (result.status, result.kind) == ("loaded", kind)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    column = TEXT_COLUMNS[kind]
    loaded = [
        r[0]
        for r in query(
            db,
            f"select {column} from raw.{KIND_TABLE[kind]} where file_id = ? order by row_number",
            [result.file_id],
        )
    ]
    header = KIND_ROWS[kind][0]
    contract_header = {
        "school_name": "学校名",
        "provider": "連携先",
        "student_ref": "生徒番号",
        "school_code": "学校コード",
    }[column]
    written = [row[header.index(contract_header)] for row in KIND_ROWS[kind][1:]]
    assert loaded == [unicodedata.normalize("NFKC", w) or None for w in written]


def test_cp932_special_characters_and_half_width_katakana_are_normalised(tmp_path):
    db = tmp_path / "w.duckdb"
    path = write_csv(tmp_path / "cp932.csv", KIND_ROWS["schools"], encoding="cp932")
    assert "髙橋①中学校".encode("cp932") in path.read_bytes()
    (result,) = load(db, path)
    names = [r[0] for r in query(db, "select school_name from raw.schools order by row_number")]
    assert names == ["髙橋1中学校", "カタカナ高校(株)"]
    assert result.status == "loaded"


def test_headers_match_in_english_any_order_case_width_and_spaces(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        [
            " ＴＥＲＭ ",
            "ＢＭ１",
            "Submitted_On",
            "School Code",
            "ACADEMIC_YEAR",
            "ベンチマーク2",
            "extra notes",
        ],
        ["2", "50", "2025-12-01", JUNIOR_HIGH, "2025", "60", "kept in the archive only"],
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows))
    assert (result.kind, result.rows_loaded) == ("returns", 1)
    assert query(db, "select term, submitted_on from raw.returns") == [(2, dt.date(2025, 12, 1))]
    assert query(db, "select benchmark_id, score from raw.return_scores order by 1") == [
        ("B1", 50.0),
        ("B2", 60.0),
    ]


def test_benchmark_column_named_by_its_japanese_name_in_the_framework(tmp_path):
    from pipelines.settings import default_framework

    sixth = default_framework().benchmarks[5]
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        ["学校コード", "年度", "学期", "提出日", sixth.name_ja],
        [JUNIOR_HIGH, "2025", "1", "2025-07-01", "75"],
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows))
    assert result.rows_loaded == 1
    assert query(db, "select benchmark_id, score from raw.return_scores") == [(sixth.id, 75.0)]


def test_xlsx_title_rows_percent_cell_and_date_cell(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        ["学校コード", "年度", "学期", "提出日", "B1", "B2", "B3"],
        [JUNIOR_HIGH, "令和7年度", 2, dt.datetime(2025, 10, 3), 0.85, 85, 1],
    ]
    formats = {
        (1, 3): {"num_format": "yyyy/mm/dd"},
        (1, 4): {"num_format": "0%"},
        (1, 6): {"num_format": "0.0%"},
    }
    path = write_xlsx(tmp_path / "returns.xlsx", rows, title_rows=3, formats=formats)
    (result,) = load(db, path)
    assert result.status == "loaded" and result.rows_loaded == 1
    # Title on row 1, note on row 2, blank row 3, header row 4: the data row is Excel row 5.
    assert query(db, "select row_number, submitted_on, term from raw.returns") == [
        (5, dt.date(2025, 10, 3), 2)
    ]
    assert query(db, "select benchmark_id, score from raw.return_scores order by 1") == [
        ("B1", 85.0),
        ("B2", 85.0),
        ("B3", 100.0),
    ]


def test_first_sheet_with_a_recognisable_header_is_read(tmp_path):
    db = tmp_path / "w.duckdb"
    path = write_xlsx(tmp_path / "schools.xlsx", KIND_ROWS["schools"], sheets_before=2)
    (result,) = load(db, path)
    assert (result.kind, result.rows_loaded) == ("schools", 2)
    assert query(db, "select min(row_number) from raw.schools") == [(2,)]


def test_csv_row_numbers_count_title_and_blank_lines_as_excel_shows_them(tmp_path):
    db = tmp_path / "w.duckdb"
    rows = [
        ["学校一覧(令和7年5月1日現在)"],
        [],
        KIND_ROWS["schools"][0],
        KIND_ROWS["schools"][1],
        [],
        KIND_ROWS["schools"][2],
    ]
    (result,) = load(db, write_csv(tmp_path / "s.csv", rows))
    assert (result.rows_read, result.rows_loaded) == (2, 2)  # the blank line is not a data row
    assert [r[0] for r in query(db, "select row_number from raw.schools order by 1")] == [4, 6]


def test_forced_kind_reads_a_header_that_also_fits_another_kind(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        ["学校コード", "年度", "生徒番号", "学年", "活動種別", "実施日"],
        [JUNIOR_HIGH, "2025", "S1", "1", "guidance_interview", "2025-05-01"],
    ]
    path = write_csv(tmp_path / "both.csv", rows)
    (as_activities,) = load(db, path)
    assert as_activities.kind == "activities"
    other = write_csv(tmp_path / "both2.csv", rows + [[JUNIOR_HIGH, "2025", "S2", "1", "", ""]])
    (as_roster,) = load(db, other, kind="roster")
    assert (as_roster.kind, as_roster.rows_loaded) == ("roster", 2)


def test_forced_kind_missing_its_columns_rejects_the_file_naming_them(tmp_path):
    db = tmp_path / "w.duckdb"
    (result,) = load(db, write_csv(tmp_path / "s.csv", KIND_ROWS["schools"]), kind="roster")
    assert result.status == "rejected"
    assert "年度" in result.reason_ja and "student_ref" in result.reason_en
