"""Models are found by folder and built in dependency order, whatever their names."""

from pathlib import Path

import pytest

from pipelines.build.models import (
    ModelGraphError,
    discover_models,
    order_models,
)


def write(folder: Path, schema: str, name: str, body: str) -> None:
    (folder / schema).mkdir(parents=True, exist_ok=True)
    (folder / schema / f"{name}.sql").write_text(body, encoding="utf-8")


def names(models) -> list[str]:
    return [m.qualified_name for m in models]


def test_a_model_comes_after_every_model_it_references_even_against_name_order(tmp_path):
    # Names chosen so that alphabetical order would be wrong inside every layer.
    write(tmp_path, "staging", "stg_b", "select 1 as x")
    write(tmp_path, "staging", "stg_a", "select * from staging.stg_b")
    write(tmp_path, "marts", "a_mart", "select * from marts.z_mart")
    write(tmp_path, "marts", "z_mart", "select * from intermediate.int_only")
    write(tmp_path, "intermediate", "int_only", "select * from staging.stg_a")

    ordered = names(order_models(discover_models(tmp_path)))

    assert ordered == [
        "staging.stg_b",
        "staging.stg_a",
        "intermediate.int_only",
        "marts.z_mart",
        "marts.a_mart",
    ]


def test_depends_header_adds_an_edge_and_references_in_comments_do_not(tmp_path):
    write(tmp_path, "marts", "first", "-- mentions marts.second only in a comment\nselect 1 as x")
    write(tmp_path, "marts", "second", "select 2 as y")
    write(tmp_path, "marts", "third", "-- depends: marts.fourth\nselect 3 as z")
    write(tmp_path, "marts", "fourth", "select 4 as w")

    models = {m.name: m for m in discover_models(tmp_path)}
    ordered = names(order_models(list(models.values())))

    assert models["first"].depends_on == frozenset()
    assert models["third"].depends_on == {"marts.fourth"}
    assert ordered.index("marts.fourth") < ordered.index("marts.third")


def test_raw_and_ref_tables_are_inputs_not_models(tmp_path):
    write(tmp_path, "staging", "stg_x", "select * from raw.schools join ref.prefectures on true")

    (model,) = discover_models(tmp_path)

    assert model.depends_on == frozenset()


def test_materialized_view_header_makes_a_view(tmp_path):
    write(tmp_path, "marts", "public_x", "-- materialized: view\nselect 1 as x;\n")
    write(tmp_path, "marts", "plain", "select 1 as x")

    models = {m.name: m for m in discover_models(tmp_path)}

    assert models["public_x"].create_statement().startswith("create or replace view marts.public_x")
    assert models["plain"].create_statement().startswith("create or replace table marts.plain")
    assert not models["public_x"].create_statement().endswith(";")


def test_a_cycle_is_refused_with_the_models_named(tmp_path):
    write(tmp_path, "marts", "left", "select * from marts.right")
    write(tmp_path, "marts", "right", "select * from marts.left")

    with pytest.raises(ModelGraphError, match="cycle.*marts\\.(left|right)"):
        order_models(discover_models(tmp_path))


def test_a_reference_to_a_missing_model_is_refused(tmp_path):
    write(tmp_path, "marts", "orphan", "select * from intermediate.int_gone")

    with pytest.raises(
        ModelGraphError, match="marts.orphan refers to unknown intermediate.int_gone"
    ):
        order_models(discover_models(tmp_path))


def test_the_project_models_order_and_open_with_a_two_line_header():
    models = order_models(discover_models())
    position = {m.qualified_name: i for i, m in enumerate(models)}

    for model in models:
        for dependency in model.depends_on:
            assert position[dependency] < position[model.qualified_name]
        lines = model.body.splitlines()
        header = [line for line in lines[:3] if not line.startswith("-- materialized")]
        assert header[0].startswith("-- One row per"), model.qualified_name
        assert header[1].startswith("-- Key:"), model.qualified_name
        assert "select * from final" in model.body, model.qualified_name
    assert {"marts.area_year_summary", "marts.support_flags", "marts.trend"} <= set(position)
