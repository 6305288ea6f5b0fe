"""The roles file: parsing, refusal of broken files (also at `shirube serve` start), and each
role's scope applied by the real queries on the fixture snapshot."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dashboard_fixture import SCHOOLS, YEARS, make_fixture_warehouse, school_code

from dashboard import access
from dashboard.queries import options as q_options
from dashboard.queries import schools as q_schools
from dashboard.roles import Role, RolesError, load_roles, parse_roles, role_of, scope_for
from dashboard.scope import Scope
from pipelines.warehouse import current_snapshot, open_snapshot

ROLES_TOML = """
[[user]]
email = "Coord@Example.org"
role = "hub_coordinator"
hub = "H01"

[[user]]
email = "kyoiku@example.org"
role = "superintendent"
municipality = "271004"

[[user]]
email = "ken@example.org"
role = "superintendent"
prefecture = "13"

[[user]]
email = "staff@example.org"
role = "asknet"
"""


def codes_where(predicate) -> set[str]:
    return {school_code(s) for s in SCHOOLS if predicate(s)}


@pytest.fixture(scope="module")
def cursor(tmp_path_factory):
    db = tmp_path_factory.mktemp("marts") / "shirube.duckdb"
    make_fixture_warehouse(db)
    con = open_snapshot(current_snapshot(db)[1])
    yield con.cursor()
    con.close()


def test_each_role_gets_its_scope_and_emails_match_without_case():
    roles = parse_roles(ROLES_TOML)
    assert role_of("coord@EXAMPLE.org ", roles).scope == Scope.areas("hub", ("H01",))
    # A 6-digit municipality code (with check digit) keys the 5-digit municipality.
    assert role_of("kyoiku@example.org", roles).scope == Scope.areas("municipality", ("27100",))
    assert role_of("ken@example.org", roles).scope == Scope.areas("prefecture", ("13",))
    assert role_of("staff@example.org", roles).scope.is_everything
    assert role_of("nobody@example.org", roles) is None
    assert role_of(None, roles) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[[user]]\nemail = "a@x.jp"\nrole = "admin"\n', "unknown_role"),
        ('[[user]]\nemail = "a@x.jp"\nrole = "hub_coordinator"\n', "missing_scope"),
        ('[[user]]\nemail = "a@x.jp"\nrole = "superintendent"\n', "missing_scope"),
        (
            '[[user]]\nemail = "a@x.jp"\nrole = "superintendent"\n'
            'municipality = "13101"\nprefecture = "13"\n',
            "missing_scope",
        ),
        ('[[user]]\nemail = "a@x.jp"\nrole = "superintendent"\nprefecture = "東京"\n', "bad_code"),
        (
            '[[user]]\nemail = "a@x.jp"\nrole = "asknet"\n'
            '[[user]]\nemail = "A@X.jp"\nrole = "asknet"\n',
            "duplicate_email",
        ),
        ('[[user]]\nrole = "asknet"\n', "bad_email"),
        ("[[user]\nemail =", "not_toml"),
    ],
)
def test_a_broken_roles_file_is_refused_with_a_reason_in_both_languages(text, key):
    with pytest.raises(RolesError) as caught:
        parse_roles(text)
    assert caught.value.key == key
    assert caught.value.message_ja != caught.value.message_en
    assert caught.value.message_ja and caught.value.message_en


def test_an_unreadable_roles_file_is_refused(tmp_path):
    with pytest.raises(RolesError) as caught:
        load_roles(tmp_path / "missing.toml")
    assert caught.value.key == "unreadable"


def test_shirube_serve_refuses_to_start_with_a_broken_roles_file(tmp_path):
    roles = tmp_path / "roles.toml"
    roles.write_text('[[user]]\nemail = "a@x.jp"\nrole = "principal"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "serve", "--roles", str(roles), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "principal" in done.stderr
    assert "権限ファイル" in done.stderr and "roles file" in done.stderr
    assert "Traceback" not in done.stderr


def test_hub_coordinator_queries_return_only_the_hubs_schools(cursor):
    scope = scope_for(Role("c@x.jp", "hub_coordinator", "hub", "H01"))
    own = codes_where(lambda s: s[5] == "H01")
    flagged = q_schools.flagged_schools(
        cursor,
        scope,
        year=YEARS[-1],
        severities=("high", "medium", "low"),
        area_level="national",
        area_code=None,
        hub=None,
        school_type=None,
        establishment=None,
    )
    assert not flagged.is_empty() and set(flagged["school_code"]) <= own
    assert set(q_schools.school_codes(cursor, scope)["school_code"]) == own
    other = school_code(next(s for s in SCHOOLS if s[5] == "H02"))
    assert q_schools.school_info(cursor, scope, school=other).is_empty()
    assert set(q_options.areas(cursor, scope, level="hub")["area_code"]) == {"H01"}


def test_superintendent_sees_only_their_municipality_and_reports_only_areas_within(cursor):
    scope = scope_for(Role("k@x.jp", "superintendent", "municipality", "14100"))
    assert set(q_schools.school_codes(cursor, scope)["school_code"]) == codes_where(
        lambda s: s[4] == "14100"
    )
    within = q_options.areas_within_scope(cursor, scope, level="municipality")
    assert within["area_code"].to_list() == ["14100"]
    # Hub H01 also has schools in 13101: not wholly inside, so no hub report for this board.
    assert q_options.areas_within_scope(cursor, scope, level="hub").is_empty()


def test_nobody_allowed_sees_nothing(cursor):
    for mode in (access.LOGIN, access.STRANGER, access.REFUSED_OPEN, access.ROLES_BROKEN):
        viewer = access.Viewer(mode, email="x@y.jp")
        assert not viewer.may_see_data and not viewer.may_upload
        assert q_schools.school_codes(cursor, viewer.scope).is_empty()
        assert q_options.school_kinds(cursor, viewer.scope).is_empty()


def test_who_may_upload():
    def viewer(role: str, level=None, code=None) -> access.Viewer:
        return access.Viewer(access.SIGNED_IN, "a@x.jp", Role("a@x.jp", role, level, code))

    assert viewer("asknet").may_upload and viewer("asknet").is_asknet
    assert viewer("hub_coordinator", "hub", "H01").may_upload
    assert not viewer("superintendent", "prefecture", "13").may_upload
    assert not access.Viewer(access.OPEN_DEMO).may_upload
    assert access.Viewer(access.OPEN_NO_AUTH).may_upload
