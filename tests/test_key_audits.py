"""Key audits: each model's `-- Key:` header becomes an audit, and a duplicate key stops the build.

A model without a key header is refused, so a new model has to say what makes its rows unique (or
say, with a reason, that nothing does).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from build_rows import RawRows, code

from pipelines.build import BuildError, build_warehouse
from pipelines.build.keys import KeyHeaderError, ModelKey, model_keys, parse_key
from pipelines.build.models import SQL_DIR, discover_models, parse_model
from pipelines.warehouse import current_snapshot

SCHOOL = code("C1", "13", 1)


def model_file(folder: Path, name: str, text: str):
    path = folder / f"{name}.sql"
    path.write_text(text, encoding="utf-8")
    return parse_model(path, "marts")


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        ("-- Key: school_code", ("school_code",)),
        ("-- Key: (school_code, academic_year)", ("school_code", "academic_year")),
        ("-- key:  (Area_Level,area_code)", ("area_level", "area_code")),
        ("-- Key: none unique; two identical events are both kept", ()),
    ],
)
def test_the_key_header_names_the_columns_or_says_there_is_none(tmp_path, header, columns):
    model = model_file(tmp_path, "m", f"-- One row per thing.\n{header}\nselect 1 as x\n")
    assert parse_key(model) == ModelKey("marts.m", columns)


@pytest.mark.parametrize(
    "text",
    [
        "-- One row per thing.\nselect 1 as school_code\n",  # no key line
        "-- One row per thing.\n-- Key: school code and year\nselect 1\n",  # not columns
        "select 1\n-- Key: school_code\n",  # a key below the header is not the header's
    ],
)
def test_a_model_without_a_readable_key_header_is_refused(tmp_path, text):
    with pytest.raises(KeyHeaderError, match="marts.m"):
        parse_key(model_file(tmp_path, "m", text))


def test_every_model_in_sql_declares_its_key():
    keys = model_keys(discover_models())  # raises, naming each model without a key
    assert len(keys) == len(discover_models())
    assert ModelKey("marts.dim_school", ("school_code",)) in keys


def sql_copy_with(tmp_path: Path, name: str, text: str) -> Path:
    """A copy of sql/ with one more mart model."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    (sql_dir / "marts" / f"{name}.sql").write_text(text, encoding="utf-8")
    return sql_dir


def small_warehouse(tmp_path: Path) -> Path:
    raw = RawRows(tmp_path / "shirube.duckdb")
    raw.schools([(SCHOOL, "一中", "13101", None, None)])
    raw.returns([(SCHOOL, 2025, 1, date(2025, 7, 1), {"B1": 100})])
    raw.close()
    return raw.db_path


def test_a_duplicated_key_stops_the_build_and_names_the_model(tmp_path):
    sql_dir = sql_copy_with(
        tmp_path,
        "school_twice",
        "-- One row per school (it claims).\n-- Key: school_code\n"
        "select school_code from marts.dim_school\n"
        "union all\nselect school_code from marts.dim_school\n",
    )
    db = small_warehouse(tmp_path)
    with pytest.raises(BuildError) as failure:
        build_warehouse(db, lang="en", sql_dir=sql_dir)
    assert failure.value.key == "audit_failed"
    assert failure.value.values["audit"] == "unique_key:marts.school_twice"
    assert SCHOOL in failure.value.values["rows"]
    assert current_snapshot(db) is None  # nothing was published


def test_a_model_that_says_it_has_no_unique_key_is_not_audited_for_one(tmp_path):
    sql_dir = sql_copy_with(
        tmp_path,
        "school_twice",
        "-- One row per school and copy.\n-- Key: none unique; each school appears twice\n"
        "select school_code from marts.dim_school\n"
        "union all\nselect school_code from marts.dim_school\n",
    )
    result = build_warehouse(small_warehouse(tmp_path), lang="en", sql_dir=sql_dir)
    names = {audit.name for audit in result.audits}
    assert "unique_key:marts.dim_school" in names
    assert "unique_key:marts.school_twice" not in names


def test_a_new_model_without_a_key_header_stops_the_build(tmp_path):
    sql_dir = sql_copy_with(
        tmp_path, "unkeyed", "-- One row per school.\nselect * from marts.dim_school\n"
    )
    with pytest.raises(BuildError) as failure:
        build_warehouse(small_warehouse(tmp_path), lang="en", sql_dir=sql_dir)
    assert failure.value.key == "model_key_unreadable"
    assert "marts.unkeyed" in failure.value.message("en")
