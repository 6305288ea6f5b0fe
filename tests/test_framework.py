"""The benchmark framework file: default, replacement, and refusal of broken files."""

import pytest

from pipelines.framework import FrameworkError, load_framework, parse_framework
from pipelines.settings import default_framework, frameworks


def test_default_framework_has_the_eight_benchmarks_of_domain_notes():
    fw = load_framework()
    assert fw.ids == ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8")
    assert fw.benchmark("B6").name_ja == "職場体験"
    assert fw.benchmark("B8").name_en == "Personal guidance"
    assert [b.id for b in fw.benchmarks if b.coverage_benchmark] == ["B5", "B6", "B7", "B8"]
    assert fw.benchmark("B5").activity_types == ("employer_encounter",)


def test_a_replacement_framework_file_changes_the_benchmarks_without_code(tmp_path, monkeypatch):
    custom = tmp_path / "framework.toml"
    custom.write_text(
        'version = "pilot-2026"\n'
        '[[benchmark]]\nid = "K1"\nname_ja = "自己理解"\nname_en = "Self-understanding"\n'
        '[[benchmark]]\nid = "K2"\nname_ja = "進路相談"\nname_en = "Guidance"\n'
        'coverage_benchmark = true\nactivity_types = ["guidance_interview"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SHIRUBE_FRAMEWORK", str(custom))
    assert default_framework().version == "pilot-2026"
    assert default_framework().ids == ("K1", "K2")
    assert len(frameworks()) == 1


@pytest.mark.parametrize(
    "text, complaint",
    [
        ('[[benchmark]]\nid = "B1"\nname_ja = "a"\nname_en = "a"\n', "version"),
        ('version = "x"\n', "benchmark"),
        ('version = "x"\n[[benchmark]]\nid = "B1"\nname_ja = "a"\n', "name_en"),
        (
            'version = "x"\n[[benchmark]]\nid = "B1"\nname_ja = "a"\nname_en = "a"\n'
            '[[benchmark]]\nid = "B1"\nname_ja = "b"\nname_en = "b"\n',
            "twice",
        ),
        ('version = "x\n', "TOML"),
    ],
)
def test_broken_framework_files_are_refused_with_the_reason(text, complaint):
    with pytest.raises(FrameworkError, match=complaint):
        parse_framework(text, "bad.toml")
