"""The code-completion model: a causal LM exported by Optimum, run by onnxruntime.

Implements the engine's :class:`~server.engine.completion.Generator` with onnxruntime,
tokenizers and numpy only (no torch or transformers at serve time). A model directory holds:

``model.onnx``      ``input_ids``, ``attention_mask``, ``position_ids`` (when the architecture
                    takes them) and ``past_key_values.N.key/value`` -> ``logits`` and
                    ``present.N.key/value`` (Optimum's ``text-generation-with-past``), fp32 or int8
``tokenizer.json``  its byte-level BPE (the ``tokenizers`` library's format)
``config.json``     Hugging Face config plus a ``quill`` section: ``context`` (tokens the model
                    was trained on), ``fim`` (the prefix/suffix/middle sentinel tokens, or null),
                    ``stop_tokens``, and ``prompt`` (token ids of a soft prompt learnt by prompt
                    tuning and baked into the embeddings: put before every prompt, never
                    generated)
``manifest.json``   ``{"files": {name: sha256}}`` for every other file, checked at load

Decoding is greedy. The prompt's keys and values are computed once and each new token costs
one step; the cache of the last generation is kept, so a request whose prompt starts like the
previous one (the usual case: the user typed a character) only feeds the tokens that differ.

The model also scores lines it did not write (:meth:`OnnxLM.score_middles`, the engine's
:class:`~server.engine.completion_ranker.MiddleScorer`): the workspace proposes candidate lines
and the model says how likely each is at the cursor, the prompt fed once and every candidate in
one batched pass over its keys and values.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

from server.engine.completion import CompletionContext, Generation
from server.engine.completion_ranker import MiddleScore
from server.runtime.models import Device, ModelError, check_model_dir
from server.runtime.session import open_session, run_options

__all__ = ["FimTokens", "OnnxLM"]

log = logging.getLogger(__name__)

#: Share of the prompt budget the code after the cursor may take (the prefix matters more).
SUFFIX_SHARE = 0.25
#: Prompt tokens always left for the prefix, however small the budget.
MIN_PROMPT = 16
#: Tokens of a scored middle at most (a longer one is scored on its start, without its end).
MAX_MIDDLE_TOKENS = 40


@dataclass(frozen=True)
class FimTokens:
    prefix: int
    suffix: int
    middle: int


@dataclass
class _Cache:
    """Keys and values of ``ids`` (every token fed so far, in order)."""

    ids: list[int] = field(default_factory=list)
    past: list[NDArray[Any]] = field(default_factory=list)


@dataclass
class OnnxLM:
    """Greedy decoding over an exported causal LM (see the module docstring)."""

    session: ort.InferenceSession
    tokenizer: Tokenizer
    #: Tokens the model was trained on at once; prompt plus generation stay within it.
    context: int
    fim: FimTokens | None
    stop_ids: frozenset[int]
    #: ``past_key_values.N.key`` / ``.value`` input names, in layer order.
    past_names: list[str]
    present_names: list[str]
    #: (key/value heads, head size) of the cache, from the graph's static shapes.
    kv_shape: tuple[int, int]
    past_dtype: type[np.floating[Any]]
    model_dir: Path | None = None
    #: Language ids the model was trained on (empty: not recorded, any).
    languages: tuple[str, ...] = ()
    #: A prompt-tuned model's soft prompt (token ids), before every prompt.
    soft_prompt: tuple[int, ...] = ()
    #: The token that ends a fill-in-the-middle middle (end of text), or None when unknown.
    end_id: int | None = None
    _inputs: frozenset[str] = frozenset()
    _cache: _Cache = field(default_factory=_Cache)

    @property
    def providers(self) -> list[str]:
        return list(self.session.get_providers())

    @classmethod
    def load(
        cls,
        model_dir: str | os.PathLike[str],
        device: Device = "auto",
        threads: int | None = None,
        *,
        verify: bool = True,
    ) -> OnnxLM:
        """Load and check a model directory; raises :class:`ModelError` naming the bad file.
        ``threads`` (default: all cores, at most 4) sets onnxruntime's intra-op threads."""
        path = Path(model_dir)
        check_model_dir(path, verify)
        try:
            config = json.loads((path / "config.json").read_text("utf-8"))
            quill = config["quill"]
            context = int(quill["context"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{path / 'config.json'}: no usable 'quill' section ({exc})") from exc
        if quill.get("task") != "code-completion":
            raise ModelError(f"{path / 'config.json'}: not a code-completion model")
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        fim = None
        if quill.get("fim"):
            ids = [tokenizer.token_to_id(quill["fim"][k]) for k in ("prefix", "suffix", "middle")]
            if any(i is None for i in ids):
                raise ModelError(f"{path / 'tokenizer.json'}: lacks the FIM tokens {quill['fim']}")
            fim = FimTokens(*ids)
        soft_prompt = tuple(int(i) for i in quill.get("prompt") or ())
        if any(not 0 <= i < tokenizer.get_vocab_size() for i in soft_prompt):
            raise ModelError(f"{path / 'config.json'}: soft prompt ids outside the vocabulary")
        stop_tokens = [tokenizer.token_to_id(t) for t in quill.get("stop_tokens", [])]
        stop_ids = {int(i) for i in stop_tokens if i is not None}
        # Training ends every middle with the end-of-text token, the first stop token.
        end_id = stop_tokens[0] if stop_tokens and stop_tokens[0] is not None else None
        session, n = open_session(path / "model.onnx", device, threads)
        inputs = {i.name: i for i in session.get_inputs()}
        past_names = sorted(
            (name for name in inputs if name.startswith("past_key_values.")),
            key=lambda s: (int(s.split(".")[1]), s.split(".")[2]),
        )
        if "input_ids" not in inputs or not past_names:
            raise ModelError(
                f"{path / 'model.onnx'}: not a causal LM exported with past key values "
                "(text-generation-with-past)"
            )
        present_names = [n.replace("past_key_values.", "present.") for n in past_names]
        shape = inputs[past_names[0]].shape
        if not (isinstance(shape[1], int) and isinstance(shape[3], int)):
            raise ModelError(f"{path / 'model.onnx'}: the cache shape {shape} is not static")
        dtype = np.float16 if "float16" in inputs[past_names[0]].type else np.float32
        lm = cls(
            session=session,
            tokenizer=tokenizer,
            context=context,
            fim=fim,
            stop_ids=frozenset(stop_ids),
            past_names=past_names,
            present_names=present_names,
            kv_shape=(shape[1], shape[3]),
            past_dtype=dtype,
            model_dir=path,
            languages=tuple(str(x) for x in quill.get("languages", [])),
            soft_prompt=soft_prompt,
            end_id=None if end_id is None else int(end_id),
            _inputs=frozenset(inputs),
        )
        log.info(
            "code model %s: %d layers, context %d, providers %s, %d threads",
            path,
            len(past_names) // 2,
            context,
            lm.providers,
            n,
        )
        return lm

    # --- prompts ------------------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def decode(self, ids: Sequence[int]) -> str:
        return str(self.tokenizer.decode(list(ids), skip_special_tokens=True))

    def prompt_ids(self, context: CompletionContext, budget: int, fim: bool = True) -> list[int]:
        """The prompt within ``budget`` tokens: the end of the prefix, and (fill-in-the-middle)
        the start of the suffix, framed by the sentinels the model was trained with. Room the
        file itself leaves unused goes to the other open files (``context.neighbours``), put
        before the prefix as if they came earlier in the same file."""
        soft = list(self.soft_prompt)
        budget = max(budget - len(soft), MIN_PROMPT)
        prefix = self.encode(context.prefix) if context.prefix else []
        if not fim or self.fim is None:
            prefix = prefix[-budget:] if budget else []
            return soft + self.neighbour_ids(context.neighbours, budget - len(prefix)) + prefix
        suffix = self.encode(context.suffix) if context.suffix.strip() else []
        room = budget - 3
        # The suffix gets its share, or more when the prefix leaves room unused.
        suffix = suffix[: max(int(room * SUFFIX_SHARE), room - len(prefix), 0)]
        prefix = prefix[-(room - len(suffix)) :] if room > len(suffix) else []
        head = self.neighbour_ids(context.neighbours, room - len(suffix) - len(prefix))
        f = self.fim
        return [*soft, f.prefix, *head, *prefix, f.suffix, *suffix, f.middle]

    def neighbour_ids(self, neighbours: Sequence[str], room: int) -> list[int]:
        """Tokens of ``neighbours`` in order, within ``room``, cut after a line break."""
        ids: list[int] = []
        for snippet in neighbours:
            if room - len(ids) <= 0:
                break
            tokens = self.encode(snippet)
            if len(ids) + len(tokens) <= room:
                ids += tokens
                continue
            fits = tokens[: room - len(ids)]
            ends = [k for k, t in enumerate(fits) if t in self.newline_ids]
            if ends:
                ids += fits[: ends[-1] + 1]
            break
        return ids

    @cached_property
    def newline_ids(self) -> frozenset[int]:
        """Tokens whose text ends with a line break (where a snippet may be cut)."""
        return frozenset(
            i
            for i in range(self.tokenizer.get_vocab_size())
            if self.tokenizer.decode([i], skip_special_tokens=False).endswith("\n")
        )

    # --- generation ---------------------------------------------------------------------------

    def complete(
        self,
        context: CompletionContext,
        *,
        max_new_tokens: int,
        stop: Callable[[str], int | None],
        deadline: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        fim: bool = True,
        budget: int | None = None,
    ) -> Generation:
        """Generate after the cursor until ``stop`` cuts the text, the model ends,
        ``max_new_tokens``, ``deadline`` (``time.monotonic()``) or ``cancelled()``."""
        max_new_tokens = max(1, min(max_new_tokens, self.context - MIN_PROMPT))
        if budget is None:
            budget = self.context - max_new_tokens
        ids = self.prompt_ids(context, min(budget, self.context - max_new_tokens), fim)
        return self.generate(
            ids, max_new_tokens=max_new_tokens, stop=stop, deadline=deadline, cancelled=cancelled
        )

    def generate(
        self,
        prompt: Sequence[int],
        *,
        max_new_tokens: int,
        stop: Callable[[str], int | None] | None = None,
        deadline: float | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Generation:
        t0 = time.perf_counter()
        prompt = list(prompt)
        if not prompt:
            return Generation("", "empty")
        logits, reused = self._prefill(prompt)
        out: list[int] = []
        text = ""
        reason = "length"
        for _ in range(max_new_tokens):
            if cancelled is not None and cancelled():
                reason = "cancelled"
                break
            if self.soft_prompt:
                logits[list(self.soft_prompt)] = -np.inf  # never generated
            token = int(np.argmax(logits))
            if token in self.stop_ids:
                reason = "eos"
                break
            out.append(token)
            text = self.decode(out)
            if stop is not None and not text.endswith("\ufffd"):  # not mid-way in a character
                cut = stop(text)
                if cut is not None:
                    text, reason = text[:cut], "stop"
                    break
            if deadline is not None and time.monotonic() > deadline:
                reason = "time"
                break
            if len(self._cache.ids) + 1 > self.context:
                reason = "length"
                break
            logits = self._step([token])
        return Generation(
            text=text.replace("\ufffd", ""),
            reason=reason,
            tokens=len(out),
            prompt_tokens=len(prompt),
            reused_tokens=reused,
            seconds=time.perf_counter() - t0,
        )

    # --- scoring ------------------------------------------------------------------------------

    def score_middles(
        self, context: CompletionContext, middles: Sequence[str]
    ) -> list[MiddleScore]:
        """How likely each of ``middles`` is as the text written at the cursor: the sum of its
        tokens' log-probabilities, then of the token that ends a middle (fill-in-the-middle;
        without FIM, of a line break), given the prompt. The prompt is fed once (its cache
        reused as in generation); all middles then run in one batch over its keys and values,
        which the batch leaves as they were."""
        if not middles:
            return []
        fim = self.fim is not None and self.end_id is not None
        end = [self.end_id] if fim and self.end_id is not None else self.encode("\n")[:1]
        tokens = []
        for middle in middles:
            ids = self.encode(middle) if middle else []
            whole = len(ids) <= MAX_MIDDLE_TOKENS
            tokens.append(ids + end if whole else ids[:MAX_MIDDLE_TOKENS])
        longest = max(len(t) for t in tokens)
        budget = max(self.context - longest, MIN_PROMPT)
        prompt = self.prompt_ids(context, budget, fim)[-(self.context - longest) :]
        first, _ = self._prefill(prompt)
        logp_first = _log_softmax(first)
        width = longest - 1  # every token but the last is fed to score the next
        rest: NDArray[np.float32] | None = None
        if width > 0:
            rest = self._batch_logits([t[:-1] for t in tokens], width)
        out = []
        for b, ids in enumerate(tokens):
            total = float(logp_first[ids[0]])
            if rest is not None and len(ids) > 1:
                steps = _log_softmax(rest[b, : len(ids) - 1])
                total += float(steps[np.arange(len(ids) - 1), ids[1:]].sum())
            out.append(MiddleScore(total, len(ids)))
        return out

    def _batch_logits(self, rows: list[list[int]], width: int) -> NDArray[np.float32]:
        """Logits of each row fed after the cached sequence (rows padded at the end to
        ``width``; the padding is masked and comes after every real token, so it changes no
        real token's logits). The cache itself is not changed."""
        cache = self._cache
        past_len = len(cache.ids)
        batch = len(rows)
        ids = np.zeros((batch, width), dtype=np.int64)
        mask = np.zeros((batch, past_len + width), dtype=np.int64)
        mask[:, :past_len] = 1
        for b, row in enumerate(rows):
            ids[b, : len(row)] = row
            mask[b, past_len : past_len + len(row)] = 1
        feeds: dict[str, NDArray[Any]] = {"input_ids": ids, "attention_mask": mask}
        if "position_ids" in self._inputs:
            positions = np.arange(past_len, past_len + width, dtype=np.int64)
            feeds["position_ids"] = np.broadcast_to(positions, (batch, width)).copy()
        past = zip(self.past_names, cache.past, strict=True)
        feeds.update((name, np.repeat(p, batch, axis=0)) for name, p in past)
        (logits,) = self.session.run(["logits"], feeds, run_options(self.session))
        return np.asarray(logits, dtype=np.float32)

    def _prefill(self, prompt: list[int]) -> tuple[NDArray[np.float32], int]:
        """Feed ``prompt``, reusing the cached keys and values of its longest common start
        with the previous sequence; the logits of its last token and how many were reused."""
        cache = self._cache
        common = 0
        for a, b in zip(cache.ids, prompt, strict=False):
            if a != b:
                break
            common += 1
        common = min(common, len(prompt) - 1)  # at least one token to get logits from
        if common > 0 and cache.past:
            cache.ids = cache.ids[:common]
            cache.past = [np.ascontiguousarray(p[:, :, :common]) for p in cache.past]
        else:
            common = 0
            cache.ids, cache.past = [], []
        return self._step(prompt[common:]), common

    def _step(self, ids: list[int]) -> NDArray[np.float32]:
        """Run ``ids`` after the cached sequence; updates the cache, returns the last logits."""
        cache = self._cache
        past_len = len(cache.ids)
        heads, size = self.kv_shape
        past = cache.past or [
            np.zeros((1, heads, 0, size), dtype=self.past_dtype) for _ in self.past_names
        ]
        feeds: dict[str, NDArray[Any]] = {
            "input_ids": np.asarray([ids], dtype=np.int64),
            "attention_mask": np.ones((1, past_len + len(ids)), dtype=np.int64),
        }
        if "position_ids" in self._inputs:
            feeds["position_ids"] = np.arange(past_len, past_len + len(ids), dtype=np.int64)[None]
        feeds.update(zip(self.past_names, past, strict=True))
        logits, *present = self.session.run(
            ["logits", *self.present_names], feeds, run_options(self.session)
        )
        cache.ids = [*cache.ids, *ids]
        cache.past = [np.asarray(p) for p in present]
        return np.asarray(logits[0, -1], dtype=np.float32)

    def logits(self, ids: Sequence[int]) -> NDArray[np.float32]:
        """Logits of every position of ``ids`` in one pass without a cache (parity checks)."""
        self.reset()
        heads, size = self.kv_shape
        feeds: dict[str, NDArray[Any]] = {
            "input_ids": np.asarray([list(ids)], dtype=np.int64),
            "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
        }
        if "position_ids" in self._inputs:
            feeds["position_ids"] = np.arange(len(ids), dtype=np.int64)[None]
        for name in self.past_names:
            feeds[name] = np.zeros((1, heads, 0, size), dtype=self.past_dtype)
        (out,) = self.session.run(["logits"], feeds, run_options(self.session))
        return np.asarray(out[0], dtype=np.float32)

    def reset(self) -> None:
        """Forget the cached keys and values."""
        self._cache = _Cache()


def _log_softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Log-probabilities from logits over the last axis."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))
