"""The repository stands on its own: every link in the README and docs/ resolves inside it, no
committed document names a machine's path or a folder beside the repository, and the example
configuration files the docs walk through are valid."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from dashboard.roles import load_roles

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
# Text the project commits (the sample data aside), where a pointer outside the repository hides.
TEXT_FOLDERS = (
    "pipelines",
    "dashboard",
    "shirube",
    "sql",
    "tests",
    "benchmarks",
    "scripts",
    "docs",
)
TEXT_SUFFIXES = {".py", ".md", ".toml", ".sql", ".sh", ".css"}
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home|tmp|Users)/")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def prose(markdown: str) -> str:
    """The markdown without fenced blocks and code spans (their brackets are not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        heading = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if heading:
            slug = anchor(heading.group(1))
            count = seen.get(slug, 0)
            found.add(slug if count == 0 else f"{slug}-{count}")
            seen[slug] = count + 1
    return found


def relative_links(path: Path) -> list[str]:
    links = LINK.findall(prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


def broken_links(path: Path) -> list[str]:
    broken = []
    for link in relative_links(path):
        target, _, fragment = link.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        inside = resolved == ROOT or ROOT in resolved.parents
        if not inside or not resolved.exists():
            broken.append(f"{link} (no such file in the repository)")
        elif fragment and (resolved.suffix != ".md" or fragment not in anchors(resolved)):
            broken.append(f"{link} (no heading #{fragment})")
    return broken


def test_anchors_follow_githubs_rule():
    assert anchor("Suppression: figures that leave the building") == (
        "suppression-figures-that-leave-the-building"
    )
    assert anchor("schools (学校一覧)") == "schools-学校一覧"
    assert anchor("How schools' files look") == "how-schools-files-look"


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n[ok](#title) [gone](#nothing) [file](other.md) [up](../outside.md)\n"
        "`[not](a-link.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "#nothing (no heading #nothing)",
        "other.md (no such file in the repository)",
        "../outside.md (no such file in the repository)",
    ]


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_relative_link_and_anchor_resolves_inside_the_repository(path):
    assert broken_links(path) == []


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_no_document_names_a_path_of_the_machine_it_was_written_on(path):
    text = path.read_text(encoding="utf-8")
    assert MACHINE_PATH.findall(text) == []


def test_the_machine_path_check_catches_what_it_should():
    assert MACHINE_PATH.findall("Database: `/work/main/benchmarks/out/x.duckdb`; /tmp/y")
    assert not MACHINE_PATH.findall("`shirube build --parquet-dir /shared/shirube`, /srv/shirube")


def test_nothing_points_to_documents_beside_the_repository():
    files = [
        path
        for folder in TEXT_FOLDERS
        for path in (ROOT / folder).rglob("*")
        if path.suffix in TEXT_SUFFIXES and path != Path(__file__).resolve()
    ] + [ROOT / "README.md", ROOT / "Makefile"]
    pointing_out = [
        str(path.relative_to(ROOT))
        for path in files
        if re.search(r"\.\./shared|\bshared/(?:data-contract|domain)\.md", path.read_text("utf-8"))
    ]
    assert pointing_out == []


def test_the_example_roles_file_is_a_valid_roles_file():
    from dashboard.roles import ROLES

    roles = load_roles(ROOT / "roles.example.toml")
    assert {role.role for role in roles.values()} == set(ROLES)


def test_the_example_secrets_file_has_what_streamlits_login_needs():
    secrets = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text("utf-8"))
    assert set(secrets["auth"]) == {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
    assert secrets["auth"]["redirect_uri"].endswith("/oauth2callback")
