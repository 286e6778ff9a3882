"""The error model: ``-ln P(typo | word)``, the cost of the cheapest alignment of a word to a typo.

The noisy-channel suggester (:mod:`server.engine.suggest`) ranks candidates with it, the lexicon
asks it whether a run-together word is better explained as a typo of a common word, and
``tools/build_lexicon.py`` learns its tables from real typo->correction pairs (with
:meth:`ErrorModel.align`). It knows letters and edit costs only, nothing of the dictionary, so
it sits below both the lexicon and the suggester.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any

#: Cost of something impossible.
INF = float("inf")

#: ``(kind, intended, typed, index in the intended word)``: one step of an alignment.
AlignStep = tuple[str, str, str, int]


class ErrorModel:
    """``-ln P(typo | word)`` as the cost of the cheapest alignment of ``word`` to ``typo``.

    The tables map edits to costs in nats. One-letter edits use two-letter keys so a lookup
    is one dict probe: ``sub["ae"]`` (meant ``a``, typed ``e``), ``dele["xa"]`` (``a`` omitted
    after ``x``; ``^`` is the start of the word), ``ins["xb"]`` (an extra ``b`` typed after
    ``x``), ``trans["ab"]`` (meant ``ab``, typed ``ba``). ``multi`` maps a meant string to the
    typed strings it becomes (``"ph" -> {"f": 2.1}``); an edit touching the first letter also
    pays ``first`` (writers seldom get it wrong).
    """

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.sub: dict[str, float] = dict(table.get("sub", {}))
        self.dele: dict[str, float] = dict(table.get("del", {}))
        self.ins: dict[str, float] = dict(table.get("ins", {}))
        self.trans: dict[str, float] = dict(table.get("trans", {}))
        default = table.get("default", {})
        self.d_sub = float(default.get("sub", 8.0))
        self.d_del = float(default.get("del", 8.0))
        self.d_ins = float(default.get("ins", 8.0))
        self.d_trans = float(default.get("trans", 8.0))
        self.first = float(table.get("first", 0.0))
        multi: dict[str, dict[str, float]] = {}
        for key, cost in table.get("multi", {}).items():
            meant, _, typed = key.partition(">")
            multi.setdefault(meant, {})[typed] = float(cost)
        self.multi: dict[str, tuple[tuple[str, float], ...]] = {
            meant: tuple(sorted(typed.items())) for meant, typed in multi.items()
        }
        self.max_multi = max((len(m) for m in self.multi), default=0)
        self.table = dict(table)

    @classmethod
    def uniform(cls) -> ErrorModel:
        """Unit costs (plain Damerau-Levenshtein): the starting point for learning."""
        return cls({"default": {"sub": 1.0, "del": 1.0, "ins": 1.0, "trans": 1.0}})

    @classmethod
    def load(cls, text: str) -> ErrorModel:
        return cls(json.loads(text))

    @classmethod
    def shipped(cls) -> ErrorModel:
        """The model learned by ``tools/build_lexicon.py`` (cached per process)."""
        with _SHIPPED_LOCK:
            model = _SHIPPED.get("model")
            if model is None:
                data = resources.files("server.engine").joinpath("data/error_model.json")
                model = cls.load(data.read_text(encoding="utf-8"))
                _SHIPPED["model"] = model
            return model

    # -- the cost --------------------------------------------------------------------------
    def positions(self, typo: str) -> dict[str, tuple[int, ...]]:
        """Where each short substring of ``typo`` starts (``""`` everywhere): lets one typo be
        scored against many words without searching it again for every multi-letter edit."""
        m = len(typo)
        found: dict[str, list[int]] = {"": list(range(m + 1))}
        for length in range(1, min(self.max_multi, m) + 1):
            for start in range(m - length + 1):
                found.setdefault(typo[start : start + length], []).append(start)
        return {k: tuple(v) for k, v in found.items()}

    def _multi_into(
        self,
        word: str,
        i: int,
        rows: list[list[float]],
        m: int,
        positions: dict[str, tuple[int, ...]],
    ) -> list[float] | None:
        """Best cost of reaching each cell of row ``i`` with one multi-letter edit."""
        best: list[float] | None = None
        multi = self.multi
        for k in range(1, min(self.max_multi, i) + 1):
            options = multi.get(word[i - k : i])
            if not options:
                continue
            base = rows[i - k]
            extra = self.first if i == k else 0.0
            for typed, cost in options:
                starts = positions.get(typed)
                if not starts:
                    continue
                length = len(typed)
                cost += extra
                for start in starts:
                    value = base[start] + cost
                    if best is None:
                        best = [INF] * (m + 1)
                    j = start + length
                    if value < best[j]:
                        best[j] = value
        return best

    def cost(
        self,
        typo: str,
        word: str,
        bound: float = INF,
        positions: dict[str, tuple[int, ...]] | None = None,
    ) -> float:
        """``-ln P(typo | word)``: the cheapest alignment (``INF`` once it exceeds ``bound``).

        ``positions`` is :meth:`positions` of ``typo``, worth passing when scoring one typo
        against many words.
        """
        rows = self._rows(typo, word, bound, positions)
        return rows[-1][-1] if rows else INF

    def _rows(
        self,
        typo: str,
        word: str,
        bound: float,
        positions: dict[str, tuple[int, ...]] | None = None,
    ) -> list[list[float]]:
        n = len(word)
        m = len(typo)
        c = "^" + word
        t = "^" + typo
        sub = self.sub
        dele = self.dele
        ins = self.ins
        trans = self.trans
        d_sub, d_del, d_ins, d_trans = self.d_sub, self.d_del, self.d_ins, self.d_trans
        first = self.first
        has_multi = bool(self.multi)
        if has_multi and positions is None:
            positions = self.positions(typo)
        row = [0.0] * (m + 1)
        ins_costs = [0.0] * (m + 1)
        for j in range(1, m + 1):
            ins_costs[j] = ins.get(t[j - 1 : j + 1], d_ins)
            row[j] = row[j - 1] + ins_costs[j]
        rows = [row]
        for i in range(1, n + 1):
            a = c[i]
            before = c[i - 1]
            prev = row
            row = [0.0] * (m + 1)
            del_cost = dele.get(before + a, d_del) + (first if i == 1 else 0.0)
            row[0] = prev[0] + del_cost
            sub_extra = first if i == 1 else 0.0
            mbest = self._multi_into(word, i, rows, m, positions) if positions else None
            low = row[0]
            for j in range(1, m + 1):
                b = t[j]
                if a == b:
                    best = prev[j - 1]
                else:
                    best = prev[j - 1] + sub.get(a + b, d_sub) + sub_extra
                    if i > 1 and j > 1 and a == t[j - 1] and before == b:
                        value = rows[i - 2][j - 2] + trans.get(before + a, d_trans)
                        if i == 2:
                            value += first
                        if value < best:
                            best = value
                value = prev[j] + del_cost
                if value < best:
                    best = value
                value = row[j - 1] + ins_costs[j]
                if value < best:
                    best = value
                if mbest is not None and mbest[j] < best:
                    best = mbest[j]
                row[j] = best
                if best < low:
                    low = best
            if low > bound:
                return []
            rows.append(row)
        return rows

    # -- alignment (for learning) ----------------------------------------------------------
    def align(self, typo: str, word: str) -> list[AlignStep]:
        """The steps of the cheapest alignment, in order (used by the offline learner).

        Kinds are ``match``, ``sub``, ``del`` (a meant letter left out), ``ins`` (an extra
        typed letter), ``trans`` and ``multi``. Ties prefer matches, then the one-letter edits
        in that order, so unit costs give the textbook alignment.
        """
        rows = self._rows(typo, word, INF)
        steps: list[AlignStep] = []
        i, j = len(word), len(typo)
        c = "^" + word
        t = "^" + typo
        eps = 1e-9
        while i > 0 or j > 0:
            here = rows[i][j]
            if i > 0 and j > 0 and c[i] == t[j] and abs(rows[i - 1][j - 1] - here) < eps:
                steps.append(("match", c[i], t[j], i - 1))
                i, j = i - 1, j - 1
                continue
            if i > 0 and j > 0:
                cost = self.sub.get(c[i] + t[j], self.d_sub) + (self.first if i == 1 else 0.0)
                if c[i] != t[j] and abs(rows[i - 1][j - 1] + cost - here) < eps:
                    steps.append(("sub", c[i], t[j], i - 1))
                    i, j = i - 1, j - 1
                    continue
            if i > 0:
                cost = self.dele.get(c[i - 1] + c[i], self.d_del) + (self.first if i == 1 else 0.0)
                if abs(rows[i - 1][j] + cost - here) < eps:
                    steps.append(("del", c[i], "", i - 1))
                    i -= 1
                    continue
            if j > 0:
                cost = self.ins.get(t[j - 1] + t[j], self.d_ins)
                if abs(rows[i][j - 1] + cost - here) < eps:
                    steps.append(("ins", "", t[j], i))
                    j -= 1
                    continue
            if i > 1 and j > 1 and c[i] == t[j - 1] and c[i - 1] == t[j] and c[i] != t[j]:
                cost = self.trans.get(c[i - 1] + c[i], self.d_trans) + (
                    self.first if i == 2 else 0.0
                )
                if abs(rows[i - 2][j - 2] + cost - here) < eps:
                    steps.append(("trans", c[i - 1 : i + 1], t[j - 1 : j + 1], i - 2))
                    i, j = i - 2, j - 2
                    continue
            found = False
            for k in range(1, min(self.max_multi, i) + 1):
                for typed, cost in self.multi.get(word[i - k : i], ()):
                    length = len(typed)
                    if length > j or typo[j - length : j] != typed:
                        continue
                    extra = self.first if i == k else 0.0
                    if abs(rows[i - k][j - length] + cost + extra - here) < eps:
                        steps.append(("multi", word[i - k : i], typed, i - k))
                        i, j = i - k, j - length
                        found = True
                        break
                if found:
                    break
            if not found:  # pragma: no cover - the DP always has a predecessor
                raise AssertionError(f"no alignment step for {typo!r} / {word!r} at {i},{j}")
        steps.reverse()
        return steps


_SHIPPED: dict[str, ErrorModel] = {}
_SHIPPED_LOCK = threading.Lock()
