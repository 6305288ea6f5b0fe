"""Who is looking, and what they may see: decided once per run, before any page or query.

- Auth configured (`[auth]` in Streamlit's secrets): login through OpenID Connect; the signed-in
  e-mail's role in the roles file gives the scope. Not signed in, or not in the roles file: a
  short explanation and no data.
- No `[auth]`: open, with a banner, only on the demo sample (pipelines.sample_mark) or when the
  server was started with `--no-auth` (env SHIRUBE_NO_AUTH=1); any other warehouse is refused.

`resolve_viewer` decides without drawing anything; `show_gate` draws the screen for a viewer who
may not see data. Pages read the decision through `current()` (ui.scope() uses it).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import streamlit as st

from dashboard import data
from dashboard.queries import options as q_options
from dashboard.queries import schools as q_schools
from dashboard.roles import (
    AREA_LEVELS,
    Role,
    RolesError,
    UnknownArea,
    configured_roles,
    role_of,
    unknown_areas,
)
from dashboard.scope import Scope
from dashboard.text import md
from pipelines import audit
from pipelines.i18n import t
from pipelines.sample_mark import is_sample_warehouse

log = logging.getLogger("shirube.dashboard")

NO_AUTH_ENV = "SHIRUBE_NO_AUTH"
ANONYMOUS = "anonymous"
# Nothing at all: the scope of anyone not (yet) allowed to see data.
NOTHING = Scope.areas("hub", ())

# Modes a viewer can be in; the first three see data.
SIGNED_IN, OPEN_DEMO, OPEN_NO_AUTH = "signed_in", "open_demo", "open_no_auth"
LOGIN, STRANGER, REFUSED_OPEN, ROLES_BROKEN = "login", "stranger", "refused_open", "roles_broken"


@dataclass(frozen=True)
class Viewer:
    mode: str
    email: str | None = None
    role: Role | None = None
    roles_error: RolesError | None = None

    @property
    def may_see_data(self) -> bool:
        return self.mode in (SIGNED_IN, OPEN_DEMO, OPEN_NO_AUTH)

    @property
    def scope(self) -> Scope:
        if self.mode == SIGNED_IN and self.role is not None:
            return self.role.scope
        if self.mode in (OPEN_DEMO, OPEN_NO_AUTH):
            return Scope.everything()
        return NOTHING

    @property
    def is_asknet(self) -> bool:
        return self.mode == SIGNED_IN and self.role is not None and self.role.role == "asknet"

    @property
    def may_act_for_school(self) -> bool:
        """ASKNET staff (and the operator's own open server) may fill a school's
        self-assessment for it; a school user fills its own."""
        return self.is_asknet or self.mode == OPEN_NO_AUTH

    @property
    def may_upload(self) -> bool:
        if self.mode == SIGNED_IN:
            return self.role is not None and self.role.may_upload
        return self.mode == OPEN_NO_AUTH  # the operator's own server; never the public demo

    @property
    def audit_name(self) -> str:
        return self.email or ANONYMOUS


def auth_configured() -> bool:
    """True when Streamlit's secrets have an [auth] section; never raises without secrets."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # a malformed secrets file: Streamlit reports it; we stay closed
        log.exception("secrets could not be read")
        return False


def no_auth_requested() -> bool:
    return os.environ.get(NO_AUTH_ENV, "") in ("1", "true", "yes")


def _signed_in_email() -> str | None:
    user = st.user
    if not user.is_logged_in:
        return None
    email = user.get("email")
    return str(email) if email else ""


def resolve_viewer() -> Viewer:
    """The viewer of this run, from the secrets, the login, the roles file and the warehouse."""
    if auth_configured():
        email = _signed_in_email()
        if email is None:
            return Viewer(LOGIN)
        try:
            role = role_of(email, configured_roles())
        except RolesError as error:
            return Viewer(ROLES_BROKEN, email=email, roles_error=error)
        return Viewer(SIGNED_IN, email=email, role=role) if role else Viewer(STRANGER, email)
    if no_auth_requested():
        return Viewer(OPEN_NO_AUTH)
    if is_sample_warehouse(data.db_path()):
        return Viewer(OPEN_DEMO)
    return Viewer(REFUSED_OPEN)


# Sign-ins already audited by this server, by (e-mail, token issue time): every page load is a
# new Streamlit session, but one login (one ID token) is one audit event.
_LOGINS_SEEN: set[tuple[str, str]] = set()
_LOGINS_LOCK = threading.Lock()


def _first_sight_of_login(email: str) -> bool:
    issued = str(st.user.get("iat") or st.user.get("auth_time") or "")
    key = (email, issued or f"session:{id(st.session_state)}")
    with _LOGINS_LOCK:
        if key in _LOGINS_SEEN:
            return False
        if len(_LOGINS_SEEN) > 100_000:  # bounded memory on a long-running server
            _LOGINS_SEEN.clear()
        _LOGINS_SEEN.add(key)
    return True


def remember(viewer: Viewer) -> None:
    """Keep this run's viewer for the pages; each sign-in is audited once."""
    state = st.session_state
    if viewer.mode == SIGNED_IN and state.get("_audited_login") != viewer.email:
        state["_audited_login"] = viewer.email
        if _first_sight_of_login(viewer.email or ""):
            record("login", target=viewer.role.role if viewer.role else "", viewer=viewer)
    state["viewer"] = viewer


def current() -> Viewer:
    """The viewer `app.py` decided for this run; nobody (no data) if it has not run."""
    viewer = st.session_state.get("viewer")
    return viewer if isinstance(viewer, Viewer) else Viewer(LOGIN)


def record(action: str, target: str = "", detail: str = "", viewer: Viewer | None = None) -> None:
    """Spool an audit event for the current viewer (see pipelines.audit)."""
    who = (viewer or current()).audit_name
    audit.record(data.db_path(), user=who, action=action, target=target, detail=detail)


def record_once(action: str, target: str) -> None:
    """An audit event once per session and target (a profile redrawn by a rerun is one view)."""
    seen = st.session_state.setdefault("_audited", set())
    if (action, target) not in seen:
        seen.add((action, target))
        record(action, target)


def show_banner(viewer: Viewer, lang: str) -> None:
    """The top-of-page notice for open modes; the signed-in person's name and logout button."""
    if viewer.mode == OPEN_DEMO:
        st.warning(t("dashboard.access_demo_banner", lang), icon=":material/public:")
    elif viewer.mode == OPEN_NO_AUTH:
        st.warning(t("dashboard.access_no_auth_banner", lang), icon=":material/lock_open:")
    elif viewer.mode == SIGNED_IN and viewer.role is not None:
        where = viewer.role.code or t("dashboard.level_national", lang)
        st.sidebar.caption(
            t(
                "dashboard.access_signed_in_as",
                lang,
                email=md(viewer.email, links=True),
                role=t(f"dashboard.role_{viewer.role.role}", lang),
                area=md(where),
            )
        )
        st.sidebar.button(t("dashboard.access_logout", lang), on_click=st.logout, key="logout")


def show_gate(viewer: Viewer, lang: str) -> None:
    """The whole page for a viewer who may not see data: why, and what to do. No data."""
    st.title("Shirube しるべ")
    if viewer.mode == LOGIN:
        st.markdown(t("dashboard.access_login_intro", lang))
        st.button(t("dashboard.access_login", lang), on_click=st.login, type="primary", key="login")
    elif viewer.mode == STRANGER:
        st.info(t("dashboard.access_stranger", lang, email=md(viewer.email or "—", links=True)))
        st.button(t("dashboard.access_logout", lang), on_click=st.logout, key="logout")
    elif viewer.mode == ROLES_BROKEN:
        log.error("roles file unusable: %s", viewer.roles_error)
        st.error(t("dashboard.access_roles_broken", lang))
        st.button(t("dashboard.access_logout", lang), on_click=st.logout, key="logout")
    else:
        st.error(t("dashboard.access_refused_open_title", lang))
        st.markdown(t("dashboard.access_refused_open_body", lang))


# Unknown areas already written to the server log, so each is logged once per process.
_LOGGED_UNKNOWN: set[UnknownArea] = set()


def unknown_role_areas() -> list[UnknownArea]:
    """Roles whose hub, municipality or prefecture has no school in the current snapshot (none
    when nothing is built yet or the roles file is unusable: those are explained elsewhere)."""
    if data.snapshot() is None:
        return []
    try:
        roles = configured_roles()
    except RolesError:
        return []
    known = {
        level: set(data.query(q_options.areas, Scope.everything(), level=level)["area_code"])
        for level in AREA_LEVELS
    }
    everyone = Scope.everything()
    known["school"] = set(data.query(q_schools.school_codes, everyone)["school_code"])
    found = unknown_areas(roles, known)
    for problem in found:
        if problem not in _LOGGED_UNKNOWN:
            _LOGGED_UNKNOWN.add(problem)
            log.warning("roles file: %s", problem.message("en"))
    return found


def show_role_problems(viewer: Viewer, lang: str) -> bool:
    """Areas of the roles file with no school in the data: listed for ASKNET staff; the person
    whose own area it is gets an explanation instead of a dashboard that reads as "no schools".
    True when the pages must not run for this viewer."""
    if viewer.mode != SIGNED_IN:
        return False
    problems = unknown_role_areas()
    own = [p for p in problems if p.email == viewer.email]
    if own:
        st.title("Shirube しるべ")
        level = t(f"dashboard.level_{own[0].level}", lang)
        st.error(t("dashboard.roles_own_area_unknown", lang, level=level, code=md(own[0].code)))
        return True
    if viewer.is_asknet and problems:
        # The roles file is the operator's own: its e-mails stay copyable as they are.
        lines = "\n".join(f"- {md(p.message(lang), links=True)}" for p in problems)
        st.warning(f"{t('dashboard.roles_unknown_areas_title', lang)}\n\n{lines}")
    return False
