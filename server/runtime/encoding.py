"""Words to word pieces and back: the one place that decides which piece labels which word.

Training (``training.grammar.model``) and serving (:mod:`server.runtime.onnx_tagger`) both call
:func:`encode`, so a model is always fed exactly as it was trained. Conventions:

* the first piece of a word carries the word's label (GECToR, and BERT's NER recipe); the other
  pieces get no label at training time (``-100``) and are ignored at run time;
* the ``$START`` token that begins every tagged sentence is *not* given to the tokenizer: the
  classifier's ``[CLS]`` position stands for it, so "insert at the start of the sentence" is
  predicted from the whole-sentence summary vector;
* a word that the tokenizer turns into no piece at all (a lone control character) is given the
  ``[UNK]`` piece, so every word has a position;
* sentences longer than ``max_length`` pieces are cut; the words beyond the cut get position
  ``-1`` (callers keep them unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer


@dataclass(frozen=True, slots=True)
class Encoded:
    """A padded batch: ``positions[b][w]`` is the piece index that labels word ``w`` of
    sentence ``b`` (index 0 is ``[CLS]`` = ``$START``), or -1 when the word was cut off."""

    input_ids: NDArray[np.int64]
    attention_mask: NDArray[np.int64]
    token_type_ids: NDArray[np.int64]
    positions: list[list[int]]


def special_ids(tokenizer: Tokenizer) -> tuple[int, int, int, int]:
    """``([CLS], [SEP], [PAD], [UNK])`` ids of a BERT-style tokenizer."""
    ids = []
    for name in ("[CLS]", "[SEP]", "[PAD]", "[UNK]"):
        tid = tokenizer.token_to_id(name)
        if tid is None:
            raise ValueError(f"tokenizer has no {name} token")
        ids.append(tid)
    return ids[0], ids[1], ids[2], ids[3]


def encode(
    tokenizer: Tokenizer,
    batch: Sequence[Sequence[str]],
    max_length: int,
    *,
    lowercase: bool = False,
) -> Encoded:
    """Encode sentences given as words (without ``$START``) into one padded batch.

    Words are encoded one by one through the tokenizer's normaliser and model, without its own
    special tokens, padding or truncation (those are done here, identically for every model).
    ``lowercase`` lower-cases words first (for tokenizers whose normaliser does not).
    """
    cls_id, sep_id, pad_id, unk_id = special_ids(tokenizer)
    budget = max_length - 2
    rows: list[list[int]] = []
    positions: list[list[int]] = []
    # Encoding each distinct word once is faster than encoding sentences (words repeat a lot).
    vocab = {w.lower() if lowercase else w for s in batch for w in s}
    ordered = sorted(vocab)
    pieces_of: dict[str, list[int]] = {}
    if ordered:
        encs = tokenizer.encode_batch(ordered, is_pretokenized=False, add_special_tokens=False)
        pieces_of = {w: (e.ids or [unk_id]) for w, e in zip(ordered, encs, strict=True)}
    for sentence in batch:
        ids = [cls_id]
        pos: list[int] = []
        for word in sentence:
            pieces = pieces_of[word.lower() if lowercase else word]
            if len(ids) - 1 + len(pieces) > budget:
                pos.append(-1)
                continue
            pos.append(len(ids))
            ids.extend(pieces)
        ids.append(sep_id)
        rows.append(ids)
        positions.append(pos)
    width = max(len(r) for r in rows) if rows else 2
    input_ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for b, r in enumerate(rows):
        input_ids[b, : len(r)] = r
        mask[b, : len(r)] = 1
    return Encoded(input_ids, mask, np.zeros_like(input_ids), positions)


def prepare(tokenizer: Tokenizer) -> Tokenizer:
    """Switch off the tokenizer's own padding and truncation (a saved ``tokenizer.json`` may
    carry them) so that :func:`encode` alone decides."""
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer
