"""`shirube serve`: start the Streamlit dashboard on the warehouse's published snapshot."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from pipelines.audit import AUDIT_DIR_ENV
from pipelines.publish_parquet import REPLICA_AUDIT_DIR, SNAPSHOT_DIR_ENV
from pipelines.settings import settings
from pipelines.warehouse import resolve_db_path

APP = Path(__file__).resolve().parent / "app.py"


def serve_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The streamlit command line; options go as flags, so no .streamlit/config.toml is needed."""
    return [
        sys.executable,
        "-m",
        "dashboard.launch",  # streamlit's own CLI, with the heavy modules preloaded
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # People using the dashboard should not see developer menus (Deploy, rerun, settings).
        "--client.toolbarMode",
        "viewer",
        # Every table's own "Download as CSV" and copy controls off, on every st.dataframe at
        # once: data leaves only through the pages' download buttons, which are audited.
        "--client.disableDataExport",
        "true",
        # A served dashboard never reloads its own code. Watching sources walks every imported
        # module on the event loop after each run, and the collection after each run holds the
        # interpreter for all sessions: together about a third of a page's server time when 30
        # people use it at once (benchmarks/bench_load.py).
        "--server.fileWatcherType",
        "none",
        "--runner.postScriptGC",
        "false",
        # The upload box states Streamlit's limit ("200MB per file" by default) and refuses
        # larger files itself: it must be the settings' limit, which dashboard.upload enforces
        # (whole megabytes here; a fractional limit is still checked to the byte there).
        "--server.maxUploadSize",
        str(upload_limit_mb()),
    ]


def upload_limit_mb() -> int:
    """`[ingest] max_upload_mb` rounded up to whole megabytes (Streamlit's unit), at least 1."""
    return max(1, math.ceil(float(settings()["ingest"]["max_upload_mb"])))


def serve_environment(
    *,
    db: str | None,
    roles: str | None,
    no_auth: bool,
    lang: str,
    snapshot_dir: str | None = None,
    audit_dir: str | None = None,
) -> dict[str, str]:
    """The server's environment: the DB path (or the shared Parquet folder of a replica), the
    audit spool folder, the roles file and whether to run open."""
    env = dict(os.environ)
    env["SHIRUBE_DB"] = str(resolve_db_path(db))
    # Only the options decide (a stale variable must not turn a server into a replica).
    # A replica reads the shared folder only; the writer's DB need not exist on this machine.
    env.pop(SNAPSHOT_DIR_ENV, None)
    env.pop(AUDIT_DIR_ENV, None)
    if snapshot_dir:
        shared = Path(snapshot_dir).expanduser().resolve()
        env[SNAPSHOT_DIR_ENV] = str(shared)
        audit_dir = audit_dir or str(shared / REPLICA_AUDIT_DIR)
    if audit_dir:
        env[AUDIT_DIR_ENV] = str(Path(audit_dir).expanduser().resolve())
    env["SHIRUBE_LANG"] = lang
    # Read by dashboard.access / dashboard.roles in the server.
    if roles:
        env["SHIRUBE_ROLES"] = str(Path(roles).resolve())
    else:
        env.pop("SHIRUBE_ROLES", None)
    env["SHIRUBE_NO_AUTH"] = "1" if no_auth else ""
    return env


def check_roles_file(roles: str | None) -> str | None:
    """Both languages' reason why the roles file cannot be used, or None when it can (or none)."""
    if not roles:
        return None
    from dashboard.roles import RolesError, load_roles
    from pipelines.i18n import t

    try:
        load_roles(Path(roles))
    except RolesError as error:
        return "\n".join(
            t("dashboard.roles_invalid", lang, path=roles, reason=error.message(lang))
            for lang in ("ja", "en")
        )
    return None


def roles_area_warnings(roles: str | None, db: str | None, snapshot_dir: str | None = None) -> str:
    """Both languages' warning naming each hub, municipality or prefecture of the roles file that
    has no school in the published snapshot; empty when all are known (or nothing is built yet:
    a new deployment is told so on its pages)."""
    if not roles:
        return ""
    from dashboard.queries.options import areas
    from dashboard.queries.schools import school_codes
    from dashboard.roles import AREA_LEVELS, load_roles, unknown_areas
    from dashboard.scope import Scope
    from pipelines.i18n import t
    from pipelines.publish_parquet import current_parquet_snapshot
    from pipelines.warehouse import current_snapshot, open_snapshot

    found = (
        current_parquet_snapshot(Path(snapshot_dir))
        if snapshot_dir
        else current_snapshot(resolve_db_path(db))
    )
    if found is None:
        return ""
    con = open_snapshot(found[1])
    try:
        cursor = con.cursor()
        known = {
            level: set(areas(cursor, Scope.everything(), level=level)["area_code"])
            for level in AREA_LEVELS
        }
        known["school"] = set(school_codes(cursor, Scope.everything())["school_code"])
    finally:
        con.close()
    problems = unknown_areas(load_roles(Path(roles)), known)
    return "\n".join(
        f"{t('dashboard.roles_unknown_area_log', lang)} {problem.message(lang)}"
        for problem in problems
        for lang in ("ja", "en")
    )


def run_serve_command(
    *,
    db: str | None,
    port: int,
    roles: str | None,
    no_auth: bool,
    lang: str,
    snapshot_dir: str | None = None,
    audit_dir: str | None = None,
) -> int:
    """Become the dashboard server (this process is replaced; it returns only on failure).

    Exec rather than a child process, so that a stop signal (Ctrl-C, SIGTERM from a service
    manager or a test) reaches the server itself and never leaves an orphan holding the port.
    Binds to loopback unless SHIRUBE_ADDRESS says otherwise (a deployment behind a proxy).
    """
    problem = check_roles_file(roles)
    if problem:  # refuse to start rather than serve with a typo in who sees what
        print(problem, file=sys.stderr)
        return 2
    try:
        warning = roles_area_warnings(roles, db, snapshot_dir)
    except Exception as error:  # a check that cannot run must not stop the server
        warning = f"roles file areas not checked: {type(error).__name__}"
    if warning:  # the server starts: the next ingest may add the area; the pages say so
        print(warning, file=sys.stderr)
    address = os.environ.get("SHIRUBE_ADDRESS", "127.0.0.1")
    env = serve_environment(
        db=db,
        roles=roles,
        no_auth=no_auth,
        lang=lang,
        snapshot_dir=snapshot_dir,
        audit_dir=audit_dir,
    )
    command = serve_command(port, address)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
    return 1  # not reached: execve either replaces this process or raises
