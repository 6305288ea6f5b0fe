"""The funder report's essential-skills section (HTML, PDF text, Excel sheet): public figures
suppressed below min_students, the gap to the nation by year of schooling, the provisional note."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from build_rows import RawRows, build_snapshot, code
from pypdf import PdfReader

from pipelines.i18n import t
from pipelines.reports import render_report

BIG = [code("C1", "13", n) for n in (1, 2)]  # hub H1: 12 students, listening 5 -> 7
SMALL = code("C1", "27", 3)  # hub H2: 4 students, below min_students (10)
JUNE, FEB = date(2025, 6, 15), date(2026, 2, 10)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    raw = RawRows(tmp_path_factory.mktemp("report_skills") / "shirube.duckdb")
    raw.schools(
        [(c, f"中{i}", "13101", "H1", "湾岸ハブ") for i, c in enumerate(BIG)]
        + [(SMALL, "小規模中", "27100", "H2", "なにわハブ")]
    )
    raw.returns([(c, 2025, 2, date(2025, 11, 1), {"B1": 50}) for c in [*BIG, SMALL]])
    rows = []
    for school in BIG:
        for n in range(6):
            rows.append((school, f"s{n}", 2, JUNE, "teacher", {"listening": 5}))
            rows.append((school, f"s{n}", 2, FEB, "teacher", {"listening": 7}))
    rows += [(SMALL, f"s{n}", 2, FEB, "teacher", {"listening": 3}) for n in range(4)]
    raw.skills(rows)
    return build_snapshot(raw)


def html(snapshot, area: str, lang: str) -> str:
    page = render_report(snapshot, year=2025, area=area, lang=lang, fmt="html").decode()
    start = page.index('<section class="skills">')
    return re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])


def test_a_hub_above_min_students_shows_its_steps_gap_and_progress(snapshot):
    text = " ".join(html(snapshot, "hub:H1", "en").split())
    # 12 students at 7 in year 8; the nation's year 8: (12 x 7 + 4 x 3) / 16 = 6.0.
    no_data = t("report.no_data_mark", "en")
    assert f"Listening 12 7.0 +1.0 {no_data} +2.0" in text
    assert "provisional" in text


def test_a_hub_below_min_students_is_suppressed(snapshot):
    text = " ".join(html(snapshot, "hub:H2", "ja").split())
    assert "聴く力 ＊ ＊ ＊" in text
    assert "仮訳" in text


def test_the_pdf_and_the_workbook_carry_the_section(snapshot):
    pdf = render_report(snapshot, year=2025, area="hub:H1", lang="en", fmt="pdf")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Essential skills" in words and "provisional" in words
    book = openpyxl.load_workbook(
        io.BytesIO(render_report(snapshot, year=2025, area="hub:H1", lang="ja", fmt="xlsx"))
    )
    sheet = book["エッセンシャルスキル"]
    assert [c.value for c in sheet[2]][:4] == ["聴く力", 12, 7, 1]


def test_the_national_report_has_no_gap_to_the_nation(snapshot):
    """The nation against itself would read +0.0 on every row: the column is left out."""
    text = " ".join(html(snapshot, "national", "en").split())
    # The nation: 16 students; mean step (12 x 7 + 4 x 3) / 16 = 6.0; progress 2.0 over 12.
    no_data = t("report.no_data_mark", "en")
    assert f"Listening 16 6.0 {no_data} +2.0" in text
    assert t("report.col_gap_to_nation", "en") not in text
    assert "gap" not in text.lower()  # nor the note's explanation of it
    assert t("report.col_gap_to_nation", "en") in html(snapshot, "hub:H1", "en")
    book = openpyxl.load_workbook(
        io.BytesIO(render_report(snapshot, year=2025, area="national", lang="ja", fmt="xlsx"))
    )
    sheet = book["エッセンシャルスキル"]
    headers = [c.value for c in sheet[1]]
    assert t("report.col_gap_to_nation", "ja") not in headers
    assert headers[:3] == [
        t(f"report.{k}", "ja") for k in ("col_skill", "col_students_assessed", "col_mean_step")
    ]
    assert [c.value for c in sheet[2]][:3] == ["聴く力", 16, 6]
    notes = [row[0].value for row in sheet.iter_rows(min_row=3) if row[0].value]
    assert notes[0] == t("report.skills_note_national", "ja")
