"""What both export steps share: Optimum's ONNX export, int8 quantisation, the model
directory, and the record, card and manifest written at the end.

A model directory is ``model.onnx``, ``tokenizer.json``, ``config.json`` (the Hugging Face
config with a ``quill`` section the server's runtime reads), ``card.md`` (how the model was
made, from the runs' own records) and ``manifest.json`` (sha256 of every other file, checked
when the server loads the model).

int8 is dynamic quantisation of the MatMul and Gather weights with one scale per output
channel (activations are quantised on the fly): the shipped grammar model was made this way,
and per-tensor scales cost it 3 points of dev F0.5 against 0.6 per-channel (1,000 dev
sentences). Each model's export step decides whether to keep the int8 model.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from server.runtime.models import sha256_file
from training.card import card_info
from training.runlog import write_json

log = logging.getLogger(__name__)


class ExportOptions(Protocol):
    """The options every export step has."""

    run: Path
    output: Path
    name: str


def export_onnx(
    model_dir: Path, out_dir: Path, task: str = "token-classification", opset: int = 17
) -> Path:
    """Optimum's exporter (optimum-onnx) for ``task`` (the grammar tagger's token
    classification, or the code model's text-generation-with-past); returns the .onnx path."""
    from optimum.exporters.onnx import main_export

    main_export(
        str(model_dir),
        out_dir,
        task=task,
        opset=opset,
        device="cpu",
        local_files_only=True,
        do_validation=False,
        library_name="transformers",
    )
    return out_dir / "model.onnx"


def quantize_int8(onnx_fp32: Path, onnx_int8: Path) -> Path:
    """Dynamic int8 quantisation of ``onnx_fp32`` with per-channel weight scales (see the
    module docstring); returns ``onnx_int8``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # the quantiser logs every tensor at INFO
    try:
        quantize_dynamic(
            onnx_fp32,
            onnx_int8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Gather"],
            per_channel=True,
        )
    finally:
        root.setLevel(level)
    return onnx_int8


def write_model_dir(
    out: Path, onnx_path: Path, hf_dir: Path, tokenizer_json: Path, quill: dict[str, Any]
) -> None:
    """Assemble a model directory (without card and manifest)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(onnx_path, out / "model.onnx")
    shutil.copy(tokenizer_json, out / "tokenizer.json")
    config = json.loads((hf_dir / "config.json").read_text("utf-8"))
    config["quill"] = quill
    (out / "config.json").write_text(
        json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )


#: The repository's root: cards name paths relative to it.
REPO_ROOT = Path(__file__).resolve().parents[1]


def repo_relative(path: str | Path) -> str:
    """``path`` as a card names it: relative to the repository when it lies inside it or beside
    it (``../shared/data/...``), so that no machine's home or work folder ends up in a shipped
    file; other paths as given."""
    resolved = Path(path).resolve()
    if resolved.is_relative_to(REPO_ROOT.parent):
        return os.path.relpath(resolved, REPO_ROOT)
    return str(path)


def write_manifest(out: Path) -> dict[str, str]:
    """``manifest.json``: the sha256 of every other file of the model directory."""
    files = {
        p.name: sha256_file(p)
        for p in sorted(out.iterdir())
        if p.is_file() and p.name != "manifest.json"
    }
    (out / "manifest.json").write_text(json.dumps({"files": files}, indent=2) + "\n", "utf-8")
    return files


def train_record(run_dir: Path) -> dict[str, Any]:
    """The train step's ``train.json`` of ``run_dir``."""
    return dict(json.loads((run_dir / "train.json").read_text("utf-8")))


def finish(
    args: ExportOptions,
    record: dict[str, Any],
    started: float,
    write_card: Callable[[Path, dict[str, Any]], None],
) -> dict[str, Any]:
    """Complete an export whose model files are in ``args.output``: the record (also
    ``RUN/export.json``), the card and the manifest."""
    record["export_seconds"] = round(time.time() - started, 1)
    record["name"] = args.name or args.output.name
    write_json(args.run / "export.json", record)
    write_card(args.output, card_info(args, record, train_record(args.run)))
    write_manifest(args.output)
    log.info(
        "exported %s (%s) in %.0fs", args.output, record["precision"], record["export_seconds"]
    )
    return record


def ship(model_dir: Path, dest: Path) -> None:
    """Copy an exported model directory to ``dest`` (``--ship``), replacing what was there."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(model_dir, dest)
    log.info("shipped %s", dest)
