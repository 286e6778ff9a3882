"""Model directories: where they live, which devices they may run on, and whether one is intact.

Shared by the grammar and code model loaders, the settings and the training package (which
writes the manifest these checks read), so ``models.*`` and ``device`` mean the same
everywhere. Nothing here imports onnxruntime: a missing runtime is reported by the loader
(:mod:`server.runtime.loading`), not raised on import.

A model directory holds ``model.onnx``, ``tokenizer.json``, ``config.json`` and
``manifest.json`` (``{"files": {name: sha256}}`` for every other file, checked at load).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

#: The repository's shipped models.
MODELS = Path(__file__).resolve().parents[2] / "models"
#: Where a model may run: CUDA when onnxruntime-gpu finds a GPU (``auto``), or as asked.
Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[Device, ...] = ("auto", "cpu", "cuda")
#: The files every model directory needs, whichever runtime reads it.
REQUIRED_FILES = ("model.onnx", "tokenizer.json", "config.json")


def resolve(model_dir: str | Path | None, default: Path) -> Path:
    """The configured model directory (``~`` expanded), or ``default`` when none is set."""
    if model_dir is None or str(model_dir).strip() == "":
        return default
    return Path(str(model_dir)).expanduser()


class ModelError(RuntimeError):
    """A model directory that cannot be used (missing file, checksum mismatch, bad config)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_manifest(model_dir: Path) -> dict[str, str]:
    """Check every file listed in ``manifest.json`` (and the required ones) exists and matches
    its sha256; raise :class:`ModelError` naming the first bad file."""
    manifest_path = model_dir / "manifest.json"
    if not manifest_path.is_file():
        raise ModelError(f"{manifest_path}: missing (a model directory needs a manifest)")
    try:
        files = json.loads(manifest_path.read_text("utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{manifest_path}: unreadable manifest ({exc})") from exc
    for name in REQUIRED_FILES:
        if name not in files:
            raise ModelError(f"{manifest_path}: does not list required file {name}")
    for name, expected in files.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelError(f"{path}: missing (listed in manifest.json)")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelError(
                f"{path}: sha256 mismatch (manifest {expected[:12]}..., file {actual[:12]}...)"
            )
    return dict(files)


def check_model_dir(path: Path, verify: bool = True) -> None:
    """A model directory exists and holds its files (with ``verify``: every file matches the
    sha256 in ``manifest.json``); raise :class:`ModelError` naming what is wrong."""
    if not path.is_dir():
        raise ModelError(f"{path}: no such model directory")
    if verify:
        verify_manifest(path)
        return
    for name in REQUIRED_FILES:
        if not (path / name).is_file():
            raise ModelError(f"{path / name}: missing")
