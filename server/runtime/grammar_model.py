"""Load the grammar model for the server and the CLI, or say clearly why there is none.

A missing onnxruntime, a model directory with a missing file or a checksum mismatch, or a
corrupt ``model.onnx`` must never stop Quill: spelling goes on working and the caller shows
the reason (the server as a window message, the CLI on stderr). The reason names the file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from server.engine.grammar.decode import GrammarCorrector, GrammarOptions
from server.runtime.models import DEVICES, MODELS
from server.runtime.models import resolve as resolve_model_dir

log = logging.getLogger(__name__)

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
    try:
        from server.runtime.onnx_tagger import ModelError, OnnxTagger
    except ImportError as exc:
        return GrammarModel(
            None,
            f"grammar is off: onnxruntime is not installed ({exc}); install Quill with the "
            "'cpu' or 'gpu' extra (pip install -e '.[cpu]')",
            path,
            failed=True,
            key=key,
        )
    if device not in DEVICES:
        device = "auto"
    try:
        tagger = OnnxTagger.load(path, device=device, threads=threads)  # type: ignore[arg-type]
    except ModelError as exc:
        return GrammarModel(None, f"grammar is off: {exc}", path, failed=True, key=key)
    except Exception as exc:  # a broken file can make onnxruntime or tokenizers raise anything
        log.exception("grammar model %s failed to load", path)
        return GrammarModel(
            None, f"grammar is off: {path}: cannot load ({exc})", path, failed=True, key=key
        )
    options = options_for(tagger.decoding, min_confidence)
    providers = tuple(tagger.providers)
    where = providers[0] if providers else "no provider"
    status = f"grammar model {path.name} on {where}"
    if device == "cuda" and where != "CUDAExecutionProvider":
        status += " (CUDA was asked for but is not available: running on the CPU)"
    return GrammarModel(GrammarCorrector(tagger, options), status, path, providers, key=key)


def options_for(decoding: dict[str, object], min_confidence: float | None) -> GrammarOptions:
    """The model's tuned decoding settings, with the user's ``minConfidence`` on top."""
    fields = set(GrammarOptions.__dataclass_fields__)
    options = GrammarOptions(**{k: v for k, v in decoding.items() if k in fields})  # type: ignore[arg-type]
    if min_confidence is not None:
        options = replace(options, min_confidence=float(min_confidence))
    return options
