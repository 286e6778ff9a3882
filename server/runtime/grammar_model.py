"""The grammar model for the server and the CLI: the shipped one or the configured one, loaded
with the user's confidence threshold, or the reason there is none (spelling goes on working).

Loading itself, and what a missing runtime or a broken model directory says, is shared with the
code model (:mod:`server.runtime.loading`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from server.engine.grammar.decode import GrammarCorrector, GrammarOptions
from server.runtime.loading import Open, load_runtime
from server.runtime.models import MODELS
from server.runtime.models import resolve as resolve_model_dir

if TYPE_CHECKING:
    from server.runtime.onnx_tagger import OnnxTagger

#: The model shipped in the repository (``models/``) and loaded when no other is configured.
DEFAULT_MODEL = MODELS / "grammar-minilm"


@dataclass(frozen=True)
class GrammarModel:
    """The outcome of loading: a corrector, or None with the reason in ``status``."""

    corrector: GrammarCorrector | None
    #: One line for a person: which model on which provider, or why grammar is off.
    status: str
    model_dir: Path
    providers: tuple[str, ...] = ()
    #: True when the model could not be used (a problem to show, not a choice the user made).
    failed: bool = False
    #: The (model directory setting, device setting) it was loaded for.
    key: tuple[str | None, str] = (None, "auto")

    def with_min_confidence(self, min_confidence: float | None) -> GrammarModel:
        """The same loaded model with another confidence threshold."""
        if self.corrector is None:
            return self
        tagger = self.corrector.tagger
        decoding = dict(getattr(tagger, "decoding", {}))
        corrector = GrammarCorrector(tagger, options_for(decoding, min_confidence))
        return replace(self, corrector=corrector)


def resolve(model_dir: str | Path | None) -> Path:
    """The configured grammar model directory, or the shipped default."""
    return resolve_model_dir(model_dir, DEFAULT_MODEL)


def load_grammar(
    model_dir: str | Path | None = None,
    device: str = "auto",
    threads: int | None = None,
    min_confidence: float | None = None,
) -> GrammarModel:
    """Load a grammar model; never raises for a bad model or a missing runtime."""
    path = resolve(model_dir)
    key = (None if model_dir is None else str(model_dir), device)
    loaded = load_runtime(
        _tagger, path, device, threads, name="grammar model", off="grammar is off"
    )
    if loaded.runtime is None:
        return GrammarModel(None, loaded.status, path, failed=True, key=key)
    tagger = loaded.runtime
    corrector = GrammarCorrector(tagger, options_for(tagger.decoding, min_confidence))
    return GrammarModel(corrector, loaded.status, path, loaded.providers, key=key)


def _tagger() -> Open[OnnxTagger]:
    """What opens a grammar model (importing onnxruntime, which may be missing)."""
    from server.runtime.onnx_tagger import OnnxTagger

    return OnnxTagger.load


def options_for(decoding: dict[str, object], min_confidence: float | None) -> GrammarOptions:
    """The model's tuned decoding settings, with the user's ``minConfidence`` on top."""
    fields = set(GrammarOptions.__dataclass_fields__)
    options = GrammarOptions(**{k: v for k, v in decoding.items() if k in fields})  # type: ignore[arg-type]
    if min_confidence is not None:
        options = replace(options, min_confidence=float(min_confidence))
    return options
