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


def test_default_framework_ships_criteria_for_every_benchmark_in_both_languages():
    fw = load_framework()
    for benchmark in fw.benchmarks:
        assert 3 <= len(benchmark.criteria) <= 5, benchmark.id
        for criterion in benchmark.criteria:
            assert criterion.id.startswith(benchmark.id + "-")
            assert criterion.text_ja and criterion.text_en
            assert criterion.kind in ("yes_no", "progress", "share")
    assert {c.kind for c in fw.criteria} == {"yes_no", "progress", "share"}
    assert fw.criterion("B1-1").benchmark_id == "B1"


def test_default_framework_says_its_criteria_are_a_default_to_replace():
    from importlib import resources

    text = resources.files("pipelines.reference").joinpath("framework_default.toml").read_text()
    assert "A DEFAULT FOR ASKNET TO REPLACE" in text


def _with_criteria(*criteria: str) -> str:
    return 'version = "x"\n[[benchmark]]\nid = "B1"\nname_ja = "a"\nname_en = "a"\n' + "".join(
        criteria
    )


def _criterion(cid: str, kind: str) -> str:
    return (
        f'[[benchmark.criterion]]\nid = "{cid}"\nkind = "{kind}"\n'
        'text_ja = "観点"\ntext_en = "criterion"\n'
    )


def test_criteria_are_read_in_order_with_their_ids_normalised():
    fw = parse_framework(
        _with_criteria(_criterion("ｂ１－１", "yes_no"), _criterion("B1-2", "share"))
    )
    assert [(c.id, c.position, c.kind) for c in fw.criteria] == [
        ("B1-1", 1, "yes_no"),
        ("B1-2", 2, "share"),
    ]


@pytest.mark.parametrize(
    "text, ja, en",
    [
        (_with_criteria(_criterion("B1-1", "scale")), "種類「scale」", "unknown kind 'scale'"),
        (
            _with_criteria(_criterion("B1-1", "yes_no"), _criterion("b1-1", "share")),
            "B1-1 が2回以上",
            "criterion id B1-1 appears twice",
        ),
        (
            _with_criteria('[[benchmark.criterion]]\nid = "B1-1"\nkind = "yes_no"\n'),
            "text_ja",
            "lacks text_ja, text_en",
        ),
    ],
)
def test_framework_with_a_bad_criterion_is_refused_in_both_languages(text, ja, en):
    with pytest.raises(FrameworkError) as refused:
        parse_framework(text, "bad.toml")
    assert ja in str(refused.value) and en in str(refused.value)


def test_cli_refuses_to_start_on_a_framework_with_a_bad_criterion(tmp_path, monkeypatch, capsys):
    from shirube.cli import main

    bad = tmp_path / "framework.toml"
    bad.write_text(_with_criteria(_criterion("B1-1", "stars")), encoding="utf-8")
    monkeypatch.setenv("SHIRUBE_FRAMEWORK", str(bad))
    with pytest.raises(SystemExit) as stopped:
        main(["build"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "フレームワークファイルを使えません" in err and "unknown kind 'stars'" in err


def test_default_criteria_in_english_hold_no_japanese():
    for criterion in load_framework().criteria:
        for text in (criterion.text_en, criterion.help_en):
            assert all(ord(ch) < 0x3000 for ch in text), (criterion.id, text)
