"""The roles file checked at start: unknown keys refused, areas with no schools in the warehouse
named (server log at start, and the warning ASKNET staff see), on real TOML files and a real
ingest + build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from access_warehouse import make_real_warehouse

from dashboard.queries.options import areas
from dashboard.roles import AREA_LEVELS, RolesError, UnknownArea, load_roles, unknown_areas
from dashboard.scope import Scope
from dashboard.serve import roles_area_warnings
from pipelines.warehouse import current_snapshot, open_snapshot

GOOD = """
[[user]]
email = "coord@example.org"
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
TYPOS = """
[[user]]
email = "coord@example.org"
role = "hub_coordinator"
hub = "H1O"

[[user]]
email = "kyoiku@example.org"
role = "superintendent"
municipality = "27101"

[[user]]
email = "ken@example.org"
role = "superintendent"
prefecture = "47"

[[user]]
email = "fine@example.org"
role = "hub_coordinator"
hub = "H02"

[[user]]
email = "staff@example.org"
role = "asknet"
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("roles")
    db = folder / "shirube.duckdb"
    make_real_warehouse(db, folder / "sample")  # hubs H01, H02; 13101, 14100, 27100
    return db


@pytest.fixture(scope="module")
def known(warehouse) -> dict[str, set[str]]:
    con = open_snapshot(current_snapshot(warehouse)[1])
    try:
        cursor = con.cursor()
        return {
            level: set(areas(cursor, Scope.everything(), level=level)["area_code"])
            for level in AREA_LEVELS
        }
    finally:
        con.close()


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_users_instead_of_user_is_refused_naming_the_key(tmp_path):
    path = _file(tmp_path, GOOD.replace("[[user]]", "[[users]]"))
    with pytest.raises(RolesError) as caught:
        load_roles(path)
    assert caught.value.key == "unknown_key"
    assert "users" in caught.value.message_ja and "users" in caught.value.message_en


def test_a_misspelt_key_in_an_entry_is_refused_naming_it(tmp_path):
    path = _file(tmp_path, GOOD.replace('hub = "H01"', 'hubb = "H01"'))
    with pytest.raises(RolesError) as caught:
        load_roles(path)
    assert caught.value.key == "unknown_entry_key"
    assert "hubb" in caught.value.message_en and "hubb" in caught.value.message_ja


def test_every_area_of_a_good_file_has_schools(tmp_path, known):
    assert unknown_areas(load_roles(_file(tmp_path, GOOD)), known) == []


def test_a_hub_municipality_or_prefecture_without_schools_is_named(tmp_path, known):
    found = unknown_areas(load_roles(_file(tmp_path, TYPOS)), known)
    assert found == [
        UnknownArea("coord@example.org", "hub", "H1O"),
        UnknownArea("kyoiku@example.org", "municipality", "27101"),
        UnknownArea("ken@example.org", "prefecture", "47"),
    ]
    assert "H1O" in found[0].message("ja") and "H1O" in found[0].message("en")
    assert found[0].message("ja") != found[0].message("en")


def test_serve_start_writes_a_warning_in_both_languages_naming_each_unknown_area(
    tmp_path, warehouse
):
    warning = roles_area_warnings(str(_file(tmp_path, TYPOS)), str(warehouse))
    lines = warning.splitlines()
    assert len(lines) == 6  # three areas, each in Japanese and English
    for code in ("H1O", "27101", "47"):
        assert sum(code in line for line in lines) == 2
    assert "H02" not in warning and "staff@example.org" not in warning
    assert roles_area_warnings(str(_file(tmp_path, GOOD)), str(warehouse)) == ""


def test_before_the_first_build_there_is_nothing_to_check_against(tmp_path):
    assert roles_area_warnings(str(_file(tmp_path, TYPOS)), str(tmp_path / "new.duckdb")) == ""


def test_shirube_serve_refuses_to_start_with_users_instead_of_user(tmp_path):
    path = _file(tmp_path, GOOD.replace("[[user]]", "[[users]]"))
    done = subprocess.run(
        [sys.executable, "-m", "shirube.cli", "serve", "--roles", str(path), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "users" in done.stderr and "Traceback" not in done.stderr
