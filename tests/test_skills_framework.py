"""The skills framework file: the packaged default and what a replacement must hold."""

from __future__ import annotations

import pytest

from pipelines.framework import FrameworkError
from pipelines.skills_framework import load_skills_framework, parse_skills_framework


def test_the_default_is_the_universal_frameworks_eight_skills_on_steps_0_to_15():
    framework = load_skills_framework()
    assert framework.ids == (
        "listening",
        "speaking",
        "problem_solving",
        "creativity",
        "staying_positive",
        "aiming_high",
        "leadership",
        "teamwork",
    )
    assert {s.max_step for s in framework.skills} == {15}
    assert framework.provisional_ja and framework.note("ja") and framework.note("en")
    # Bands cover every step of every skill once.
    for skill in framework.skills:
        covered = [step for b in skill.bands for step in range(b.from_step, b.to_step + 1)]
        assert covered == list(range(16)), skill.id
        assert skill.band(7).description_en


def test_official_names_carry_no_note():
    framework = parse_skills_framework(
        'version = "v"\nprovisional_ja = false\nnote_ja = "x"\n'
        '[[skill]]\nid = "a"\nname_ja = "あ"\nname_en = "A"\nmax_step = 3\n'
    )
    assert framework.note("ja") == "" and framework.skill("a").max_step == 3


@pytest.mark.parametrize(
    "text",
    [
        'version = "v"\n',
        'version = "v"\n[[skill]]\nid = "a"\nname_ja = "あ"\nname_en = "A"\n',
        'version = "v"\n[[skill]]\nid = "a"\nname_ja = "あ"\nname_en = "A"\nmax_step = 0\n',
        'version = "v"\n[[skill]]\nid = "a"\nname_ja = "あ"\nname_en = "A"\nmax_step = 3\n'
        '[[skill]]\nid = "a"\nname_ja = "い"\nname_en = "B"\nmax_step = 3\n',
        'version = "v"\n[[skill]]\nid = "a"\nname_ja = "あ"\nname_en = "A"\nmax_step = 3\n'
        "[[skill.band]]\nfrom_step = 2\nto_step = 9\n",
    ],
)
def test_a_broken_file_is_refused_in_both_languages(text):
    with pytest.raises(FrameworkError) as refused:
        parse_skills_framework(text, "skills.toml")
    assert "skills.toml" in str(refused.value) and " / " in str(refused.value)
