"""A real `shirube serve` and Debian's Chromium, shared by the browser tests and bench_pages.py."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
# Debian's Chromium, never a browser download. Without the background-networking flags Chromium
# keeps trying hosts this machine's closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    db: Path,
    log_path: Path,
    *options: str,
    cwd: Path = ROOT,
    port: int | None = None,
    host: str = "127.0.0.1",
) -> tuple[subprocess.Popen, str]:
    """`shirube serve --db DB OPTIONS` started in `cwd` (where Streamlit looks for
    .streamlit/secrets.toml); returns once /_stcore/health answers, with the server's URL."""
    port = port or free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("SHIRUBE_NO_AUTH", None)  # only an explicit --no-auth runs open
    command = [sys.executable, "-m", "shirube.cli", "serve", "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--port", str(port), *options],
        cwd=cwd,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start:\n{log_path.read_text()}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def settle(page: Page, timeout: float = 30.0) -> None:
    """Wait until the app has drawn a title and its script has stayed finished for a moment."""
    page.wait_for_selector("h1", timeout=timeout * 1000)
    app = page.locator('[data-testid="stApp"]')
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 4:
        state = app.get_attribute("data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
        page.wait_for_timeout(100)


def write_auth_secrets(cwd: Path, port: int, provider: str, client_id: str) -> None:
    """`.streamlit/secrets.toml` in `cwd` (where the server starts) for Streamlit's OpenID Connect
    login against `provider` (its base URL), redirecting back to http://localhost:`port`.

    localhost, not 127.0.0.1: the login cookie and the redirect_uri must name the same host."""
    (cwd / ".streamlit").mkdir(parents=True, exist_ok=True)
    (cwd / ".streamlit" / "secrets.toml").write_text(
        f"""[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "{client_id}"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""",
        encoding="utf-8",
    )


def log_in(page: Page, server: str, email: str) -> None:
    """The real redirect: the app's login button, the provider's form (oidc-provider-mock), back
    to the app, settled."""
    from pipelines.i18n import t

    page.goto(f"{server}/")
    settle(page)
    page.get_by_role("button", name=t("dashboard.access_login", "ja")).click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=20_000)
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server}/**", timeout=20_000)
    settle(page)
