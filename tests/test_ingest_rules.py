"""Validation: each rule with a bad row, its reason in Japanese and English, and the counts."""

import datetime as dt

import pytest
from test_ingest_support import (
    ELEMENTARY,
    HIGH_SCHOOL,
    JUNIOR_HIGH,
    TOKYO_WARD,
    load,
    quarantine_of,
    query,
    register_schools,
    write_csv,
)

from pipelines.codes import make_school_code, municipality_code_with_check
from pipelines.ingest.validate import today_in_japan

UNREGISTERED = make_school_code("C1", "13", "2", 9999)


def wrong_check(code: str) -> str:
    return code[:12] + str((int(code[12]) + 1) % 10)


WRONG_CHECK = wrong_check(JUNIOR_HIGH)
WRONG_MUNICIPALITY_CHECK = TOKYO_WARD + str(
    (int(municipality_code_with_check(TOKYO_WARD)[5]) + 1) % 10
)
TOMORROW = (today_in_japan() + dt.timedelta(days=1)).isoformat()

GOOD = {
    "schools": {
        "学校コード": HIGH_SCHOOL,
        "学校名": "都立高校",
        "市区町村コード": TOKYO_WARD,
        "生徒数": "500",
        "都道府県": "13(東京都)",
        "学校種": "高等学校",
    },
    "returns": {
        "学校コード": JUNIOR_HIGH,
        "年度": "2025",
        "学期": "2",
        "提出日": "2025-12-01",
        "フレームワーク": "",
        "B1": "80",
        "B2": "90",
    },
    "activities": {
        "学校コード": JUNIOR_HIGH,
        "生徒番号": "S1",
        "学年": "2",
        "活動種別": "workplace_experience",
        "実施日": "2025-06-01",
        "時間": "3",
    },
    "roster": {"学校コード": ELEMENTARY, "年度": "2025", "生徒番号": "S1", "学年": "6"},
}

# (kind, column, bad value, rule, words the Japanese reason contains, words the English one does)
CASES = [
    ("schools", "学校コード", "X123", "school_code_format", ["X123", "13桁"], ["13-character"]),
    (
        "schools",
        "学校コード",
        wrong_check(HIGH_SCHOOL),
        "school_code_check_digit",
        [f"13桁目は {HIGH_SCHOOL[12]} のはず"],
        [f"should be {HIGH_SCHOOL[12]}"],
    ),
    ("schools", "学校名", "", "required_missing", ["学校名", "空"], ["empty"]),
    (
        "schools",
        "市区町村コード",
        WRONG_MUNICIPALITY_CHECK,
        "municipality_code_invalid",
        ["市区町村コード"],
        ["check digit"],
    ),
    (
        "schools",
        "市区町村コード",
        "01100",
        "municipality_prefecture_mismatch",
        ["東京都"],
        ["Tokyo"],
    ),
    ("schools", "生徒数", "-5", "enrolment_invalid", ["0 以上"], ["0 or more"]),
    ("schools", "都道府県", "大阪府", "prefecture_mismatch", ["東京都"], ["Tokyo"]),
    ("schools", "都道府県", "架空県", "prefecture_unknown", ["架空県"], ["cannot be read"]),
    ("schools", "学校種", "中学校", "school_type_mismatch", ["高等学校"], ["High school"]),
    ("schools", "学校種", "塾", "school_type_unknown", ["塾"], ["cannot be read"]),
    ("returns", "学校コード", UNREGISTERED, "school_unknown", ["学校一覧"], ["registry"]),
    ("returns", "年度", "来年", "academic_year_invalid", ["令和7年度"], ["cannot be read"]),
    ("returns", "年度", "1990", "academic_year_out_of_range", ["2000"], ["outside"]),
    ("returns", "学期", "4", "term_invalid", ["前期"], ["1 to 3"]),
    ("returns", "学期", "", "required_missing", ["学期"], ["'学期'"]),
    ("returns", "提出日", "2025-02-30", "date_invalid", ["存在しない"], ["does not exist"]),
    ("returns", "提出日", TOMORROW, "date_in_future", ["未来"], ["future"]),
    (
        "returns",
        "提出日",
        "2024-12-01",
        "submitted_before_year",
        ["2025年度", "2025-04-01"],
        ["2025-04-01"],
    ),
    ("returns", "B1", "abc", "score_not_numeric", ["abc", "未回答"], ["not a score"]),
    ("returns", "B2", "101", "score_out_of_range", ["0〜100"], ["outside 0 to 100"]),
    ("returns", "フレームワーク", "v9", "framework_unknown", ["v9"], ["not installed"]),
    ("activities", "学年", "二年", "grade_invalid", ["二年"], ["cannot be read"]),
    (
        "activities",
        "学年",
        "4",
        "grade_out_of_range",
        ["中学校", "1〜3"],
        ["Junior high school", "1 to 3"],
    ),
    ("activities", "活動種別", "部活動", "activity_type_unknown", ["部活動"], ["not known"]),
    ("activities", "実施日", "2025/13/01", "date_invalid", ["実施日"], ["cannot be read"]),
    ("activities", "時間", "abc", "hours_invalid", ["数値"], ["not a number"]),
    ("activities", "時間", "-1", "hours_negative", ["0 以上"], ["negative"]),
    ("activities", "生徒番号", "", "required_missing", ["生徒番号"], ["empty"]),
    ("roster", "学年", "7", "grade_out_of_range", ["小学校"], ["Elementary school"]),
    ("roster", "年度", "令和七年度", "academic_year_invalid", ["令和七年度"], ["cannot be read"]),
]


def file_with_bad_row(tmp_path, kind, column, value):
    header = list(GOOD[kind])
    good = list(GOOD[kind].values())
    bad = [value if h == column else v for h, v in GOOD[kind].items()]
    return write_csv(tmp_path / f"{kind}.csv", [header, good, bad])


@pytest.mark.parametrize(
    ("kind", "column", "value", "rule", "ja_words", "en_words"),
    CASES,
    ids=[f"{c[0]}-{c[3]}-{c[2] or 'blank'}" for c in CASES],
)
def test_bad_row_is_quarantined_with_its_rule_and_reason(
    tmp_path, kind, column, value, rule, ja_words, en_words
):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    (result,) = load(db, file_with_bad_row(tmp_path, kind, column, value))
    assert result.status == "loaded"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    rows = quarantine_of(db, result.file_id)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [(3, column, value or None, rule)]
    reason_ja, reason_en = rows[0][4], rows[0][5]
    for word in ja_words:
        assert word in reason_ja
    for word in en_words:
        assert word in reason_en
    shown = result.quarantine_rows()
    assert [(q.row, q.column, q.rule) for q in shown] == [(3, column, rule)]


def test_return_without_any_assessed_benchmark_is_quarantined(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    header = ["学校コード", "年度", "学期", "提出日", "B1", "B2", "B3"]
    rows = [
        header,
        [JUNIOR_HIGH, "2025", "1", "2025-07-01", "-", "未回答", ""],
        [JUNIOR_HIGH, "2025", "2", "2025-12-01", "-", "50", ""],
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows))
    assert [(r[0], r[1], r[3]) for r in quarantine_of(db, result.file_id)] == [
        (2, None, "no_benchmark_assessed")
    ]
    assert query(db, "select benchmark_id, score from raw.return_scores") == [("B2", 50.0)]


def test_row_breaking_several_rules_gets_one_reason_each_and_counts_once(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    header = ["学校コード", "年度", "学期", "提出日", "B1"]
    rows = [header, [UNREGISTERED, "来年", "9", "昨日", "abc"]]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows))
    rules = sorted(r[3] for r in quarantine_of(db, result.file_id))
    assert rules == [
        "academic_year_invalid",
        "date_invalid",
        "school_unknown",
        "score_not_numeric",
        "term_invalid",
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (1, 0, 1)


def test_rows_read_is_always_loaded_plus_quarantined_across_a_mixed_file(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    header = list(GOOD["activities"])
    good = list(GOOD["activities"].values())
    rows = [header] + [good] * 5
    for column, value in [("学年", "9"), ("活動種別", "?"), ("時間", "-2"), ("学校コード", "bad")]:
        rows.append([value if h == column else v for h, v in GOOD["activities"].items()])
    (result,) = load(db, write_csv(tmp_path / "a.csv", rows))
    assert result.rows_read == result.rows_loaded + result.rows_quarantined == 9
    assert result.rows_quarantined == 4
    counts = query(
        db,
        "select (select count(*) from raw.activities), "
        "(select count(distinct row_number) from raw.quarantine)",
    )
    assert counts == [(result.rows_loaded, result.rows_quarantined)]


def test_check_digit_configured_to_warn_loads_the_row_with_a_warning(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text('[ingest]\nschool_code_check_digit = "warn"\n', encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    db = tmp_path / "w.duckdb"
    rows = [["学校コード", "学校名", "市区町村コード"], [WRONG_CHECK, "検査中学校", TOKYO_WARD]]
    (result,) = load(db, write_csv(tmp_path / "s.csv", rows))
    assert (result.rows_loaded, result.rows_quarantined, result.rows_warned) == (1, 0, 1)
    assert query(db, "select school_code from raw.schools") == [(WRONG_CHECK,)]
    warnings = query(db, "select row_number, rule, reason_en from raw.row_warnings")
    assert warnings == [
        (
            2,
            "school_code_check_digit",
            f"The school code's check digit is wrong (the 13th character should be "
            f"{JUNIOR_HIGH[12]}). Check the code against the MEXT list.",
        )
    ]


def test_rows_of_schools_outside_the_allowed_scope_are_quarantined(tmp_path):
    db = tmp_path / "w.duckdb"
    register_schools(db, tmp_path)
    rows = [
        list(GOOD["roster"]),
        [HIGH_SCHOOL, "2025", "S1", "1"],
        [JUNIOR_HIGH, "2025", "S2", "1"],
    ]
    (result,) = load(db, write_csv(tmp_path / "r.csv", rows), allowed_schools={JUNIOR_HIGH})
    assert [(r[0], r[3]) for r in quarantine_of(db, result.file_id)] == [(2, "school_out_of_scope")]
    assert query(db, "select school_code from raw.roster") == [(JUNIOR_HIGH,)]


def test_school_listed_earlier_in_the_same_run_counts_as_known(tmp_path):
    db = tmp_path / "w.duckdb"
    schools = write_csv(
        tmp_path / "1_schools.csv",
        [["学校コード", "学校名", "市区町村コード"], [UNREGISTERED, "新設校", TOKYO_WARD]],
    )
    roster = write_csv(
        tmp_path / "2_roster.csv",
        [["学校コード", "年度", "生徒番号", "学年"], [UNREGISTERED, "2025", "S1", "1"]],
    )
    first, second = load(db, schools, roster)
    assert (first.rows_loaded, second.rows_loaded, second.rows_quarantined) == (1, 1, 0)
