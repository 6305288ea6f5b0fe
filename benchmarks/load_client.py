"""A Streamlit websocket client that uses the dashboard the way a browser tab does, for bench_load.

The browser's side of Streamlit 1.67's protocol, as far as a page view needs it: open
`/_stcore/stream` with the subprotocol "streamlit", send a BackMsg `rerun_script` whose ClientState
carries the page (`page_name` = the page's url_path, as the browser sends on a direct visit) and
the URL query string, then read ForwardMsgs (one protobuf per binary frame) until the run's
`script_finished`. Hashes of cacheable messages already received are reported back, as the
browser does, so the server may send references instead of repeating large charts.

A view counts as an error when the run finished with an error status, any element is an
uncaught-exception element (st.exception) or the dashboard's own "page could not be shown"
alert (dashboard.ui.run_page catches page errors and shows that message instead of a
traceback), the page resolved is not the page asked for, the connection dropped, or no
`script_finished` came within the timeout.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.queries import options as q_options
from dashboard.queries import schools as q_schools
from dashboard.scope import Scope
from dashboard.ui import PAGES
from pipelines.i18n import LANGS, t
from pipelines.warehouse import current_snapshot, open_snapshot

VIEW_TIMEOUT = 30.0
PAGE_ERROR_TEXTS = frozenset(t("dashboard.page_error", lang) for lang in LANGS)


def page_requests() -> dict[str, str]:
    """Each dashboard page's url_path -> the page_name a browser asks for (the default is "")."""
    return {spec.url_path: "" if i == 0 else spec.url_path for i, spec in enumerate(PAGES)}


@dataclass
class ViewResult:
    """One page view by one client."""

    client: str  # e.g. "ws-3" or "chromium-1"
    page: str  # url_path
    query: str
    started: float  # seconds since the load began
    seconds: float
    first_in_session: bool
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    version_before: str | None = None  # published snapshot version when the view was asked for
    version_after: str | None = None  # ... and when it finished


@dataclass(frozen=True)
class WarehouseValues:
    """Real values from the published snapshot, for realistic URL query parameters."""

    years: tuple[str, ...]
    prefectures: tuple[str, ...]
    hubs: tuple[str, ...]
    school_types: tuple[str, ...]
    schools: tuple[str, ...]


def warehouse_values(db: Path, max_schools: int = 2000, seed: int = 0) -> WarehouseValues:
    """Years, prefectures with schools, hubs, school types and a sample of school codes,
    read through the dashboard's own option queries on the current snapshot."""
    found = current_snapshot(db)
    if found is None:
        raise RuntimeError(f"no published snapshot for {db}: run `shirube build` first")
    con = open_snapshot(found[1])
    try:
        cursor, scope = con.cursor(), Scope.everything()
        years = [str(y) for y in q_options.academic_years(cursor, scope)["academic_year"]]
        prefectures = list(q_options.areas(cursor, scope, level="prefecture")["area_code"])
        hubs = list(q_options.areas(cursor, scope, level="hub")["area_code"])
        kinds = q_options.school_kinds(cursor, scope)
        types = list(kinds.filter(kinds["kind"] == "type")["code"])
        schools = list(q_schools.school_codes(cursor, scope)["school_code"])
    finally:
        con.close()
    rng = random.Random(seed)
    if len(schools) > max_schools:
        schools = rng.sample(schools, max_schools)
    return WarehouseValues(
        tuple(years), tuple(prefectures), tuple(hubs), tuple(types), tuple(schools)
    )


def page_query(page: str, values: WarehouseValues, rng: random.Random) -> str:
    """A query string a coordinator's link or filter choice would produce for `page`:
    always a year, often a prefecture or a hub, sometimes a school type or English."""
    params: dict[str, str] = {}
    if values.years:
        params["year"] = rng.choice(values.years)
    where = rng.random()
    if where < 0.4 and values.prefectures:
        params.update(level="prefecture", area=rng.choice(values.prefectures))
    elif where < 0.6 and values.hubs:
        params["hub"] = rng.choice(values.hubs)
    if rng.random() < 0.2 and values.school_types:
        params["type"] = rng.choice(values.school_types)
    if rng.random() < 0.1:
        params["lang"] = "en"
    if page == "school" and values.schools:
        params["school"] = rng.choice(values.schools)
    if page == "compare":
        params["compare"] = rng.choice(("prefecture", "municipality"))
    return urlencode(params)


class StreamlitSession:
    """One websocket session with the dashboard; `view` runs one page and times it."""

    def __init__(self, base_url: str, name: str, timeout: float = VIEW_TIMEOUT) -> None:
        self.stream_url = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.name = name
        self.timeout = timeout
        self.views = 0
        self._ws = None
        self._cached_hashes: set[str] = set()

    async def connect(self) -> None:
        # No Origin header and no XSRF token: the server accepts a same-machine client so.
        self._ws = await websockets.connect(
            self.stream_url, subprotocols=["streamlit"], max_size=None, open_timeout=30
        )
        self.views = 0
        self._cached_hashes.clear()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def view(self, page: str, query: str) -> tuple[float, str | None, list[str]]:
        """Ask for `page` with `query`; (seconds until script_finished, error or None, warnings)."""
        if self._ws is None:
            try:
                await self.connect()
            except (OSError, websockets.InvalidHandshake, TimeoutError) as failed:
                return 0.0, f"could not connect: {failed!r}", []
        request = BackMsg()
        request.rerun_script.query_string = query
        request.rerun_script.page_name = page
        request.rerun_script.cached_message_hashes.extend(sorted(self._cached_hashes))
        request.rerun_script.context_info.timezone = "Asia/Tokyo"
        request.rerun_script.context_info.locale = "ja-JP"
        started = time.perf_counter()
        try:
            await self._ws.send(request.SerializeToString())
            error, warnings = await asyncio.wait_for(self._read_run(page), self.timeout)
        except TimeoutError:
            # A later rerun request would stop this run; start afresh to keep views separate.
            await self.close()
            return time.perf_counter() - started, f"no script_finished in {self.timeout:.0f} s", []
        except websockets.ConnectionClosed as closed:
            self._ws = None
            return time.perf_counter() - started, f"disconnected: {closed}", []
        self.views += 1
        return time.perf_counter() - started, error, warnings

    async def _read_run(self, page: str) -> tuple[str | None, list[str]]:
        errors: list[str] = []
        warnings: list[str] = []
        started = False  # messages of an earlier run (if any) end before our new_session
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._ws.recv())
            kind = message.WhichOneof("type")
            if message.metadata.cacheable and message.hash and not _may_be_error(message):
                # Never a reference for an error element: each occurrence must be seen.
                self._cached_hashes.add(message.hash)
            if kind == "new_session":
                started = True
            elif not started:
                continue
            elif kind == "delta":
                _check_delta(message, errors, warnings)
            elif kind == "navigation":
                _check_page(message, page, errors)
            elif kind == "page_not_found":
                errors.append(f"page not found: {page!r}")
            elif kind == "session_event" and message.session_event.HasField(
                "script_compilation_exception"
            ):
                errors.append(_exception_text(message.session_event.script_compilation_exception))
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    started = False  # st.rerun(): the view ends with the next run
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("script finished with a compile error")
                return ("; ".join(errors) or None), warnings


def _may_be_error(message: ForwardMsg) -> bool:
    return message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof(
        "type"
    ) in {"exception", "alert"}


def _check_delta(message: ForwardMsg, errors: list[str], warnings: list[str]) -> None:
    if message.delta.WhichOneof("type") != "new_element":
        return
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        text = _exception_text(element.exception)
        (warnings if element.exception.is_warning else errors).append(text)
    elif kind == "alert" and element.alert.body in PAGE_ERROR_TEXTS:
        errors.append(f"page error message shown: {element.alert.body}")


def _check_page(message: ForwardMsg, page: str, errors: list[str]) -> None:
    nav = message.navigation
    shown = [p for p in nav.app_pages if p.page_script_hash == nav.page_script_hash]
    expected_default = page == "" and shown and shown[0].is_default
    if shown and not expected_default and shown[0].url_pathname != page:
        errors.append(f"asked for page {page!r}, got {shown[0].url_pathname!r}")


def _exception_text(exception) -> str:
    trace = " | ".join(line.strip() for line in exception.stack_trace[-4:])
    return f"{exception.type}: {exception.message} [{trace}]"


async def visit_each_page(base_url: str, pages: Mapping[str, str]) -> list[str]:
    """One session visits every page once without filters; returns the errors seen."""
    session, errors = StreamlitSession(base_url, "warm-up"), []
    try:
        for page, request in pages.items():
            _, error, _ = await session.view(request, "")
            if error:
                errors.append(f"{page}: {error}")
    finally:
        await session.close()
    return errors


async def run_user(
    session: StreamlitSession,
    pages: Mapping[str, str],
    values: WarehouseValues,
    rng: random.Random,
    think: tuple[float, float],
    clock: Callable[[], float],
    until: Callable[[], bool],
    version: Callable[[], str | None],
    results: list[ViewResult],
) -> None:
    """Visit every page (url_path -> page_name to ask for) in a shuffled order, again and again,
    pausing `think` seconds (uniform between the bounds) between views, until `until()` says
    stop. Reconnects after a drop, as the browser does. `clock()` is seconds since the load
    began; `version()` the published snapshot version."""
    await asyncio.sleep(rng.uniform(0, think[1]))  # people do not all arrive at once
    order: list[str] = []
    try:
        while not until():
            if not order:
                order = list(pages)
                rng.shuffle(order)
            page = order.pop()
            query = page_query(page, values, rng)
            first = session.views == 0
            before, at = version(), clock()
            seconds, error, warnings = await session.view(pages[page], query)
            results.append(
                ViewResult(
                    session.name,
                    page,
                    query,
                    at,
                    seconds,
                    first,
                    error,
                    warnings,
                    before,
                    version(),
                )
            )
            await asyncio.sleep(rng.uniform(*think))
    finally:
        await session.close()


def browser_user(
    base_url: str,
    pages: Mapping[str, str],
    values: WarehouseValues,
    seed: int,
    think: tuple[float, float],
    clock: Callable[[], float],
    until: Callable[[], bool],
    version: Callable[[], str | None],
    results: list[ViewResult],
    name: str = "chromium",
) -> None:
    """A person in headless Chromium (Debian's, never a download): opens a link with filters
    now and then, otherwise moves between pages through the sidebar. A view is an error when
    the page shows an stException element or the dashboard's page-error message."""
    from bench_pages import timed_visit
    from live_server import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1440, "height": 1000})
        views, order = 0, []
        try:
            while not until():
                if not order:
                    order = list(pages)
                    rng.shuffle(order)
                page = order.pop()
                # Japanese only: the sidebar link is found by its (Japanese) title.
                query = "&".join(
                    p for p in page_query(page, values, rng).split("&") if p != "lang=en"
                )
                by_link = views > 0 and rng.random() < 0.75
                before, at, started = version(), clock(), time.perf_counter()
                error = None
                try:
                    if by_link:
                        title = t(f"dashboard.{_title_key(page)}", "ja")
                        seconds = timed_visit(tab, link=title)
                    else:
                        seconds = timed_visit(tab, url=f"{base_url}/{pages[page]}?{query}")
                    error = _browser_error(tab)
                except Exception as failed:  # a timeout or a crash is this view's error
                    seconds, error = (
                        time.perf_counter() - started,
                        f"{type(failed).__name__}: {failed}",
                    )
                results.append(
                    ViewResult(
                        name,
                        page,
                        "(sidebar)" if by_link else query,
                        at,
                        seconds,
                        views == 0,
                        error,
                        [],
                        before,
                        version(),
                    )
                )
                views += 1
                time.sleep(rng.uniform(*think))
        finally:
            browser.close()


def _title_key(url_path: str) -> str:
    return next(spec.title_key for spec in PAGES if spec.url_path == url_path)


def _browser_error(tab) -> str | None:
    shown = tab.locator('[data-testid="stException"]')
    if shown.count():
        return "stException: " + shown.first.inner_text()[:500]
    for text in PAGE_ERROR_TEXTS:
        if tab.get_by_text(text, exact=False).count():
            return f"page error message shown: {text}"
    return None
