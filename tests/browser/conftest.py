"""The headless Chromium every browser test module drives (Debian's, never a download)."""

from __future__ import annotations

import pytest
from live_server import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
