"""Where models live and how a configured model directory is read (no onnxruntime import).

Shared by the grammar and code model loaders and the settings, so ``models.*`` and ``device``
mean the same everywhere.
"""

from __future__ import annotations

from pathlib import Path

#: The repository's shipped models.
MODELS = Path(__file__).resolve().parents[2] / "models"
#: Where a model may run: CUDA when onnxruntime-gpu finds a GPU (``auto``), or as asked.
DEVICES = ("auto", "cpu", "cuda")


def resolve(model_dir: str | Path | None, default: Path) -> Path:
    """The configured model directory (``~`` expanded), or ``default`` when none is set."""
    if model_dir is None or str(model_dir).strip() == "":
        return default
    return Path(str(model_dir)).expanduser()
