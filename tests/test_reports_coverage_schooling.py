"""The report's coverage table and chart: by year of schooling, labelled as people say it."""

from datetime import date

from build_rows import RawRows, build_and_open, code

from pipelines.reports.charts import coverage_chart
from pipelines.reports.content import gather_report

JUNIOR, HIGH = code("C1", "13", 1), code("D1", "13", 2)


def test_report_coverage_keeps_junior_high_and_high_school_first_years_apart(tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[suppression]\nmin_schools = 1\nmin_students = 1\n", encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(JUNIOR, "一中", "13101", None, None), (HIGH, "一高", "13101", None, None)])
    raw.returns([(s, 2025, 1, date(2025, 7, 1), {"B1": 100}) for s in (JUNIOR, HIGH)])
    raw.roster([(JUNIOR, 2025, "j1", 1), (JUNIOR, 2025, "j2", 1), (HIGH, 2025, "h1", 1)])
    raw.activities([(HIGH, "h1", 1, "employer_encounter", date(2025, 6, 1))])
    snap = build_and_open(raw)

    content = gather_report(snap, year=2025, area="municipality:13101", lang="en")
    b5 = {r.year_of_schooling: r for r in content.coverage if r.benchmark_id == "B5"}
    assert set(b5) == {7, 10, None}  # 中1 and 高1, never one "grade 1"
    assert (b5[7].students_on_roll.value, b5[7].students_reached.value) == (2, 0)
    assert (b5[10].students_on_roll.value, b5[10].students_reached.value) == (1, 1)
    chart = coverage_chart(content)
    assert list(chart.data[0].x) == ["Year 7 (JHS 1)", "Year 10 (HS 1)", "All years"]
