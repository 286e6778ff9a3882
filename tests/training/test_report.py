"""``python -m training report``: the before / full / LoRA table from runs' records."""

from __future__ import annotations

import json
from pathlib import Path

from training.grammar.report import run


def metrics(f05: float) -> dict[str, object]:
    return {
        "precision": 60.0,
        "recall": 20.0,
        "f05": f05,
        "sentences_per_second": 400.0,
        "types": {"DET": {"f05": f05 + 1}, "VERB:SVA": {"f05": f05 - 1}},
    }


def write_run(
    path: Path, preset: str, mode: str, minutes: float, evaluation: dict[str, object]
) -> Path:
    path.mkdir(parents=True)
    record = {
        "preset": preset,
        "train": {
            "mode": mode,
            "trainable_parameters": 1000 if mode == "lora" else 20000,
            "total_parameters": 20000,
            "train_seconds": minutes * 60,
            "steps": 50,
        },
        "export": {"precision": "int8", "size_int8_mb": 21.5},
        "evaluation": evaluation,
    }
    (path / "all.json").write_text(json.dumps(record), "utf-8")
    return path


def test_rows_table_and_card(tmp_path: Path) -> None:
    full = write_run(
        tmp_path / "full",
        "default",
        "full",
        75.0,
        {"before fine-tuning": metrics(10.0), "default": metrics(40.0)},
    )
    lora = write_run(
        tmp_path / "lora", "default-lora", "lora", 70.0, {"default-lora": metrics(30.0)}
    )
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.onnx").write_bytes(b"x")
    (model / "card.md").write_text(
        "# card\n\n## Evaluation\n\nold\n\n## What a GPU would change\n\nmore\n"
    )
    rows = run([full, lora], tmp_path / "out" / "table", model / "card.md", "the set")
    assert [(r["name"], r["mode"], r["F0.5"]) for r in rows] == [
        ("before fine-tuning", "none", 10.0),
        ("default", "full", 40.0),
        ("default-lora", "lora", 30.0),
    ]
    assert rows[2]["trainable_parameters"] == 1000 and rows[1]["train_minutes"] == 75.0
    table = (tmp_path / "out" / "table.md").read_text("utf-8")
    assert "| default-lora | lora | 1,000 | 70.0 | 50 | 21.5 | 60.0 | 20.0 | **30.0** |" in table
    card = (model / "card.md").read_text("utf-8")
    assert "old" not in card and table.strip() in card and card.endswith("more\n")
    manifest = json.loads((model / "manifest.json").read_text("utf-8"))
    assert set(manifest["files"]) >= {"model.onnx", "card.md"}


def test_the_command_line_writes_the_reproduce_section(tmp_path: Path) -> None:
    from training.__main__ import main

    full = write_run(
        tmp_path / "full",
        "default",
        "full",
        75.0,
        {"before fine-tuning": metrics(10.0), "default": metrics(40.0)},
    )
    model = tmp_path / "model"
    model.mkdir()
    (model / "card.md").write_text("# card\n\n## What a GPU would change\n\nmore\n")
    out = tmp_path / "out" / "table"
    argv = [
        "report",
        "--run",
        str(full),
        "--output",
        str(out),
        "--card",
        str(model / "card.md"),
        "--command",
        "python -m training all --preset default",
    ]
    assert main(argv) == 0
    card = (model / "card.md").read_text("utf-8")
    assert "## Reproduce" in card and "python -m training all --preset default" in card
    assert (out.with_suffix(".json")).is_file()
