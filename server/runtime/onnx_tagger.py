"""The shipped grammar tagger: an exported token classifier run by onnxruntime.

Implements the engine's :class:`~server.engine.grammar.tagger.Tagger` with onnxruntime,
tokenizers and numpy only (no torch or transformers at serve time). A model directory holds:

``model.onnx``      the classifier (``input_ids``, ``attention_mask`` [, ``token_type_ids``]
                    -> ``logits``), fp32 or int8
``tokenizer.json``  its word-piece tokenizer (the ``tokenizers`` library's format)
``config.json``     Hugging Face config with ``id2label`` (the tag list, never re-derived) and a
                    ``quill`` section: ``max_length``, ``lowercase``, decoding defaults
``manifest.json``   ``{"files": {name: sha256}}`` for every other file, checked at load
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

from server.engine.grammar.tagger import TagResult
from server.engine.grammar.tags import KEEP, START, is_valid
from server.runtime.encoding import encode, prepare
from server.runtime.models import Device, ModelError, check_model_dir
from server.runtime.session import open_session, run_options

log = logging.getLogger(__name__)


@dataclass
class OnnxTagger:
    """GECToR-style tagger over an ONNX token classifier (see the module docstring)."""

    session: ort.InferenceSession
    tokenizer: Tokenizer
    id2label: list[str]
    max_length: int
    lowercase: bool
    #: Decoding defaults recorded by training (``GrammarOptions`` field names).
    decoding: dict[str, Any] = field(default_factory=dict)
    #: Labels returned per token (most likely first).
    top_k: int = 5
    #: Sentences per onnxruntime call; batches are formed from sentences of similar length.
    #: 8 runs as fast as 32 on two cores and holds 60 MB less (logits are words x 2,965 labels).
    batch_size: int = 8
    model_dir: Path | None = None

    @property
    def cased(self) -> bool:
        return not self.lowercase

    @property
    def providers(self) -> list[str]:
        """The providers the session really uses (a CUDA session that could not start is CPU)."""
        return list(self.session.get_providers())

    @classmethod
    def load(
        cls,
        model_dir: str | os.PathLike[str],
        device: Device = "auto",
        threads: int | None = None,
        *,
        verify: bool = True,
    ) -> OnnxTagger:
        """Load and check a model directory. ``threads`` (default: all cores, at most 4)
        sets onnxruntime's intra-op threads; the server runs one inference at a time."""
        path = Path(model_dir)
        check_model_dir(path, verify)
        try:
            config = json.loads((path / "config.json").read_text("utf-8"))
            raw = config["id2label"]
            id2label = [raw[str(i)] for i in range(len(raw))]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path / 'config.json'}: no usable id2label ({exc})") from exc
        bad = [label for label in id2label if not is_valid(label)]
        if bad:
            raise ModelError(f"{path / 'config.json'}: unknown labels {bad[:5]}")
        if KEEP not in id2label:
            raise ModelError(f"{path / 'config.json'}: the label set has no {KEEP}")
        quill = config.get("quill", {})
        session, n = open_session(path / "model.onnx", device, threads)
        tokenizer = prepare(Tokenizer.from_file(str(path / "tokenizer.json")))
        tagger = cls(
            session=session,
            tokenizer=tokenizer,
            id2label=id2label,
            max_length=int(quill.get("max_length", 128)),
            lowercase=bool(quill.get("lowercase", True)),
            decoding=dict(quill.get("decoding", {})),
            model_dir=path,
        )
        log.info(
            "grammar model %s: %d labels, providers %s, %d threads",
            path,
            len(id2label),
            tagger.providers,
            n,
        )
        return tagger

    # --- Tagger protocol -------------------------------------------------------------------

    def tag(self, batch: Sequence[Sequence[str]]) -> list[TagResult]:
        """Tags for each sentence (each starts with ``$START``), batched by length."""
        for sentence in batch:
            if not sentence or sentence[0] != START:
                raise ValueError("every sentence must start with $START")
        order = sorted(range(len(batch)), key=lambda k: len(batch[k]))
        results: list[TagResult | None] = [None] * len(batch)
        for s in range(0, len(order), self.batch_size):
            chunk = order[s : s + self.batch_size]
            for k, result in zip(chunk, self._tag_chunk([batch[k] for k in chunk]), strict=True):
                results[k] = result
        return [r for r in results if r is not None]

    def logits(self, words: Sequence[Sequence[str]]) -> tuple[NDArray[np.float32], list[list[int]]]:
        """Raw logits for sentences given without ``$START`` (for parity tests)."""
        enc = encode(self.tokenizer, words, self.max_length, lowercase=self.lowercase)
        feeds = {"input_ids": enc.input_ids, "attention_mask": enc.attention_mask}
        names = {i.name for i in self.session.get_inputs()}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = enc.token_type_ids
        (out,) = self.session.run(["logits"], feeds, run_options(self.session))
        return np.asarray(out, dtype=np.float32), enc.positions

    def _tag_chunk(self, chunk: Sequence[Sequence[str]]) -> list[TagResult]:
        logits, positions = self.logits([s[1:] for s in chunk])
        logits = logits - logits.max(axis=-1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=-1, keepdims=True)
        k = min(self.top_k, probs.shape[-1])
        keep_id = self.id2label.index(KEEP)
        out: list[TagResult] = []
        for b, pos in enumerate(positions):
            rows = [0, *pos]  # [CLS] stands for $START
            tokens: list[tuple[tuple[str, float], ...]] = []
            worst = 0.0
            for p in rows:
                if p < 0:  # cut off by max_length: leave the word alone
                    tokens.append(((KEEP, 1.0),))
                    continue
                row = probs[b, p]
                top = np.argpartition(-row, k - 1)[:k]
                top = top[np.argsort(-row[top])]
                tokens.append(tuple((self.id2label[i], float(row[i])) for i in top))
                worst = max(worst, 1.0 - float(row[keep_id]))
            # Sentence-level error probability: GECToR has a detection head; this model has
            # one classifier, so the most doubtful token's 1 - P($KEEP) stands in for it.
            out.append(TagResult(tuple(tokens), worst))
        return out


def timed_tag(tagger: OnnxTagger, batch: Sequence[Sequence[str]]) -> tuple[list[TagResult], float]:
    """Tag and return the seconds it took (benchmarks)."""
    t0 = time.perf_counter()
    out = tagger.tag(batch)
    return out, time.perf_counter() - t0
