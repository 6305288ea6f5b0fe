"""Normalisation: eras and fiscal years, dates, terms, scores, grades, labels and codes."""

import datetime as dt

from test_ingest_support import (
    JUNIOR_HIGH,
    TOKYO_WARD,
    load,
    query,
    register_schools,
    write_csv,
)

from pipelines.codes import make_school_code, municipality_code_with_check


def test_academic_year_forms_become_the_academic_year(tmp_path):
    forms = {
        "令和7年度": 2025,
        "R7": 2025,
        "Ｒ７": 2025,
        "Ｒ７年度": 2025,
        "2025年度": 2025,
        "2025": 2025,
        "令和元年度": 2019,
        "H30": 2018,
        "平成31年度": 2019,
        "FY2024": 2024,
    }
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [["学校コード", "年度", "生徒番号", "学年"]] + [
        [JUNIOR_HIGH, form, f"S{i}", "1"] for i, form in enumerate(forms)
    ]
    (result,) = load(db, write_csv(tmp_path / "roster.csv", rows))
    assert result.rows_quarantined == 0
    loaded = query(db, "select academic_year from raw.roster order by row_number")
    assert [r[0] for r in loaded] == list(forms.values())


def test_date_forms_including_era_and_excel_serial_become_the_same_date(tmp_path):
    forms = [
        "2025-07-15",
        "2025/7/15",
        "2025/07/15",
        "令和7年7月15日",
        "R7.7.15",
        "２０２５／７／１５",
        "45853",
        "2025-07-15 00:00:00",
        "2025年7月15日",
    ]
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [["学校コード", "生徒番号", "学年", "活動種別", "実施日"]] + [
        [JUNIOR_HIGH, f"S{i}", "1", "guidance_interview", form] for i, form in enumerate(forms)
    ]
    (result,) = load(db, write_csv(tmp_path / "a.csv", rows))
    assert result.rows_quarantined == 0
    dates = query(db, "select distinct activity_date, academic_year from raw.activities")
    assert dates == [(dt.date(2025, 7, 15), 2025)]


def test_activity_academic_year_runs_april_to_march(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        ["学校コード", "生徒番号", "学年", "活動種別", "実施日"],
        [JUNIOR_HIGH, "S1", "1", "guidance_interview", "2025-03-31"],
        [JUNIOR_HIGH, "S1", "1", "guidance_interview", "2025-04-01"],
        [JUNIOR_HIGH, "S1", "1", "guidance_interview", "2026-03-31"],
    ]
    load(db, write_csv(tmp_path / "a.csv", rows))
    years = query(db, "select academic_year from raw.activities order by row_number")
    assert [y[0] for y in years] == [2024, 2025, 2025]


def test_term_forms_and_semesters(tmp_path):
    forms = {"1": 1, "1学期": 1, "第2学期": 2, "３学期": 3, "前期": 1, "後期": 2}
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [["学校コード", "年度", "学期", "提出日", "B1"]] + [
        [JUNIOR_HIGH, "2025", form, f"2025-12-{i + 1:02d}", "50"] for i, form in enumerate(forms)
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows))
    assert result.rows_quarantined == 0
    terms = query(db, "select term from raw.returns order by row_number")
    assert [t[0] for t in terms] == list(forms.values())


def test_score_forms_and_not_assessed_values(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    header = [
        "学校コード",
        "年度",
        "学期",
        "提出日",
        "B1",
        "B2",
        "B3",
        "B4",
        "B5",
        "B6",
        "B7",
        "B8",
    ]
    row = [
        JUNIOR_HIGH,
        "2025",
        "1",
        "2025-07-01",
        "85",
        "85%",
        "８５％",
        "85.0",
        " 85 ",
        "-",
        "未回答",
        "",
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", [header, row]))
    assert result.rows_loaded == 1
    scores = query(db, "select benchmark_id, score from raw.return_scores order by 1")
    assert scores == [("B1", 85.0), ("B2", 85.0), ("B3", 85.0), ("B4", 85.0), ("B5", 85.0)]


def test_grade_forms_and_activity_type_labels(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        ["学校コード", "生徒番号", "学年", "活動種別", "実施日"],
        [JUNIOR_HIGH, "S1", "2", "employer_encounter", "2025-05-01"],
        [JUNIOR_HIGH, "S2", "2年", "企業・働く人との出会い", "2025-05-01"],
        [JUNIOR_HIGH, "S3", "中2", "Encounter with employers and employees", "2025-05-01"],
        [JUNIOR_HIGH, "S4", "２年生", "EMPLOYER_ENCOUNTER", "2025-05-01"],
    ]
    (result,) = load(db, write_csv(tmp_path / "a.csv", rows))
    assert result.rows_quarantined == 0
    assert query(db, "select distinct grade, activity_type from raw.activities") == [
        (2, "employer_encounter")
    ]


def test_municipality_code_loses_its_check_digit_and_regains_a_leading_zero(tmp_path):
    sapporo = make_school_code("C1", "01", "2", 55)
    db = tmp_path / "w.duckdb"
    rows = [
        ["学校コード", "学校名", "市区町村コード"],
        [JUNIOR_HIGH, "千代田中", municipality_code_with_check(TOKYO_WARD)],
        [sapporo, "札幌中", "1100"],
    ]  # Excel dropped the leading zero of 01100
    (result,) = load(db, write_csv(tmp_path / "s.csv", rows))
    assert result.rows_quarantined == 0
    assert query(db, "select municipality_code from raw.schools order by row_number") == [
        (TOKYO_WARD,),
        ("01100",),
    ]


def test_school_code_in_full_width_or_lower_case_is_recognised(tmp_path):
    db = tmp_path / "w.duckdb"
    full_width = JUNIOR_HIGH.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}).lower()
    rows = [["学校コード", "学校名", "市区町村コード"], [full_width, "中学校", TOKYO_WARD]]
    (result,) = load(db, write_csv(tmp_path / "s.csv", rows))
    assert result.rows_loaded == 1
    assert query(db, "select school_code from raw.schools") == [(JUNIOR_HIGH,)]
