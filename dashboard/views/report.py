"""報告書 / Funder report: pick year, area and language; preview in HTML; download PDF/Excel."""

import streamlit as st

from dashboard import access, data, ui
from dashboard.filters import url_selectbox
from dashboard.queries import options as q_options
from dashboard.text import md
from pipelines.i18n import LANGS, t
from pipelines.vocabulary import AREA_LEVELS as LEVELS
from pipelines.vocabulary import MEDIA_TYPES as FORMATS

# Levels whose reports a scoped viewer may open for any area holding their schools: the report
# shows them only suppressed public aggregates. Smaller areas must lie wholly inside the scope.
PUBLIC_LEVELS = ("national", "region", "prefecture")


def render() -> None:
    lang, scope, f = ui.lang(), ui.scope(), ui.filters()
    ui.page_title("page_report")
    years = [str(y) for y in data.query(q_options.academic_years, scope)["academic_year"]]
    if not years:
        st.info(ui.m("no_years"))
        return
    year_col, level_col, area_col, lang_col = st.columns(4)
    year = year_col.selectbox(
        ui.m("filter_year"),
        years,
        key="report_year",
        index=years.index(str(f.year)) if str(f.year) in years else 0,
        format_func=lambda y: t("dashboard.year_format", lang, year=y),
    )
    level = url_selectbox(
        "report_level",
        ui.m("filter_area_level"),
        LEVELS,
        f.area_level,
        ui.labels("level_", lang),
        level_col,
    )
    code = "JP"
    if level != "national":
        if level in PUBLIC_LEVELS or scope.is_everything:
            areas = data.query(q_options.areas, scope, level=level)
        else:
            areas = data.query(q_options.areas_within_scope, scope, level=level)
        names = dict(zip(areas["area_code"], areas[ui.name_column()], strict=True))
        if not names:
            ui.no_schools()
            return
        code = url_selectbox(
            "report_area",
            ui.m("filter_area"),
            list(names),
            f.area_code or next(iter(names)),
            names.get,
            area_col,
        )
    report_lang = lang_col.selectbox(
        ui.m("report_language"),
        LANGS,
        key="report_lang",
        index=LANGS.index(lang),
        format_func=ui.labels("language_", lang),
    )
    area = "national" if level == "national" else f"{level}:{code}"
    snapshot = data.snapshot()
    try:
        from pipelines.reports import render_report
    except ImportError:
        st.info(ui.m("report_unavailable"))
        return

    def rendered(fmt: str) -> bytes:
        return _render(
            render_report, snapshot.version, snapshot.path, int(year), area, report_lang, fmt
        )

    try:
        columns = st.columns(len(FORMATS))
        for column, (fmt, mime) in zip(columns, FORMATS.items(), strict=True):
            if column.button(ui.m(f"report_prepare_{fmt}"), key=f"prepare_{fmt}"):
                access.record("export", f"report_{year}_{area}.{fmt}", f"lang={report_lang}")
                st.session_state[f"report_{fmt}"] = (area, year, report_lang, rendered(fmt))
            prepared = st.session_state.get(f"report_{fmt}")
            if prepared and prepared[:3] == (area, year, report_lang):
                column.download_button(
                    ui.m(f"download_{fmt}"),
                    prepared[3],
                    f"shirube_report_{year}_{area.replace(':', '_')}.{fmt}",
                    mime,
                    key=f"download_report_{fmt}",
                    on_click="ignore",
                )
        # Made only when asked for, so moving through the page stays fast.
        if st.toggle(ui.m("report_show_preview"), key="report_preview"):
            _record_preview(year, area, report_lang)
            # The report as the PDF lays it out: charts as SVG images and no script (the HTML
            # file's 5 MB of plotly.js as a data: URL is more than Chromium loads in a frame).
            # Its content policy forbids any script or fetch; every name in it is escaped.
            st.iframe(rendered("preview").decode("utf-8"), height=1200)
    except Exception as error:  # ReportError carries a message for people
        message = getattr(error, "message", None)
        # The message can name an area (data): never Markdown.
        st.warning(md(message(lang)) if callable(message) else ui.m("report_failed"))
        ui.log.info("report failed", exc_info=True)


def _record_preview(year: str, area: str, report_lang: str) -> None:
    """A preview shows the whole report, so it is an export: audited once per report shown."""
    target = f"report_{year}_{area}.preview"
    seen = st.session_state.setdefault("_previewed", set())
    if (target, report_lang) not in seen:
        access.record("export", target, f"lang={report_lang}")
        seen.add((target, report_lang))


@st.cache_data(max_entries=20, show_spinner=False)
def _render(_render_report, version: str, path, year: int, area: str, lang: str, fmt: str) -> bytes:
    # `version` keys the cache: a rebuilt snapshot renders afresh.
    return _render_report(path, year=year, area=area, lang=lang, fmt=fmt)


ui.run_page(render)
