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

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

from server.engine.grammar.tagger import TagResult
from server.engine.grammar.tags import KEEP, START, is_valid
from server.runtime.encoding import encode, prepare

log = logging.getLogger(__name__)

REQUIRED_FILES = ("model.onnx", "tokenizer.json", "config.json")
Device = Literal["auto", "cpu", "cuda"]


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


def _providers(device: Device) -> list[str]:
    available = ort.get_available_providers()
    if device in ("auto", "cuda") and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        log.warning("CUDA requested but onnxruntime has no CUDAExecutionProvider; using CPU")
    return ["CPUExecutionProvider"]


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


def open_session(
    model: Path, device: Device, threads: int | None
) -> tuple[ort.InferenceSession, int]:
    """An onnxruntime session on ``model`` with explicit thread counts (default: all cores,
    at most 4), on CUDA when asked for or available, else (or when CUDA fails) on the CPU.
    Returns the session and its intra-op thread count."""
    options = ort.SessionOptions()
    n = threads or min(4, os.cpu_count() or 1)
    options.intra_op_num_threads = n
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = _providers(device)
    try:
        return ort.InferenceSession(str(model), sess_options=options, providers=providers), n
    except Exception as exc:  # onnxruntime raises its own untyped errors
        if providers[0] != "CUDAExecutionProvider":
            raise ModelError(f"{model}: cannot load ({exc})") from exc
        log.warning("CUDA session failed (%s); falling back to CPU", exc)
        cpu = ["CPUExecutionProvider"]
        return ort.InferenceSession(str(model), sess_options=options, providers=cpu), n


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
        (out,) = self.session.run(["logits"], feeds)
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
