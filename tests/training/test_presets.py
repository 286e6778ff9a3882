"""Every value a preset (code or grammar model) sets names a field of its step's arguments.

The pipeline passes a preset's values on by name and leaves out names a step does not know
(``training.args.args_for``), so a misspelt key would be dropped without a word and the
run would use the default instead: this test is what catches it."""

from __future__ import annotations

import dataclasses

import pytest

from training.code.args import CodeDataArgs, CodeEvaluateArgs, CodeExportArgs, CodeTrainArgs
from training.code.presets import PRESETS, preset
from training.grammar import presets as grammar_presets
from training.grammar.args import DataArgs, ExportArgs, TrainArgs

CODE_STEPS: dict[str, type] = {
    "data": CodeDataArgs,
    "train": CodeTrainArgs,
    "export": CodeExportArgs,
    "evaluate": CodeEvaluateArgs,
}
GRAMMAR_STEPS: dict[str, type] = {"data": DataArgs, "train": TrainArgs, "export": ExportArgs}
CASES = [("code", name, preset(name), CODE_STEPS) for name in sorted(PRESETS)] + [
    ("grammar", name, grammar_presets.preset(name), GRAMMAR_STEPS)
    for name in sorted(grammar_presets.PRESETS)
]


@pytest.mark.parametrize(("model", "name", "values", "steps"), CASES)
def test_every_preset_value_is_a_field_of_its_step(
    model: str, name: str, values: dict[str, dict[str, object]], steps: dict[str, type]
) -> None:
    name = f"{model} {name}"
    assert set(values) <= set(steps), f"{name}: unknown steps {set(values) - set(steps)}"
    for step, given in values.items():
        fields = {f.name: f for f in dataclasses.fields(steps[step])}
        unknown = set(given) - set(fields)
        assert not unknown, f"{name}.{step}: no such option {sorted(unknown)}"


def test_the_gpu_preset_reads_site_packages_and_trains_a_larger_model() -> None:
    gpu, default = preset("gpu"), preset("default")
    assert gpu["data"]["site_packages"] is True
    assert gpu["train"]["hidden"] * gpu["train"]["layers"] > (
        default["train"]["hidden"] * default["train"]["layers"]
    )
    assert gpu["train"]["hidden"] % gpu["train"]["heads"] == 0
    assert gpu["train"]["heads"] % gpu["train"]["kv_heads"] == 0


def test_the_grammar_gpu_preset_sees_more_data_for_longer() -> None:
    gpu, default = grammar_presets.preset("gpu"), grammar_presets.preset("default")
    assert gpu["data"]["copies"] > default["data"]["copies"]
    assert gpu["train"]["epochs"] * gpu["train"]["batch_size"] > (
        default["train"]["epochs"] * default["train"]["batch_size"]
    )


def test_an_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(SystemExit, match="known: tiny, default"):
        preset("huge")
