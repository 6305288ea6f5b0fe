"""The roles file: who may see what (`shirube serve --roles FILE`, env SHIRUBE_ROLES).

```toml
[[user]]
email = "coord@example.org"
role = "hub_coordinator"   # the schools of one hub
hub = "HUB-23-1"

[[user]]
email = "kyoiku@example.org"
role = "superintendent"    # municipality = "23100" (5 or 6 digits) or prefecture = "23"
municipality = "23100"

[[user]]
email = "staff@example.org"
role = "asknet"            # everything

[[user]]
email = "careers@school.example.jp"
role = "school"            # one school: its own profile and self-assessment
school = "C123210000019"
```

E-mails match without regard to case. A broken file is refused as a whole (RolesError with a
message in both languages), so a typo never silently widens or narrows anyone's view: that
includes keys the file does not know (`[[users]]`, `hubs = ...`). A hub, municipality or
prefecture that has no school in the warehouse cannot be told from a typo when the file is read
(the next ingest may add it), so `unknown_areas` names it instead: in the server log at start,
to ASKNET staff on every page, and to the person concerned instead of an empty dashboard.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dashboard.scope import SCHOOL_LEVEL, Scope
from pipelines.codes import parse_school_code
from pipelines.i18n import both, t

ROLES = ("hub_coordinator", "superintendent", "asknet", "school")
ROLES_ENV = "SHIRUBE_ROLES"
_MUNICIPALITY = re.compile(r"^\d{5,6}$")
_PREFECTURE = re.compile(r"^\d{2}$")
FILE_KEYS = ("user",)
ENTRY_KEYS = ("email", "role", "hub", "municipality", "prefecture", "school")
AREA_LEVELS = ("hub", "municipality", "prefecture")


class RolesError(ValueError):
    """The roles file cannot be used; `message_ja` / `message_en` say why and where."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.message_ja, self.message_en = both(f"dashboard.roles_{key}", **values)
        super().__init__(self.message_en)

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True)
class Role:
    """One person's role and the area it covers (`level`, `code`); asknet has neither."""

    email: str
    role: str
    level: str | None = None
    code: str | None = None

    @property
    def scope(self) -> Scope:
        return scope_for(self)

    @property
    def may_upload(self) -> bool:
        return self.role in ("asknet", "hub_coordinator", "school")


def scope_for(role: Role) -> Scope:
    """hub_coordinator -> the hub; superintendent -> the municipality or prefecture;
    school -> the school alone; asknet -> everything."""
    if role.role == "asknet":
        return Scope.everything()
    if role.role == "school" and role.code:
        return Scope.school(role.code)
    if role.level is None or role.code is None:  # not reachable from a parsed file
        return Scope.areas("hub", ())
    return Scope.areas(role.level, (role.code,))


def _entry(index: int, item: object) -> Role:
    if not isinstance(item, dict):
        raise RolesError("not_a_table", entry=index)
    unknown = [key for key in item if key not in ENTRY_KEYS]
    if unknown:
        raise RolesError(
            "unknown_entry_key", entry=index, keys=", ".join(unknown), known=", ".join(ENTRY_KEYS)
        )
    email = str(item.get("email") or "").strip().lower()
    if "@" not in email:
        raise RolesError("bad_email", entry=index)
    role = str(item.get("role") or "").strip()
    if role not in ROLES:
        raise RolesError("unknown_role", entry=index, role=role, roles=", ".join(ROLES))
    if role == "asknet":
        return Role(email, role)
    if role == "school":
        school = unicodedata.normalize("NFKC", str(item.get("school") or "")).strip().upper()
        if not school:
            raise RolesError("missing_scope", entry=index, email=email, keys="school")
        if parse_school_code(school) is None:
            raise RolesError("bad_school_code", entry=index, email=email, code=school)
        return Role(email, role, "school", school)
    if role == "hub_coordinator":
        hub = str(item.get("hub") or "").strip()
        if not hub:
            raise RolesError("missing_scope", entry=index, email=email, keys="hub")
        return Role(email, role, "hub", hub)
    municipality = str(item.get("municipality") or "").strip()
    prefecture = str(item.get("prefecture") or "").strip()
    if bool(municipality) == bool(prefecture):
        raise RolesError(
            "missing_scope", entry=index, email=email, keys="municipality | prefecture"
        )
    if municipality:
        if not _MUNICIPALITY.match(municipality):
            raise RolesError("bad_code", entry=index, email=email, code=municipality)
        # A 6-digit code carries a check digit; the warehouse keys municipalities by 5 digits.
        return Role(email, role, "municipality", municipality[:5])
    if not _PREFECTURE.match(prefecture):
        raise RolesError("bad_code", entry=index, email=email, code=prefecture)
    return Role(email, role, "prefecture", prefecture)


def parse_roles(text: str) -> dict[str, Role]:
    """The roles in a TOML text, by lower-cased e-mail; RolesError when anything is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RolesError("not_toml", error=str(error)) from error
    unknown = [key for key in document if key not in FILE_KEYS]
    if unknown:  # e.g. [[users]]: read as nobody, every login would be refused without a word
        raise RolesError("unknown_key", keys=", ".join(unknown))
    users = document.get("user", [])
    if not isinstance(users, list):
        raise RolesError("not_a_table", entry=1)
    roles: dict[str, Role] = {}
    for index, item in enumerate(users, start=1):
        role = _entry(index, item)
        if role.email in roles:
            raise RolesError("duplicate_email", entry=index, email=role.email)
        roles[role.email] = role
    return roles


def load_roles(path: Path) -> dict[str, Role]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RolesError("unreadable", path=str(path), error=type(error).__name__) from error
    return parse_roles(text)


@cache
def _load_cached(path: str, mtime_ns: int) -> dict[str, Role]:
    del mtime_ns  # part of the cache key only: an edited file is read again
    return load_roles(Path(path))


def configured_roles() -> dict[str, Role]:
    """The roles of the file named by SHIRUBE_ROLES (none when unset); re-read when edited."""
    path = os.environ.get(ROLES_ENV)
    if not path:
        return {}
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError as error:
        raise RolesError("unreadable", path=path, error=type(error).__name__) from error
    return _load_cached(path, mtime)


def role_of(email: str | None, roles: dict[str, Role]) -> Role | None:
    return roles.get(email.strip().lower()) if email else None


@dataclass(frozen=True)
class UnknownArea:
    """A role whose hub, municipality or prefecture has no school in the warehouse."""

    email: str
    level: str
    code: str

    def message(self, lang: str) -> str:
        return t(
            "dashboard.roles_unknown_area",
            lang,
            email=self.email,
            level=t(f"dashboard.level_{self.level}", lang),
            code=self.code,
        )


def unknown_areas(
    roles: Mapping[str, Role], known: Mapping[str, Collection[str]]
) -> list[UnknownArea]:
    """The roles whose area is not among `known` (area level -> codes with schools), in file
    order. asknet covers everything and is never listed."""
    return [
        UnknownArea(role.email, role.level, role.code)
        for role in roles.values()
        if role.level in (*AREA_LEVELS, SCHOOL_LEVEL) and role.code not in known.get(role.level, ())
    ]
