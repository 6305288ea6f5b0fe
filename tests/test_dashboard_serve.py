"""`shirube serve`: the streamlit command line and the environment the server gets."""

from __future__ import annotations

from pathlib import Path

from dashboard.serve import APP, serve_command, serve_environment


def test_serve_runs_the_app_headless_without_usage_stats_developer_menus_or_source_watching():
    command = serve_command(8765)
    assert command[1:4] == ["-m", "dashboard.launch", "run"]
    assert Path(command[4]) == APP and APP.is_absolute() and APP.name == "app.py"
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.port": "8765",
        "--server.address": "127.0.0.1",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
        "--client.disableDataExport": "true",
        "--server.fileWatcherType": "none",
        "--runner.postScriptGC": "false",
        "--server.maxUploadSize": "50",  # settings_default.toml's [ingest] max_upload_mb
    }


def test_the_upload_box_states_and_enforces_the_settings_limit_not_streamlits_200mb(
    tmp_path, monkeypatch
):
    for limit, shown in (("12.5", "13"), ("0.001", "1")):  # whole megabytes, rounded up
        settings = tmp_path / f"settings_{limit}.toml"
        settings.write_text(f"[ingest]\nmax_upload_mb = {limit}\n", encoding="utf-8")
        monkeypatch.setenv("SHIRUBE_SETTINGS", str(settings))
        command = serve_command(8765)
        options = dict(zip(command[5::2], command[6::2], strict=True))
        assert options["--server.maxUploadSize"] == shown


def test_serve_turns_off_the_csv_download_of_every_table_so_no_export_goes_unaudited():
    # st.dataframe's toolbar download writes no audit event; the option removes it from every
    # table at once (the pages' own download buttons record each export).
    command = serve_command(8765)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--client.disableDataExport"] == "true"


def test_serve_points_the_dashboard_at_the_resolved_db_and_keeps_access_options(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    roles = tmp_path / "roles.toml"
    roles.write_text("", encoding="utf-8")
    env = serve_environment(db="data/x.duckdb", roles="roles.toml", no_auth=True, lang="en")
    assert env["SHIRUBE_DB"] == str(tmp_path / "data" / "x.duckdb")
    assert env["SHIRUBE_ROLES"] == str(roles)
    assert env["SHIRUBE_NO_AUTH"] == "1"
    assert env["SHIRUBE_LANG"] == "en"


def test_serve_without_db_uses_shirube_db_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIRUBE_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SHIRUBE_ROLES", "/stale/roles.toml")
    env = serve_environment(db=None, roles=None, no_auth=False, lang="ja")
    assert env["SHIRUBE_DB"] == str(tmp_path / "w.duckdb")
    assert "SHIRUBE_ROLES" not in env and env["SHIRUBE_NO_AUTH"] == ""


def test_stopping_shirube_serve_with_sigterm_stops_the_server_and_frees_the_port(tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shirube.cli",
            "serve",
            "--db",
            str(tmp_path / "w.duckdb"),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:  # never healthy: stopping it would prove nothing
        server.kill()
        server.wait(timeout=20)
        raise AssertionError(f"shirube serve did not answer {url} within 60 s")
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=20)
    # Nothing is left listening (an orphaned Streamlit would still accept connections).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"something still listens on port {port} after SIGTERM")
