"""The edit-tag grammar: the one source of truth for grammar labels (GECToR, Omelianchuk et al.
2020, "GECToR - Grammatical Error Correction: Tag, Not Rewrite").

A sentence is a list of tokens that starts with :data:`START`; a tagger gives every token one
tag saying how to change it:

=================================  ====================================================
``$KEEP``                          leave the token
``$DELETE``                        remove it
``$REPLACE_<w>``                   replace it by ``w``
``$APPEND_<w>``                    keep it and insert ``w`` after it (on ``$START``: at the
                                   start of the sentence)
``$TRANSFORM_CASE_LOWER|UPPER|CAPITAL``  change its case
``$TRANSFORM_VERB_<FROM>_<TO>``    another form of the same verb (``VB_VBZ``: go -> goes)
``$TRANSFORM_AGREEMENT_SINGULAR|PLURAL``  noun number (cats <-> cat)
``$MERGE_SPACE`` / ``$MERGE_HYPHEN``  join with the next token (``some thing`` -> ``something``)
``$TRANSFORM_SPLIT_HYPHEN``        split at hyphens (``well-known`` -> ``well known``)
=================================  ====================================================

One tag per token means one edit per token per pass. :func:`align` keeps the first edit that
hits a token and leaves the rest to the next pass, exactly as GECToR's iterative decoding
recovers them: :func:`apply` then :func:`align` again converges on the target.

The label list of a trained model travels in its ``config.json`` (``id2label``); it is never
re-derived from this module, only interpreted by it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from itertools import pairwise

from server.engine.grammar.forms import VERB_TAGS, Forms, load_forms

START = "$START"
KEEP = "$KEEP"
DELETE = "$DELETE"
REPLACE = "$REPLACE_"
APPEND = "$APPEND_"
CASE_LOWER = "$TRANSFORM_CASE_LOWER"
CASE_UPPER = "$TRANSFORM_CASE_UPPER"
CASE_CAPITAL = "$TRANSFORM_CASE_CAPITAL"
CASE_TAGS = (CASE_LOWER, CASE_CAPITAL, CASE_UPPER)
VERB = "$TRANSFORM_VERB_"
SINGULAR = "$TRANSFORM_AGREEMENT_SINGULAR"
PLURAL = "$TRANSFORM_AGREEMENT_PLURAL"
MERGE_SPACE = "$MERGE_SPACE"
MERGE_HYPHEN = "$MERGE_HYPHEN"
SPLIT_HYPHEN = "$TRANSFORM_SPLIT_HYPHEN"

#: Every verb-form transform, GECToR's 20 ``FROM_TO`` pairs.
VERB_TRANSFORMS: tuple[str, ...] = tuple(
    f"{VERB}{a}_{b}" for a in VERB_TAGS for b in VERB_TAGS if a != b
)
#: The tags that need no word argument, in a stable order (label vocabularies start with them).
BASE_TAGS: tuple[str, ...] = (
    KEEP,
    DELETE,
    *CASE_TAGS,
    *VERB_TRANSFORMS,
    SINGULAR,
    PLURAL,
    MERGE_SPACE,
    MERGE_HYPHEN,
    SPLIT_HYPHEN,
)


def is_valid(tag: str) -> bool:
    """Whether ``tag`` belongs to the grammar (labels from a model file are checked with it)."""
    if tag in BASE_TAGS:
        return True
    for prefix in (REPLACE, APPEND):
        if tag.startswith(prefix) and len(tag) > len(prefix) and " " not in tag:
            return True
    return False


def _restore_case(model: str, word: str) -> str:
    """``word`` in the case pattern of ``model`` (Title, UPPER or as given)."""
    if len(model) > 1 and model.isupper():
        return word.upper()
    if model[:1].isupper() and word[:1].islower():
        return word[:1].upper() + word[1:]
    return word


def capital(word: str) -> str:
    """``word`` with an upper-case first letter and the rest lower case."""
    return word[:1].upper() + word[1:].lower()


def transform(token: str, tag: str, forms: Forms | None = None) -> str | None:
    """The token a one-token transform gives, or None when it does not apply to ``token``."""
    if tag == CASE_LOWER:
        return token.lower()
    if tag == CASE_UPPER:
        return token.upper()
    if tag == CASE_CAPITAL:
        return capital(token)
    forms = forms or load_forms()
    low = token.lower()
    out: str | None
    if tag.startswith(VERB):
        from_tag, _, to_tag = tag[len(VERB) :].partition("_")
        if from_tag not in VERB_TAGS or to_tag not in VERB_TAGS:
            return None
        out = forms.verb(low, from_tag, to_tag)
    elif tag == SINGULAR:
        out = forms.singular_of.get(low)
    elif tag == PLURAL:
        out = forms.plural_of.get(low)
    else:
        return None
    return None if out is None else _restore_case(token, out)


def _split(token: str) -> list[str]:
    return [p for p in token.split("-") if p] if token != START else [token]


def apply_tag(token: str, tag: str, *, match_case: bool = False) -> list[str]:
    """The tokens that replace ``token`` under ``tag`` (merges are handled by :func:`apply`).

    ``match_case`` gives ``$REPLACE_<w>`` the case pattern of the token it replaces: models with
    an uncased vocabulary learn lower-case replacement words ("their" for "There").
    ``$START`` is never deleted or replaced. A tag that does not apply leaves the token as it is.
    """
    if tag == KEEP or tag in (MERGE_SPACE, MERGE_HYPHEN):
        return [token]
    if tag == DELETE:
        return [token] if token == START else []
    if tag.startswith(REPLACE):
        if token == START:
            return [token]
        word = tag[len(REPLACE) :]
        return [_restore_case(token, word) if match_case else word]
    if tag.startswith(APPEND):
        word = tag[len(APPEND) :]
        if match_case and token == START:
            word = word[:1].upper() + word[1:]
        return [token, word]
    if tag == SPLIT_HYPHEN:
        return _split(token) or [token]
    if token == START:
        return [token]
    out = transform(token, tag)
    return [token] if out is None else [out]


def apply(tokens: Sequence[str], tags: Sequence[str], *, match_case: bool = False) -> list[str]:
    """Apply one tag per token and return the new token list."""
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    out: list[str] = []
    joiner: str | None = None
    for token, tag in zip(tokens, tags, strict=True):
        produced = apply_tag(token, tag, match_case=match_case)
        if joiner is not None and produced and out and out[-1] != START:
            out[-1] = out[-1] + joiner + produced[0]
            produced = produced[1:]
        joiner = {MERGE_SPACE: "", MERGE_HYPHEN: "-"}.get(tag)
        out.extend(produced)
    return out


# --- alignment -------------------------------------------------------------------------------


def label_for(source: str, target: str, forms: Forms | None = None) -> str:
    """The tag that turns ``source`` into ``target``: a transform when one reproduces the target
    exactly (checked by applying it, so run time agrees), else ``$REPLACE_<target>``."""
    if source == target:
        return KEEP
    for tag in CASE_TAGS:
        if transform(source, tag) == target:
            return tag
    forms = forms or load_forms()
    low_s, low_t = source.lower(), target.lower()
    for from_tag in forms.verb_tags.get(low_s, ()):
        for to_tag in forms.verb_tags.get(low_t, ()):
            tag = f"{VERB}{from_tag}_{to_tag}"
            if from_tag != to_tag and transform(source, tag, forms) == target:
                return tag
    for tag in (SINGULAR, PLURAL):
        if transform(source, tag, forms) == target:
            return tag
    return REPLACE + target


def _substitution_cost(a: str, b: str) -> float:
    """Cost of aligning ``a`` with ``b``: 0 when equal, small for related forms, and below the
    2.0 of a deletion plus an insertion, growing with character distance, so that "a big" ->
    "the" pairs "a" with "the" rather than "big" (ERRANT-like, much simplified)."""
    if a == b:
        return 0.0
    la, lb = a.lower(), b.lower()
    if la == lb:
        return 0.1
    ratio = difflib.SequenceMatcher(None, la, lb, autojunk=False).ratio()
    return 0.4 + 0.6 * (1.0 - ratio)


_MERGE_COST = 0.2


def _block_ops(src: Sequence[str], tgt: Sequence[str]) -> list[tuple[str, int, int]]:
    """Levenshtein alignment of a changed block; ops are ``(kind, i, j)`` with kind one of
    ``sub``, ``del``, ``ins``, ``merge`` (src[i], src[i+1] -> tgt[j]) and ``split``
    (src[i] -> tgt[j], tgt[j+1])."""
    n, m = len(src), len(tgt)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[str]] = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            moves: list[tuple[str, int, int, float]] = []
            if i < n and j < m:
                moves.append(("sub", i + 1, j + 1, _substitution_cost(src[i], tgt[j])))
            if i + 1 < n and j < m and tgt[j] in (src[i] + src[i + 1], f"{src[i]}-{src[i + 1]}"):
                moves.append(("merge", i + 2, j + 1, _MERGE_COST))
            if i < n and j + 1 < m and _split(src[i]) == [tgt[j], tgt[j + 1]]:
                moves.append(("split", i + 1, j + 2, _MERGE_COST))
            if i < n:
                moves.append(("del", i + 1, j, 1.0))
            if j < m:
                moves.append(("ins", i, j + 1, 1.0))
            for kind, ni, nj, c in moves:
                if here + c < cost[ni][nj] - 1e-9:
                    cost[ni][nj] = here + c
                    back[ni][nj] = kind
    ops: list[tuple[str, int, int]] = []
    i, j = n, m
    while i or j:
        kind = back[i][j]
        di, dj = {"sub": (1, 1), "merge": (2, 1), "split": (1, 2), "del": (1, 0), "ins": (0, 1)}[
            kind
        ]
        i, j = i - di, j - dj
        ops.append((kind, i, j))
    ops.reverse()
    return ops


def align(source: Sequence[str], target: Sequence[str], forms: Forms | None = None) -> list[str]:
    """One tag per source token, the minimal edits that move ``source`` towards ``target``.

    As in GECToR's preprocessing, unchanged stretches are found first (``difflib``) and only the
    changed blocks get a token-level Levenshtein alignment. When several edits hit one token
    (a replacement and an insertion after it, two insertions) the first is kept; apply the tags
    and align again to recover the rest. An insertion before the first token has no token to
    hang on: give both sequences a leading :data:`START` (as taggers see them) so it has one.
    """
    forms = forms or load_forms()
    tags = [KEEP] * len(source)

    def append(anchor: int, word: str) -> None:
        if anchor >= 0 and tags[anchor] == KEEP:
            tags[anchor] = APPEND + word

    matcher = difflib.SequenceMatcher(None, source, target, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            tags[i1:i2] = [DELETE] * (i2 - i1)
            continue
        if op == "insert":
            append(i1 - 1, target[j1])
            continue
        last = i1 - 1  # the last source token consumed: insertions hang on it
        for kind, i, j in _block_ops(source[i1:i2], target[j1:j2]):
            si, tj = i1 + i, j1 + j
            if kind == "sub":
                tags[si] = label_for(source[si], target[tj], forms)
                last = si
            elif kind == "del":
                tags[si] = DELETE
                last = si
            elif kind == "ins":
                append(last, target[tj])
            elif kind == "merge":
                joined = source[si] + source[si + 1]
                tags[si] = MERGE_SPACE if target[tj] == joined else MERGE_HYPHEN
                last = si + 1
            else:  # split
                tags[si] = SPLIT_HYPHEN
                last = si
    for k, (a, b) in enumerate(pairwise(tags)):
        # A merge joins with the next token's output: if that token is edited too, apply the
        # merge in a later pass instead (keep the first edit only).
        if a in (MERGE_SPACE, MERGE_HYPHEN) and b != KEEP:
            tags[k + 1] = KEEP
    return tags


def correct_iteratively(
    source: Sequence[str], target: Sequence[str], max_passes: int = 5
) -> tuple[list[str], int]:
    """Apply :func:`align` and :func:`apply` until ``target`` is reached or ``max_passes`` run
    out; returns the final tokens and the passes used (tests and data checks use it)."""
    current = list(source)
    for n in range(max_passes):
        if current == list(target):
            return current, n
        current = apply(current, align(current, target))
    return current, max_passes
