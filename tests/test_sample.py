"""The synthetic sample: deterministic, realistic, in every dress the contract allows, and clean.

Every check reads the written files back (polars for CSV, openpyxl for xlsx) and parses them with
the small contract-level readers below, never the generator's internal state.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from functools import cache
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from pipelines.codes import normalise_municipality_code, school_code_check_ok
from pipelines.reference import activity_types, school_types
from pipelines.sample import generate_sample
from pipelines.settings import default_framework
from shirube.cli import build_cli

BOM = b"\xef\xbb\xbf"
KINDS = {
    "1_schools": "schools",
    "2_returns": "returns",
    "3_roster": "roster",
    "4_activities": "activities",
    "5_corrections": "returns",
}
# Japanese headers of the data contract.
JA = {
    "学校コード": "school_code",
    "学校名": "school_name",
    "市区町村コード": "municipality_code",
    "市区町村名": "municipality_name",
    "ハブコード": "hub_code",
    "ハブ名": "hub_name",
    "生徒数": "enrolment",
    "都道府県": "prefecture",
    "年度": "academic_year",
    "学期": "term",
    "提出日": "submitted_on",
    "フレームワーク": "framework",
    "生徒番号": "student_ref",
    "学年": "grade",
    "活動種別": "activity_type",
    "実施日": "activity_date",
    "時間": "hours",
    "連携先": "provider",
    "備考": "note",
}
FRAMEWORK = default_framework()
IDS = list(FRAMEWORK.ids)
TODAY = date.today()


# --- reading files as the contract describes them -------------------------------------------


def nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def canonical_header(header: str) -> str:
    h = nfkc(header)
    for b in FRAMEWORK.benchmarks:
        if h in (b.id, f"ベンチマーク{b.position}", b.name_ja):
            return b.id
    return JA.get(h, h)


def dress_of(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        return "xlsx"
    if raw.startswith(BOM):
        return "utf8bom"
    try:
        raw.decode("utf-8")
        return "utf8"
    except UnicodeDecodeError:
        raw.decode("cp932")  # raises if it is not CP932 either
        return "cp932"


def read_table(path: Path) -> tuple[pl.DataFrame, int]:
    """(rows as text with contract column names, 1-based row of the header)."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header_at = next(
            i for i, r in enumerate(rows) if nfkc(r[0]) in ("学校コード", "school_code")
        )
        header = [canonical_header(h) for h in rows[header_at]]
        body = [
            [
                None
                if v is None
                else v.date().isoformat()
                if isinstance(v, datetime)
                else str(int(v))
                if isinstance(v, float) and v.is_integer()
                else str(v)
                for v in r
            ]
            for r in rows[header_at + 1 :]
        ]
        frame = pl.DataFrame(body, schema={h: pl.String for h in header}, orient="row")
        return frame, header_at + 1
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if dress_of(path) in ("utf8bom", "utf8") else raw.decode("cp932")
    frame = pl.read_csv(io.BytesIO(text.encode()), infer_schema=False)
    return frame.rename({c: canonical_header(c) for c in frame.columns}), 1


def parse_year(value: str) -> int:
    v = nfkc(value).removesuffix("年度")
    m = re.fullmatch(r"(?:令和|R)(\d+)", v)
    return 2018 + int(m.group(1)) if m else int(v)


def parse_term(value: str) -> int:
    v = nfkc(value)
    return {"前期": 1, "後期": 2}.get(v) or int(v.removesuffix("学期"))


def parse_date(value: str) -> date:
    v = nfkc(value)
    m = re.fullmatch(r"令和(\d+)年(\d+)月(\d+)日", v)
    if m:
        return date(2018 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
    y, mo, d = re.split(r"[-/]", v)
    return date(int(y), int(mo), int(d))


def parse_score(value: str | None) -> float | None:
    v = nfkc(value)
    return None if v in ("", "-", "未回答") else float(v.removesuffix("%"))


@cache
def read_kind(root: Path, kind: str) -> pl.DataFrame:
    """All clean files of a kind, in sorted path order (the ingest order), with their file."""
    frames = []
    for path in sorted(root.rglob("*")):
        top = path.relative_to(root).parts[0]
        if path.is_file() and KINDS.get(top) == kind:
            frame, _ = read_table(path)
            frames.append(frame.with_columns(pl.lit(str(path.relative_to(root))).alias("file")))
    return pl.concat(frames, how="diagonal")


@cache
def effective_returns(root: Path) -> pl.DataFrame:
    """Per school and year: highest term, latest submission, newest file (docs/data-contract.md)."""
    rows = []
    for i, r in enumerate(read_kind(root, "returns").iter_rows(named=True)):
        rows.append(
            {
                "school_code": r["school_code"],
                "year": parse_year(r["academic_year"]),
                "term": parse_term(r["term"]),
                "submitted_on": parse_date(r["submitted_on"]),
                "order": i,
                **{b: parse_score(r[b]) for b in IDS},
            }
        )
    return (
        pl.DataFrame(rows)
        .sort("school_code", "year", "term", "submitted_on", "order")
        .group_by("school_code", "year", maintain_order=True)
        .last()
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "out"
    generate_sample(root, schools=300, years=3, seed=7, with_errors=True)
    return root


@pytest.fixture(scope="module")
def registry(sample) -> pl.DataFrame:
    return read_kind(sample, "schools")


# --- determinism ------------------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate_sample(tmp_path / name, schools=80, years=2, seed=seed, with_errors=True)
    first, again, other = (_files(tmp_path / n) for n in "abc")
    assert first == again
    assert any(other.get(name) != content for name, content in first.items())


# --- the registry -------------------------------------------------------------------------------


def test_every_school_code_is_unique_and_passes_the_check_digit(registry):
    codes = registry["school_code"].to_list()
    assert len(codes) == 300 == len(set(codes))
    assert all(school_code_check_ok(c) for c in codes)


def test_300_schools_cover_at_least_40_prefectures(registry):
    assert registry["school_code"].str.slice(2, 2).n_unique() >= 40


def test_elementary_schools_are_the_largest_type_at_about_half(registry):
    counts = registry["school_code"].str.slice(0, 2).value_counts().sort("count", descending=True)
    assert counts["school_code"][0] == "B1"
    assert 0.50 <= counts["count"][0] / registry.height <= 0.60
    assert set(counts["school_code"]) <= {"B1", "C1", "C2", "D1", "D2", "E1"}


def test_most_schools_are_public_and_high_schools_are_often_private(registry):
    kinds = registry.select(
        type=pl.col("school_code").str.slice(0, 2),
        establishment=pl.col("school_code").str.slice(4, 1),
    )
    assert (kinds["establishment"] == "2").mean() > 0.8
    private = kinds.group_by("type").agg((pl.col("establishment") == "3").mean().alias("share"))
    share = dict(private.iter_rows())
    assert share["D1"] > 0.15 and share["D1"] > 3 * share["B1"]


def test_municipality_codes_are_valid_and_inside_the_school_prefecture(registry):
    widths = set()
    for code, muni in registry.select("school_code", "municipality_code").iter_rows():
        widths.add(len(muni))
        five = normalise_municipality_code(muni)
        assert five is not None and five[:2] == code[2:4]
    assert widths == {5, 6}
    per_prefecture = registry.group_by(pl.col("school_code").str.slice(2, 2)).agg(
        pl.col("municipality_code").str.slice(0, 5).n_unique()
    )
    assert per_prefecture["municipality_code"].max() >= 3


def test_hubs_of_20_to_60_schools_cover_most_but_not_all_schools_within_one_region(registry):
    from pipelines.reference import prefecture_by_code

    in_hub = registry["hub_code"].is_not_null()
    assert 0.6 <= in_hub.mean() < 1.0
    hubs = (
        registry.filter(in_hub)
        .with_columns(
            pl.col("school_code")
            .str.slice(2, 2)
            .replace_strict({c: p.region_code for c, p in prefecture_by_code().items()})
            .alias("region")
        )
        .group_by("hub_code")
        .agg(pl.len().alias("schools"), pl.col("region").n_unique().alias("regions"))
    )
    assert hubs["regions"].max() == 1
    # Hubs look after 20-60 schools (docs/domain.md); a region's pooled remainder may be smaller.
    assert hubs.filter(pl.col("schools") >= 20).height >= hubs.height * 0.7
    assert hubs["schools"].max() <= 60


# --- dresses ------------------------------------------------------------------------------------


def test_all_four_kinds_come_in_cp932_bom_and_xlsx_dresses(sample):
    seen: dict[str, set[str]] = {}
    for path in sample.rglob("*"):
        top = path.relative_to(sample).parts[0]
        if path.is_file() and top in KINDS:
            seen.setdefault(KINDS[top], set()).add(dress_of(path))
    assert seen == {
        k: {"cp932", "utf8bom", "xlsx"} for k in ("schools", "returns", "roster", "activities")
    }


def test_cp932_files_do_not_decode_as_utf8_and_use_japanese_headers(sample):
    cp932 = [p for p in sample.glob("[1-5]_*/**/*.csv") if dress_of(p) == "cp932"]
    assert cp932
    for path in cp932:
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
        assert path.read_bytes().decode("cp932").startswith("学校コード")


def test_bom_files_start_with_the_bom_and_english_headers(sample):
    bom = [p for p in sample.glob("[1-5]_*/**/*.csv") if dress_of(p) == "utf8bom"]
    assert bom
    assert all(p.read_bytes().startswith(BOM + b"school_code") for p in bom)


def test_xlsx_files_have_a_title_row_above_the_header(sample):
    books = list(sample.glob("[1-5]_*/**/*.xlsx"))
    assert books
    for path in books:
        frame, header_row = read_table(path)
        first = next(
            openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        )
        assert header_row >= 3 and first[0] and nfkc(first[0]) != "学校コード"


def test_clean_files_use_the_contracts_varied_spellings(sample):
    returns = read_kind(sample, "returns")
    years = set(returns["academic_year"])
    assert any(y.startswith(("令和", "R", "Ｒ")) for y in years)
    terms = set(returns["term"])
    assert {"前期", "後期"} & terms and any(t.endswith("学期") for t in terms)
    scores = {v for b in IDS for v in returns[b].drop_nulls()}
    assert any(s.endswith("%") for s in scores) and any("％" in s for s in scores)
    dates = set(returns["submitted_on"].drop_nulls())
    assert any("/" in d for d in dates) and any(d.startswith("令和") for d in dates)


def test_manifest_row_counts_match_the_files(tmp_path):
    manifest = generate_sample(tmp_path / "s", schools=60, years=2, seed=5)
    for entry in manifest.files:
        frame, _ = read_table(tmp_path / "s" / entry.path)
        assert frame.height == entry.rows, entry.path


def test_plain_dresses_write_every_file_as_utf8_or_cp932_csv(tmp_path):
    utf8 = generate_sample(tmp_path / "u", schools=60, years=2, dresses="utf8")
    cp932 = generate_sample(tmp_path / "c", schools=60, years=2, dresses="cp932")
    for manifest, dress, first_header in (
        (utf8, "utf8", "school_code"),
        (cp932, "cp932", "学校コード"),
    ):
        for entry in manifest.files:
            path = manifest.out_dir / entry.path
            assert path.suffix == ".csv" and dress_of(path) == dress
            text = path.read_bytes().decode("utf-8" if dress == "utf8" else "cp932")
            links_header = "from_school_code" if dress == "utf8" else "引継ぎ元学校コード"
            assert text.startswith(links_header if entry.kind == "links" else first_header)
    returns = read_kind(tmp_path / "u", "returns")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in returns["submitted_on"])
    assert all(re.fullmatch(r"\d{4}", y) for y in returns["academic_year"])


# --- returns ------------------------------------------------------------------------------------


def test_scores_are_0_to_100_often_exactly_100_and_mostly_round(sample):
    returns = read_kind(sample, "returns")
    scores = [parse_score(v) for b in IDS for v in returns[b].to_list()]
    assessed = [s for s in scores if s is not None]
    assert all(0 <= s <= 100 for s in assessed)
    assert 0.3 <= sum(s == 100 for s in assessed) / len(assessed) <= 0.8
    assert sum(s % 5 == 0 for s in assessed) / len(assessed) >= 0.8
    assert all(
        any(parse_score(r[b]) is not None for b in IDS) for r in returns.iter_rows(named=True)
    )


def test_hub_schools_improve_more_than_other_schools(sample, registry):
    hubs = set(registry.filter(pl.col("hub_code").is_not_null())["school_code"])
    achieved = effective_returns(sample).with_columns(
        achieved=pl.sum_horizontal([(pl.col(b) == 100).cast(pl.Int32) for b in IDS]),
        hub=pl.col("school_code").is_in(list(hubs)),
    )
    means = {
        (r["hub"], r["year"]): r["achieved"]
        for r in achieved.group_by("hub", "year")
        .agg(pl.col("achieved").mean())
        .iter_rows(named=True)
    }
    first, last = min(achieved["year"]), max(achieved["year"])
    hub_gain = means[(True, last)] - means[(True, first)]
    other_gain = means[(False, last)] - means[(False, first)]
    assert hub_gain > other_gain and hub_gain > 0.5
    assert all(3.0 <= m <= 6.5 for m in means.values())  # England-like: 3 to 6 of 8


def test_workplace_experience_and_guidance_are_achieved_least(sample):
    effective = effective_returns(sample)
    shares = {b: (effective[b] == 100).sum() / effective[b].is_not_null().sum() for b in IDS}
    hardest = sorted(shares, key=shares.get)[:2]
    assert set(hardest) == {FRAMEWORK.benchmarks[5].id, FRAMEWORK.benchmarks[7].id}


def test_some_schools_miss_returns(sample, registry):
    effective = effective_returns(sample)
    years = effective["year"].n_unique()
    assert effective.height < registry.height * years


def test_corrections_resend_an_earlier_return_with_changed_scores(sample):
    returns = read_kind(sample, "returns").with_columns(
        key=pl.concat_str(
            "school_code",
            pl.col("academic_year").map_elements(parse_year, pl.Int64),
            pl.col("term").map_elements(parse_term, pl.Int64),
            pl.col("submitted_on").map_elements(parse_date, pl.Date),
            separator="|",
        ),
        scores=pl.concat_list([pl.col(b).map_elements(parse_score, pl.Float64) for b in IDS]),
    )
    corrected = returns.filter(pl.col("file").str.starts_with("5_corrections"))
    original = returns.filter(pl.col("file").str.starts_with("2_returns"))
    assert corrected.height > 0
    joined = corrected.join(original, on="key", suffix="_original")
    assert joined.height == corrected.height
    assert (joined["scores"] != joined["scores_original"]).any()


# --- dates ----------------------------------------------------------------------------------------


def test_dates_lie_inside_their_academic_year_and_never_in_the_future(sample):
    for r in read_kind(sample, "returns").iter_rows(named=True):
        year, day = parse_year(r["academic_year"]), parse_date(r["submitted_on"])
        assert date(year, 4, 1) <= day <= min(date(year + 1, 3, 31), TODAY)
    days = [parse_date(d) for d in read_kind(sample, "activities")["activity_date"]]
    roster_years = {parse_year(y) for y in read_kind(sample, "roster")["academic_year"]}
    assert max(days) <= TODAY
    assert {d.year if d.month >= 4 else d.year - 1 for d in days} == roster_years


# --- roster and activities ------------------------------------------------------------------------


def test_grades_are_valid_for_the_school_type(sample):
    for kind in ("roster", "activities"):
        frame = read_kind(sample, kind)
        for code, grade in frame.select("school_code", "grade").unique().iter_rows():
            kind_of_school = school_types()[code[:2]]
            # Secondary schools, and the elementary schools feeding their junior highs
            # (pipelines/sample/links.py).
            assert kind_of_school.secondary or code[:2] == "B1"
            assert kind_of_school.min_grade <= int(nfkc(grade)) <= kind_of_school.max_grade


def test_students_move_up_one_grade_each_year(sample):
    roster = read_kind(sample, "roster").select(
        "school_code",
        "student_ref",
        pl.col("academic_year").map_elements(parse_year, pl.Int64).alias("year"),
        pl.col("grade").map_elements(lambda g: int(nfkc(g)), pl.Int64).alias("grade"),
    )
    assert roster.select("school_code", "student_ref", "year").is_unique().all()
    assert roster["student_ref"].str.contains(r"^S\d{6}$").all()
    moved = roster.join(
        roster.with_columns(pl.col("year") - 1),
        on=["school_code", "student_ref", "year"],
        suffix="_next",
    )
    assert moved.height > 0 and (moved["grade_next"] == moved["grade"] + 1).all()


def test_activities_use_known_types_and_providers_exercise_cp932(sample):
    activities = read_kind(sample, "activities")
    labels = {a.name_ja: code for code, a in activity_types().items()}
    types = {labels.get(v, v) for v in activities["activity_type"]}
    assert types == set(activity_types())
    providers = set(activities["provider"].drop_nulls())
    assert any("㈱" in p for p in providers) and any("髙" in p for p in providers)


def test_workplace_experience_peaks_in_junior_high_grade_2_guidance_in_grade_3(sample):
    roster = read_kind(sample, "roster").filter(pl.col("school_code").str.starts_with("C1"))
    activities = read_kind(sample, "activities").filter(pl.col("school_code").str.starts_with("C1"))
    labels = {a.name_ja: code for code, a in activity_types().items()}
    activities = activities.with_columns(
        pl.col("activity_type").replace(labels),
        pl.col("grade").map_elements(lambda g: int(nfkc(g)), pl.Int64),
    )
    on_roll = (
        roster.with_columns(pl.col("grade").map_elements(lambda g: int(nfkc(g)), pl.Int64))
        .group_by("grade")
        .len()
    )

    def reach(activity: str) -> dict[int, float]:
        reached = (
            activities.filter(pl.col("activity_type") == activity)
            .unique(["school_code", "student_ref", "grade"])
            .group_by("grade")
            .len("n")
        )
        rolls = dict(on_roll.iter_rows())
        return {g: n / rolls[g] for g, n in reached.iter_rows()}

    work, guidance = reach("workplace_experience"), reach("guidance_interview")
    assert work[2] > 3 * max(work.get(1, 0), work.get(3, 0))
    assert guidance[3] > 3 * max(guidance.get(1, 0), guidance.get(2, 0))


def test_coverage_benchmarks_reach_under_half_in_some_schools_and_most_in_others(sample):
    """Per school, the best-covered grade's share of students reached, for each coverage type."""
    labels = {a.name_ja: code for code, a in activity_types().items()}
    grade = pl.col("grade").map_elements(nfkc, pl.String)
    day = pl.col("activity_date").map_elements(parse_date, pl.Date)
    activities = read_kind(sample, "activities").with_columns(
        grade,
        pl.col("activity_type").replace(labels),
        academic_year=pl.when(day.dt.month() >= 4)
        .then(day.dt.year())
        .otherwise(day.dt.year() - 1)
        .cast(pl.Int64),
    )
    rolls = (
        read_kind(sample, "roster")
        .with_columns(grade, pl.col("academic_year").map_elements(parse_year, pl.Int64))
        .group_by("school_code", "academic_year", "grade")
        .len("roll")
    )
    coverage_types = [
        a for b in FRAMEWORK.benchmarks if b.coverage_benchmark for a in b.activity_types
    ]
    assert coverage_types
    for activity in coverage_types:
        reached = (
            activities.filter(pl.col("activity_type") == activity)
            .unique(["school_code", "student_ref", "academic_year"])
            .group_by("school_code", "academic_year", "grade")
            .len("reached")
        )
        best = (
            rolls.join(reached, on=["school_code", "academic_year", "grade"], how="left")
            .with_columns(pct=pl.col("reached").fill_null(0) / pl.col("roll"))
            .group_by("school_code")
            .agg(pl.col("pct").max())["pct"]
        )
        assert (best < 0.5).any() and (best >= 0.6).any(), activity


def test_activity_schools_are_the_requested_number_of_secondary_schools(tmp_path):
    """The requested secondary schools, plus at most one feeder for each high school and junior
    high among them (a junior high for a high school, an elementary school for a junior high)."""
    generate_sample(tmp_path / "s", schools=120, years=1, activity_schools=5)
    schools = set(read_kind(tmp_path / "s", "roster")["school_code"])
    feeders = {c for c in schools if c[:2] == "B1"}
    assert 5 <= len(schools) <= 5 * 3
    assert all(school_types()[c[:2]].secondary for c in schools - feeders)
    high_and_junior = {c for c in schools if c[:2] in ("C1", "D1")}
    assert len(feeders) <= len(high_and_junior)


def test_no_activity_schools_means_no_roster_or_activity_files(tmp_path):
    manifest = generate_sample(tmp_path / "s", schools=60, years=1, activity_schools=0)
    assert not manifest.of_kind("roster") and not manifest.of_kind("activities")
    folders = {p.name for p in (tmp_path / "s").iterdir()}
    assert {"1_schools", "2_returns"} <= folders and not {"3_roster", "4_activities"} & folders


# --- folders and the error files -----------------------------------------------------------------


def test_folders_sort_schools_first_corrections_after_returns_and_errors_last(sample):
    tops = sorted(p.name for p in sample.iterdir())
    assert tops == [
        "1_schools",
        "2_returns",
        "3_roster",
        "4_activities",
        "5_corrections",
        "6_criteria",
        "7_skills",
        "8_links",
        "9_with_errors",
    ]


def test_criteria_answers_come_in_three_dresses_with_full_width_ids_in_cp932(sample):
    files = sorted((sample / "6_criteria").rglob("*.*"))
    assert {dress_of(p) for p in files} == {"cp932", "utf8bom", "xlsx"}
    cp932 = next(p for p in files if dress_of(p) == "cp932")
    text = cp932.read_bytes().decode("cp932")
    assert text.startswith("学校コード") and "観点,回答" in text and "Ｂ１－１" in text
    bom = next(p for p in files if dress_of(p) == "utf8bom")
    assert bom.read_bytes().startswith(BOM + b"school_code")
    assert "criterion,answer" in bom.read_bytes().decode("utf-8-sig")


def test_with_errors_adds_criteria_rows_that_break_the_criteria_rules(sample):
    text = (sample / "9_with_errors" / "5_criteria_errors.csv").read_bytes().decode("cp932")
    assert "B9-9" in text and "たぶん" in text
    readme = (sample / "9_with_errors" / "README.txt").read_text("utf-8")
    assert "5_criteria_errors.csv row 2 " in readme


def test_with_errors_adds_skills_rows_that_break_the_skills_rules(sample):
    text = (sample / "9_with_errors" / "6_skills_errors.csv").read_bytes().decode("cp932")
    assert "聴く力" in text and "保護者" in text and ",16," in text
    readme = (sample / "9_with_errors" / "README.txt").read_text("utf-8")
    assert "6_skills_errors.csv row 7 " in readme


def test_skills_files_come_in_every_dress_with_skills_named_in_japanese_in_cp932(sample):
    files = sorted((sample / "7_skills").rglob("*.*"))
    assert {dress_of(p) for p in files} == {"cp932", "utf8bom", "xlsx"}
    text = next(p for p in files if dress_of(p) == "cp932").read_bytes().decode("cp932")
    assert text.startswith("学校コード") and "聴く力" in text


def test_with_errors_writes_bad_rows_unreadable_and_empty_files_and_a_readme(sample):
    folder = sample / "9_with_errors"
    readme = (folder / "README.txt").read_text("utf-8")
    assert "チェックディジット" in readme and "wrong check digit" in readme
    assert (folder / "8_empty.csv").stat().st_size == 0
    garbage = (folder / "8_unreadable.csv").read_bytes()
    assert b"\x00" in garbage
    with pytest.raises(UnicodeDecodeError):
        garbage.decode("utf-8")
    returns, _ = read_table(folder / "2_returns_errors.csv")
    assert {"120", "abc"} <= set(returns[IDS[0]].drop_nulls())
    assert "4" in set(returns["term"])
    assert returns.filter(pl.all_horizontal(pl.col(IDS).is_null())).height == 1
    assert any(not school_code_check_ok(c) for c in returns["school_code"])
    activities, header_row = read_table(folder / "4_activities_errors.xlsx")
    assert {"field_trip"} <= set(activities["activity_type"]) and "-2" in set(activities["hours"])
    assert activities["student_ref"].null_count() == 1
    junior = activities.filter(pl.col("grade") == "7")["school_code"]
    assert junior.len() == 1 and junior[0].startswith("C1")
    # Every bad row is listed with its file and the row number Excel shows.
    assert f"4_activities_errors.xlsx row {header_row + 1}" in readme
    for name in ("1_schools_errors.csv", "2_returns_errors.csv", "3_roster_errors.csv"):
        assert f"{name} row 2 " in readme and f"{name} 2行目" in readme


# --- the command --------------------------------------------------------------------------------


def test_cli_prints_a_summary_and_refuses_a_folder_that_is_not_empty(tmp_path):
    runner = CliRunner()
    args = ["sample", str(tmp_path / "s"), "--schools", "60", "--years", "1", "--lang", "en"]
    first = runner.invoke(build_cli("en"), args)
    assert first.exit_code == 0, first.output
    assert "Sample written" in first.output and "60 schools" in first.output
    again = runner.invoke(build_cli("ja"), args[:-2])
    assert again.exit_code == 1
    assert "空ではありません" in again.output and "Traceback" not in again.output
