"""A school's own login (role = "school"): its own rows and only public (suppressed) area figures,
enforced by the real queries on a warehouse built by the real pipeline from files."""

from __future__ import annotations

import importlib
import inspect

import polars as pl
import pytest
from access_warehouse import NAMES, SCHOOL_A, SCHOOL_B, SCHOOL_C, write_sample

from dashboard import access, ui
from dashboard.roles import Role, RolesError, parse_roles
from dashboard.scope import Scope
from pipelines.build import build_warehouse
from pipelines.ingest import ingest_files
from pipelines.warehouse import current_snapshot, open_snapshot

QUERY_MODULES = ("areas", "audit", "options", "quality", "schools", "criteria")


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("school")
    db = folder / "shirube.duckdb"
    ingest_files(write_sample(folder / "files"), db)
    build_warehouse(db, lang="en")
    con = open_snapshot(current_snapshot(db)[1])
    yield con.cursor()
    con.close()


def test_school_role_is_read_from_the_roles_file_with_its_code_normalised():
    roles = parse_roles(
        f'[[user]]\nemail = "lead@school.jp"\nrole = "school"\nschool = "{SCHOOL_A.lower()}"\n'
    )
    role = roles["lead@school.jp"]
    assert role.scope == Scope.school(SCHOOL_A) and role.may_upload


@pytest.mark.parametrize(
    ("entry", "key"),
    [("", "missing_scope"), ('school = "C1132"\n', "bad_school_code")],
)
def test_school_role_without_a_valid_school_code_is_refused(entry, key):
    with pytest.raises(RolesError) as refused:
        parse_roles(f'[[user]]\nemail = "a@x.jp"\nrole = "school"\n{entry}')
    assert refused.value.key == key
    assert "school" in refused.value.message_en or "学校" in refused.value.message_ja


def _arguments(function, school: str) -> dict:
    values = {
        "level": "hub",
        "code": "H01",
        "year": 2025,
        "parent_code": None,
        "area_code": None,
        "school": school,
        "text": "中学校",
        "limit": 50,
        "severities": ("high", "medium", "low"),
    }
    arguments = {}
    for name, parameter in list(inspect.signature(function).parameters.items())[2:]:
        if parameter.kind is parameter.VAR_KEYWORD:
            arguments.update(area_level="national", area_code=None, hub=None)
            arguments.update(school_type=None, establishment=None)
        elif name in values:
            arguments[name] = values[name]
    return arguments


def every_query():
    for module_name in QUERY_MODULES:
        module = importlib.import_module(f"dashboard.queries.{module_name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{module_name}.{name}", function


def cells(frame: pl.DataFrame) -> set[str]:
    return {str(v) for column in frame.columns for v in frame[column].to_list()}


@pytest.mark.parametrize("asked_for", [SCHOOL_A, SCHOOL_B])
def test_no_query_tells_a_school_user_anything_about_another_school(cursor, asked_for):
    scope = Scope.school(SCHOOL_A)
    others = {SCHOOL_B, SCHOOL_C, NAMES[SCHOOL_B], NAMES[SCHOOL_C]}
    for name, function in every_query():
        result = function(cursor, scope, **_arguments(function, asked_for))
        leaked = {c for c in cells(result) for o in others if o in c}
        assert not leaked, (name, leaked)


def test_a_school_user_sees_its_own_profile_and_not_another_by_code(cursor):
    from dashboard.queries import schools as q

    scope = Scope.school(SCHOOL_A)
    assert q.school_info(cursor, scope, school=SCHOOL_A)["school_code"].to_list() == [SCHOOL_A]
    assert q.school_info(cursor, scope, school=SCHOOL_B).is_empty()
    assert q.school_years(cursor, scope, school=SCHOOL_B).is_empty()
    assert set(q.school_codes(cursor, scope)["school_code"]) == {SCHOOL_A}


def test_a_school_user_compares_with_suppressed_area_figures_only(cursor):
    from dashboard.queries import schools as q

    # Hub H01 has two reporting schools (A, B), below min_schools: a coordinator of H01 sees the
    # hub mean; school A sees it hidden, else it would learn B's scores.
    own = q.school_comparison(cursor, Scope.school(SCHOOL_A), school=SCHOOL_A, year=2025)
    assert not own.is_empty()
    assert own["hub_mean"].null_count() == own.height
    assert own["national_mean"].null_count() == own.height  # 3 schools in the nation
    coordinator = q.school_comparison(
        cursor, Scope.areas("hub", ("H01",)), school=SCHOOL_A, year=2025
    )
    assert coordinator["hub_mean"].null_count() == 0


def test_a_school_user_gets_only_its_own_pages():
    viewer = access.Viewer(access.SIGNED_IN, "a@x.jp", Role("a@x.jp", "school", "school", SCHOOL_A))
    paths = [p.url_path for p in ui.pages_for(viewer)]
    assert paths == ["home", "school", "skills", "self_assessment", "student_record", "quality"]
    staff = access.Viewer(access.SIGNED_IN, "s@x.jp", Role("s@x.jp", "asknet"))
    assert "self_assessment" in [p.url_path for p in ui.pages_for(staff)]
    assert "student_record" not in [p.url_path for p in ui.pages_for(staff)]
    coordinator = access.Viewer(
        access.SIGNED_IN, "c@x.jp", Role("c@x.jp", "hub_coordinator", "hub", "H01")
    )
    assert "self_assessment" not in [p.url_path for p in ui.pages_for(coordinator)]
    assert "student_record" not in [p.url_path for p in ui.pages_for(coordinator)]


def test_a_school_role_whose_school_is_not_in_the_data_is_named():
    from dashboard.roles import unknown_areas

    missing = "C113200099990"
    roles = parse_roles(
        f'[[user]]\nemail = "a@x.jp"\nrole = "school"\nschool = "{SCHOOL_A}"\n'
        f'[[user]]\nemail = "b@x.jp"\nrole = "school"\nschool = "{missing}"\n'
    )
    (problem,) = unknown_areas(roles, {"school": {SCHOOL_A}})
    assert (problem.email, problem.code) == ("b@x.jp", missing)
    assert "School" in problem.message("en") and "学校" in problem.message("ja")
