"""The code-completion model for the server and the CLI: the shipped one or the configured one,
or the reason there is none (completion is off, the reason is shown once, diagnostics go on).

No model installed is not an error: completions then come from the workspace's own lines.
Loading itself, and what a missing runtime or a broken model directory says, is shared with the
grammar model (:mod:`server.runtime.loading`).

A model directory may hold ``ranker.json``: the workspace ranker fitted together with a second
stage that re-scores its shortlist with this model (``python -m training code ranker --model``).
Without one the model is not used for ranking (a rescorer fitted to another model's scores
would mislead), only for writing lines where that is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from server.engine.completion import Generator
from server.engine.completion_ranker import RANKER_FILE, MiddleScorer, Ranker
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
    #: The model as a scorer of the workspace's lines, and the ranker fitted with it (both
    #: None when the directory has no ranker).
    scorer: MiddleScorer | None = None
    ranker: Ranker | None = None

    def ranks(self, language: str) -> bool:
        """Whether the model re-scores the workspace's candidates in ``language``."""
        in_language = not self.languages or language in self.languages
        return self.scorer is not None and self.ranker is not None and in_language


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
            f"({path} is missing; none ships, since the one two cores train ranks those lines "
            "no better: README, 'Code completion')"
        )
    loaded = load_runtime(
        _lm, path, device, threads, name="code model", off="code completion is off", absent=absent
    )
    if loaded.runtime is None:
        return CodeModel(None, loaded.status, path, failed=True, missing=loaded.missing, key=key)
    lm = loaded.runtime
    status = loaded.status
    ranker = None
    if (path / RANKER_FILE).is_file():
        try:
            ranker = Ranker.load(path / RANKER_FILE)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            status += f"; its {RANKER_FILE} cannot be used, so it ranks nothing ({exc})"
    if ranker is not None and ranker.rescorer is not None:
        status += "; it ranks the workspace's lines"
    return CodeModel(
        lm,
        status,
        path,
        loaded.providers,
        key=key,
        languages=lm.languages,
        scorer=lm if ranker is not None and ranker.rescorer is not None else None,
        ranker=ranker if ranker is not None and ranker.rescorer is not None else None,
    )


def _lm() -> Open[OnnxLM]:
    """What opens a code model (importing onnxruntime, which may be missing)."""
    from server.runtime.onnx_lm import OnnxLM

    return OnnxLM.load
