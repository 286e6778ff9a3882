"""Build the verb-form and noun-number tables the engine ships (``server/engine/data/``).

The engine's ``$TRANSFORM_VERB_*`` and ``$TRANSFORM_AGREEMENT_*`` tags need a word's other
forms at run time. lemminflect knows them, but it is a training-only dependency (it pulls a
pickled model and is slow to import), so its answers are frozen once into two small gzipped
tables that the pure engine reads with the standard library (``server.engine.grammar.forms``).

Rerun with ``python -m training forms`` after upgrading lemminflect; the tables are data, not
code, and are reviewed like any other shipped file.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from importlib import resources
from pathlib import Path

from server.engine.grammar.forms import NOUN_FILE, VERB_FILE, VERB_TAGS

log = logging.getLogger(__name__)

#: Where the engine reads its data; the tables are written next to the other shipped files.
DATA_DIR = Path(__file__).resolve().parents[3] / "server" / "engine" / "data"


def _lemmas(pos: str) -> list[str]:
    """Every lemma lemminflect knows for ``pos`` ("verb" or "noun"): the irregular ones from
    its inflection table first (their rows must win ambiguous forms), then the regular ones
    from its lemma table, which is where most verbs and nouns only appear."""
    seen: dict[str, None] = {}
    for name, lemma_col in (("infl_lu.csv.gz", 0), ("lemma_lu.csv.gz", 2)):
        raw = resources.files("lemminflect").joinpath("resources", name).read_bytes()
        for row in csv.reader(io.StringIO(gzip.decompress(raw).decode("utf-8"))):
            if len(row) <= lemma_col or row[1] != pos:
                continue
            for lemma in row[lemma_col].split("/"):
                if lemma.isalpha() and lemma.islower():
                    seen.setdefault(lemma, None)
    return list(seen)


def verb_rows() -> list[tuple[str, ...]]:
    """One row per verb: its forms in ``VERB_TAGS`` order (first spelling of each)."""
    from lemminflect import getAllInflections, getInflection

    rows: list[tuple[str, ...]] = []
    for lemma in _lemmas("verb"):
        if lemma == "be":  # am/are/is/was/were do not fit one row; REPLACE tags handle them
            continue
        infl = getAllInflections(lemma, upos="VERB")
        # Regular verbs list no VBN (it equals VBD); ask the rule-based inflector for gaps.
        forms = [
            lemma if tag == "VB" else (infl.get(tag) or getInflection(lemma, tag) or ("",))[0]
            for tag in VERB_TAGS
        ]
        if all(f and f.isalpha() for f in forms):
            rows.append(tuple(forms))
    return rows


def noun_rows() -> list[tuple[str, str]]:
    """``(singular, plural)`` for every countable noun whose plural differs from it."""
    from lemminflect import getAllInflections, getInflection

    rows: list[tuple[str, str]] = []
    for lemma in _lemmas("noun"):
        infl = getAllInflections(lemma, upos="NOUN").get("NNS")
        plural = (infl or getInflection(lemma, "NNS") or ("",))[0]
        if plural and plural != lemma and plural.isalpha():
            rows.append((lemma, plural))
    return rows


def write_tables(out_dir: Path = DATA_DIR) -> tuple[Path, Path]:
    """Write both tables (deterministic bytes: gzip mtime 0) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    verbs, nouns = verb_rows(), noun_rows()
    paths = (out_dir / VERB_FILE, out_dir / NOUN_FILE)
    header_v = (
        "# " + "\t".join(VERB_TAGS) + "  (built from lemminflect by training/grammar/data/forms.py)"
    )
    header_n = "# NN\tNNS  (built from lemminflect by training/grammar/data/forms.py)"
    for path, header, rows in (
        (paths[0], header_v, verbs),
        (paths[1], header_n, nouns),
    ):
        body = "\n".join([header, *("\t".join(r) for r in rows)]) + "\n"
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(body.encode("utf-8"))
        log.info("wrote %s (%d rows)", path, len(rows))
    return paths
