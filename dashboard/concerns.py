"""A school's concerns (marts.support_flags) in words, each with a suggested next step.

Shared by the needs-support page's detail panel and the school profile. The next steps are
catalogue messages (`next_step_<flag>` in pipelines/messages/dashboard.toml), so a deployment
rewords them without touching code.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import ui
from dashboard.text import md

# The kinds of concern the build writes (sql/marts/support_flags.sql), in the order of the page.
FLAGS = (
    "no_return",
    "below_hub_mean",
    "fall_in_achieved",
    "fall_in_mean_score",
    "low_coverage",
    "no_workplace_so_far",
    "stale_data",
)


def next_steps(flags: pl.DataFrame) -> list[tuple[str, str]]:
    """(kind name, next step) once per kind of concern, most severe kind first.

    `flags` is ordered most severe first (queries.schools.school_flags): low coverage in three
    grades is one next step, not three."""
    kinds = [kind for kind in dict.fromkeys(flags["flag"].to_list()) if kind in FLAGS]
    return [(ui.m(f"flag_{kind}"), ui.m(f"next_step_{kind}")) for kind in kinds]


def show(flags: pl.DataFrame, lang: str) -> None:
    """Every concern in full (severity and the build's sentence), then the next steps."""
    lines = [
        f"- **{ui.m('severity_' + row['severity'])}** {md(row['detail_' + lang])}"
        for row in flags.iter_rows(named=True)
    ]
    st.markdown("\n".join(lines))
    steps = next_steps(flags)
    if steps:
        st.markdown(f"##### {ui.m('next_steps_title')}")
        st.markdown("\n".join(f"- **{md(kind)}**: {md(step)}" for kind, step in steps))
