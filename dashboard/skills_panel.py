"""The skills sections the skills page and the school profile share (Streamlit, no SQL).

`weakest_statement` is the sentence a coordinator reads first; `school_section` is the school
profile's block: the school beside its hub and the nation, year of schooling by year.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, ui
from dashboard.charts_skills import school_gaps
from dashboard.queries import skills as q_skills
from dashboard.skills_insight import weakest_skill
from dashboard.text import md
from pipelines.schooling import label as year_label


def skill_names(scope, lang: str) -> tuple[dict[str, str], pl.DataFrame]:
    skills = data.query(q_skills.skills, scope)
    return dict(zip(skills["skill_id"], skills[f"name_{lang}"], strict=True)), skills


def provisional_note(skills: pl.DataFrame, lang: str) -> None:
    """The framework's provisional-translation note, wherever skill names are shown."""
    notes = skills.filter(pl.col("provisional_ja"))[f"note_{lang}"].unique().to_list()
    for note in notes:
        if note:
            st.caption(f"※ {md(note)}")


def weakest_statement(rows: pl.DataFrame, names: dict[str, str], area: str, lang: str) -> None:
    found = weakest_skill(rows)
    if found is None:
        st.info(ui.m("skills_weakest_unknown"))
        return
    values = dict(area=md(area), skill=md(names.get(found.skill_id, found.skill_id)))
    if found.gap >= 0:
        st.success(ui.m("skills_weakest_none_behind", gap=f"{found.gap:+.1f}", **values))
        return
    st.warning(
        ui.m(
            "skills_weakest",
            gap=f"{found.gap:+.1f}",
            year_of_schooling=year_label(found.year_of_schooling, lang),
            year_gap=f"{found.year_gap:+.1f}",
            **values,
        )
    )


def school_section(scope, school: str, school_name: str, hub: str | None, year: int) -> None:
    """The school profile's skills block: against its hub and the nation, same years."""
    lang = ui.lang()
    st.markdown(f"#### {ui.m('skills_school_header')}")
    names, skills = skill_names(scope, lang)
    against_nation = data.query(q_skills.area_skills, scope, level="school", code=school, year=year)
    if against_nation.filter(pl.col("which") == "area").is_empty():
        st.info(ui.m("skills_school_none", year=year))
        return
    provisional_note(skills, lang)
    weakest_statement(against_nation, names, school_name, lang)
    against_hub = (
        data.query(
            q_skills.area_skills,
            scope,
            level="school",
            code=school,
            year=year,
            compare_level="hub",
            compare_code=hub,
        )
        if hub
        else against_nation.clear()
    )
    ui.chart(
        school_gaps(
            against_hub,
            against_nation,
            names,
            lang,
            ui.m("skills_school_gaps_title", school=school_name, year=year),
        ),
        key="school_skills",
    )
