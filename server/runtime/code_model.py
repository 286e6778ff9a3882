"""Load the code-completion model for the server and the CLI, or say clearly why there is none.

As with the grammar model (:mod:`server.runtime.grammar_model`): a missing onnxruntime, a
missing model directory or file, a checksum mismatch or a corrupt ``model.onnx`` never stops
Quill. Completion is off, the reason (naming the file) is shown once, diagnostics go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from server.engine.completion import Generator
from server.runtime.models import DEVICES, MODELS
from server.runtime.models import resolve as resolve_model_dir

log = logging.getLogger(__name__)

#: The model shipped in the repository and loaded when no other is configured.
DEFAULT_MODEL = MODELS / "code-small"


@dataclass(frozen=True)
class CodeModel:
    """The outcome of loading: a generator, or None with the reason in ``status``."""

    generator: Generator | None
    #: One line for a person: which model on which provider, or why completion is off.
    status: str
    model_dir: Path
    providers: tuple[str, ...] = ()
    failed: bool = False
    #: No model is installed (none configured, none shipped): not an error to show.
    missing: bool = False
    #: The (model directory setting, device setting) it was loaded for.
    key: tuple[str, str] = ("", "auto")
    #: Language ids the model was trained on (empty: not recorded, any).
    languages: tuple[str, ...] = ()


def resolve(model_dir: str | Path | None) -> Path:
    """The configured code model directory, or the shipped default."""
    return resolve_model_dir(model_dir, DEFAULT_MODEL)


def load_code_model(
    model_dir: str | Path | None = None, device: str = "auto", threads: int | None = None
) -> CodeModel:
    """Load a code model; never raises for a bad model or a missing runtime."""
    path = resolve(model_dir)
    key = (str(model_dir or ""), device)
    try:
        from server.runtime.onnx_lm import ModelError, OnnxLM
    except ImportError as exc:
        return CodeModel(
            None,
            f"code completion is off: onnxruntime is not installed ({exc}); install Quill with "
            "the 'cpu' or 'gpu' extra (pip install -e '.[cpu]')",
            path,
            failed=True,
            key=key,
        )
    if device not in DEVICES:
        device = "auto"
    if not path.is_dir() and model_dir in (None, ""):
        return CodeModel(
            None,
            "no code model is installed: completions come from the workspace's own lines "
            f"({path} is missing; `python -m training code all --preset default --ship "
            "models/code-small` makes one in about two hours on two cores)",
            path,
            failed=True,
            missing=True,
            key=key,
        )
    try:
        lm = OnnxLM.load(path, device=device, threads=threads)  # type: ignore[arg-type]
    except ModelError as exc:
        return CodeModel(None, f"code completion is off: {exc}", path, failed=True, key=key)
    except Exception as exc:  # a broken file can make onnxruntime or tokenizers raise anything
        log.exception("code model %s failed to load", path)
        return CodeModel(
            None, f"code completion is off: {path}: cannot load ({exc})", path, failed=True, key=key
        )
    providers = tuple(lm.providers)
    where = providers[0] if providers else "no provider"
    status = f"code model {path.name} on {where}"
    if device == "cuda" and where != "CUDAExecutionProvider":
        status += " (CUDA was asked for but is not available: running on the CPU)"
    return CodeModel(lm, status, path, providers, key=key, languages=lm.languages)
