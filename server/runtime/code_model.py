"""The code-completion model for the server and the CLI: the shipped one or the configured one,
or the reason there is none (completion is off, the reason is shown once, diagnostics go on).

No model installed is not an error: completions then come from the workspace's own lines.
Loading itself, and what a missing runtime or a broken model directory says, is shared with the
grammar model (:mod:`server.runtime.loading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from server.engine.completion import Generator
from server.runtime.loading import Open, load_runtime
from server.runtime.models import MODELS
from server.runtime.models import resolve as resolve_model_dir

if TYPE_CHECKING:
    from server.runtime.onnx_lm import OnnxLM

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
    absent = None
    if not path.is_dir() and model_dir in (None, ""):
        absent = (
            "no code model is installed: completions come from the workspace's own lines "
            f"({path} is missing; `python -m training code all --preset default --ship "
            "models/code-small` makes one in about two hours on two cores)"
        )
    loaded = load_runtime(
        _lm, path, device, threads, name="code model", off="code completion is off", absent=absent
    )
    if loaded.runtime is None:
        return CodeModel(None, loaded.status, path, failed=True, missing=loaded.missing, key=key)
    lm = loaded.runtime
    return CodeModel(lm, loaded.status, path, loaded.providers, key=key, languages=lm.languages)


def _lm() -> Open[OnnxLM]:
    """What opens a code model (importing onnxruntime, which may be missing)."""
    from server.runtime.onnx_lm import OnnxLM

    return OnnxLM.load
