"""Essential-skills files (エッセンシャルスキル評価): recognised from the header, skill columns by
id, English or Japanese name in either width, steps as written in schools, every bad row
quarantined with a reason in Japanese and English, in CP932 CSV and in xlsx."""

from __future__ import annotations

import datetime as dt

import pytest
from test_ingest_reading import write_xlsx
from test_ingest_support import (
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    load,
    quarantine_of,
    query,
    register_schools,
    write_csv,
)

from pipelines.codes import make_school_code
from pipelines.ingest.validate import today_in_japan

UNREGISTERED = make_school_code("C1", "13", "2", 9999)
TOMORROW = (today_in_japan() + dt.timedelta(days=1)).isoformat()
HEADER_JA = ["学校コード", "生徒番号", "学年", "評価日", "評価者", "聴く力", "チームワーク"]
HEADER_EN = ["school_code", "student_ref", "grade", "assessed_on", "assessor"]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    register_schools(path, tmp_path)
    return path


def send(db, path, rows, fmt):
    """Write rows as CP932 CSV or as xlsx (with a title above the header) and ingest them."""
    if fmt == "cp932":
        write_csv(path.with_suffix(".csv"), rows, "cp932")
        (result,) = load(db, path.with_suffix(".csv"))
    else:
        write_xlsx(path.with_suffix(".xlsx"), rows, title_rows=2)
        (result,) = load(db, path.with_suffix(".xlsx"))
    return result


def steps_of(db) -> list[tuple]:
    return query(
        db,
        "select a.student_ref, a.assessor, s.skill_id, s.step, a.academic_year "
        "from raw.skill_steps s join raw.skill_assessments a using (file_id, row_number) "
        "order by 1, 2, 3",
    )


@pytest.mark.parametrize("fmt", ["cp932", "xlsx"])
def test_japanese_file_loads_with_every_spelling_of_a_step(db, tmp_path, fmt):
    rows = [
        HEADER_JA,
        [JUNIOR_HIGH, "S1", "2", "2025/6/15", "教員", "7", "７"],
        [JUNIOR_HIGH, "S2", "中2", "令和7年6月15日", "", "Step 7", "ステップ7"],
        [JUNIOR_HIGH, "S3", "２", "2026-02-10", "本人", "ステップ７", "step15"],
        [JUNIOR_HIGH, "S4", "2", "2025-06-15", "自己評価", "0", ""],
    ]
    result = send(db, tmp_path / "k", rows, fmt)
    assert (result.status, result.kind, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        "skills",
        4,
        0,
    )
    assert steps_of(db) == [
        ("S1", "teacher", "listening", 7, 2025),
        ("S1", "teacher", "teamwork", 7, 2025),
        ("S2", "teacher", "listening", 7, 2025),
        ("S2", "teacher", "teamwork", 7, 2025),
        ("S3", "self", "listening", 7, 2025),
        ("S3", "self", "teamwork", 15, 2025),
        ("S4", "self", "listening", 0, 2025),  # the blank teamwork: not assessed, no row
    ]


def test_skill_columns_by_id_english_name_or_full_width_japanese(db, tmp_path):
    header = HEADER_EN + ["listening", "Problem Solving", " STAYING_POSITIVE ", "ﾁｰﾑﾜｰｸ"]
    header += ["ｒｅａｄｉｎｇ"]  # not a skill: kept in the archive, ignored
    rows = [header, [HIGH_SCHOOL, "H1", "1", "2025-07-01", "teacher", "9", "8", "10", "11", "x"]]
    (result,) = load(db, write_csv(tmp_path / "e.csv", rows))
    assert (result.kind, result.rows_loaded) == ("skills", 1)
    assert [r[2:4] for r in steps_of(db)] == [
        ("listening", 9),
        ("problem_solving", 8),
        ("staying_positive", 10),
        ("teamwork", 11),
    ]


def test_no_skill_column_is_a_missing_column(db, tmp_path):
    rows = [HEADER_EN, [JUNIOR_HIGH, "S1", "1", "2025-07-01", "teacher"]]
    (result,) = load(db, write_csv(tmp_path / "e.csv", rows), kind="skills")
    assert result.status == "rejected"
    assert "listening" in result.reason_en and "聴く力" in result.reason_ja


# (row as written after the school code, rule, column named in the reason)
BAD_ROWS = [
    (["S1", "2", "2025-06-15", "教員", "", ""], "no_skill_assessed", None),
    (["S1", "2", "2025-06-15", "教員", "16", "7"], "step_out_of_range", "聴く力"),
    (["S1", "2", "2025-06-15", "教員", "-1", "7"], "step_out_of_range", "聴く力"),
    (["S1", "2", "2025-06-15", "教員", "7", "七"], "step_invalid", "チームワーク"),
    (["S1", "2", "2025-06-15", "教員", "7.5", "7"], "step_invalid", "聴く力"),
    (["S1", "2", "2025-06-15", "保護者", "7", "7"], "assessor_unknown", "評価者"),
    (["S1", "2", TOMORROW, "教員", "7", "7"], "date_in_future", "評価日"),
    (["S1", "2", "2025-02-30", "教員", "7", "7"], "date_invalid", "評価日"),
    (["S1", "4", "2025-06-15", "教員", "7", "7"], "grade_out_of_range", "学年"),
    (["S1", "二年", "2025-06-15", "教員", "7", "7"], "grade_invalid", "学年"),
    (["", "2", "2025-06-15", "教員", "7", "7"], "required_missing", "生徒番号"),
    (["S1", "2", "", "教員", "7", "7"], "required_missing", "評価日"),
]


@pytest.mark.parametrize("fmt", ["cp932", "xlsx"])
@pytest.mark.parametrize(("cells", "rule", "column"), BAD_ROWS)
def test_each_bad_row_is_quarantined_with_both_reasons(db, tmp_path, fmt, cells, rule, column):
    good = [JUNIOR_HIGH, "S0", "2", "2025-06-15", "教員", "5", "6"]
    result = send(db, tmp_path / "bad", [HEADER_JA, good, [JUNIOR_HIGH, *cells]], fmt)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    reasons = [r for r in quarantine_of(db, result.file_id) if r[3] == rule]
    assert reasons, quarantine_of(db, result.file_id)
    _, column_name, _, _, reason_ja, reason_en = reasons[0]
    assert column_name == column
    assert reason_ja and reason_en and reason_ja != reason_en
    # The good row alone reached the raw tables: nothing of the bad row was loaded.
    assert {r[0] for r in steps_of(db)} == {"S0"}


def test_unknown_school_is_quarantined(db, tmp_path):
    rows = [HEADER_JA, [UNREGISTERED, "S1", "2", "2025-06-15", "教員", "7", "7"]]
    (result,) = load(db, write_csv(tmp_path / "u.csv", rows, "cp932"))
    assert (result.rows_loaded, result.rows_quarantined) == (0, 1)
    assert [r[3] for r in quarantine_of(db, result.file_id)] == ["school_unknown"]


def test_a_step_above_a_replaced_framework_highest_step_is_quarantined(db, tmp_path, monkeypatch):
    """The highest step comes from the skills framework file, not the code."""
    from pipelines import skills_framework as sf

    framework = tmp_path / "skills.toml"
    framework.write_text(
        'version = "tiny"\n[[skill]]\nid = "listening"\nname_ja = "聴く力"\n'
        'name_en = "Listening"\nmax_step = 5\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SHIRUBE_SKILLS_FRAMEWORK", str(framework))
    sf._skills_framework_for.cache_clear()
    try:
        rows = [HEADER_EN + ["listening"], [JUNIOR_HIGH, "S1", "2", "2025-06-15", "", "6"]]
        (result,) = load(db, write_csv(tmp_path / "t.csv", rows))
        rules = [r[3] for r in quarantine_of(db, result.file_id)]
    finally:
        monkeypatch.delenv("SHIRUBE_SKILLS_FRAMEWORK")
        sf._skills_framework_for.cache_clear()
    assert rules == ["step_out_of_range"]


def test_same_bytes_twice_change_nothing(db, tmp_path):
    rows = [HEADER_JA, [JUNIOR_HIGH, "S1", "2", "2025-06-15", "教員", "7", "7"]]
    path = write_csv(tmp_path / "k.csv", rows, "cp932")
    load(db, path)
    (again,) = load(db, path)
    assert again.status == "duplicate"
    assert len(steps_of(db)) == 2


def test_a_skill_named_twice_rejects_the_file_naming_both_columns(db, tmp_path):
    header = HEADER_EN + ["listening", "聴く力"]
    rows = [header, [JUNIOR_HIGH, "S1", "2", "2025-06-15", "", "7", "8"]]
    (result,) = load(db, write_csv(tmp_path / "d.csv", rows))
    assert result.status == "rejected"
    assert "listening" in result.reason_en and "聴く力" in result.reason_en
    assert steps_of(db) == []
