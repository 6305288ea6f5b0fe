"""`-- narrow input:` header lines: an incremental rebuild reads those inputs only where the
change can reach them (pipelines/build/narrow_inputs.py). That the rows come out the same as a
full build's is tested file after file in test_build_incremental.py; here, what the SQL becomes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.build.models import discover_models, parse_model
from pipelines.build.narrow_inputs import NarrowInputError, narrowed_body

MODEL = """\
-- One row per area and year.
-- Key: (area_level, area_code, academic_year)
-- Incremental: academic_year
-- Narrow: area
-- narrow input: marts.school_area where {areas}
-- narrow input: marts.school_year_summary where academic_year >= {start} - 1
with school_years as (
    select * from marts.school_year_summary
),

school_areas as (
    select * from marts.school_area as areas_of_schools
)

select area_level, area_code, academic_year, count(*) as schools
from school_years
inner join school_areas on school_years.school_code = school_areas.school_code
group by all
"""

VALUES = {
    "areas": "(area_level = 'hub' and area_code in ('H1'))",
    "schools": None,
    "years": "(academic_year in (2025))",
    "start": "2025",
}


def model_file(tmp_path: Path, text: str):
    (tmp_path / "marts").mkdir(exist_ok=True)
    path = tmp_path / "marts" / "m.sql"
    path.write_text(text, encoding="utf-8")
    return parse_model(path, "marts")


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.school_year_summary as select * from (values "
        "('S1', 2023), ('S1', 2024), ('S1', 2025), ('S2', 2025), ('S3', 2025)) "
        "t(school_code, academic_year)"
    )
    con.execute(
        "create table marts.school_area as select * from (values "
        "('S1', 'hub', 'H1'), ('S2', 'hub', 'H1'), ('S3', 'hub', 'H2')) "
        "t(school_code, area_level, area_code)"
    )
    return con


def test_a_declared_input_is_read_only_where_the_change_reaches(tmp_path, con):
    model = model_file(tmp_path, MODEL)
    assert model.narrow_inputs == (
        ("marts.school_area", "{areas}"),
        ("marts.school_year_summary", "academic_year >= {start} - 1"),
    )
    body = narrowed_body(model, VALUES)
    assert (
        "select * from (select * from marts.school_area where "
        "(area_level = 'hub' and area_code in ('H1'))) as areas_of_schools"
    ) in body  # the model's own alias kept
    assert (
        "from (select * from marts.school_year_summary where academic_year >= 2025 - 1) "
        "as school_year_summary"
    ) in body  # the name it had without an alias
    # Only H1's schools, from 2024 on; the whole model has H2 and 2023 too.
    assert con.execute(f"{body} order by all").fetchall() == [
        ("hub", "H1", 2024, 1),
        ("hub", "H1", 2025, 2),
    ]
    whole = con.execute(f"{model.body} order by all").fetchall()
    assert ("hub", "H2", 2025, 1) in whole and ("hub", "H1", 2023, 1) in whole


def test_an_input_whose_placeholder_the_change_lacks_is_read_whole(tmp_path, con):
    model = model_file(tmp_path, MODEL)
    body = narrowed_body(model, {**VALUES, "areas": None})  # the narrowing was dropped
    assert "from marts.school_area as areas_of_schools" in body
    assert "where academic_year >= 2025 - 1" in body
    rows = con.execute(f"{body} order by all").fetchall()
    assert ("hub", "H2", 2025, 1) in rows


def test_a_declaration_naming_an_input_the_model_does_not_read_stops_the_rebuild(tmp_path):
    text = MODEL.replace("-- narrow input: marts.school_area", "-- narrow input: marts.dim_school")
    with pytest.raises(NarrowInputError, match="marts.dim_school"):
        narrowed_body(model_file(tmp_path, text), VALUES)


def test_every_declaration_in_sql_names_an_input_its_model_reads_and_renders_to_valid_sql():
    declared = [m for m in discover_models() if m.narrow_inputs]
    assert declared  # the area marts declare theirs
    con = duckdb.connect()
    for model in declared:
        body = narrowed_body(model, VALUES)
        assert body.count("(select * from ") >= len(model.narrow_inputs), model.qualified_name
        # Parsed (not bound: the tables are not here) without a syntax error.
        con.extract_statements(body)
