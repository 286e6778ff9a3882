"""Verb forms and noun numbers for the ``$TRANSFORM_VERB_*`` / ``$TRANSFORM_AGREEMENT_*`` tags.

GECToR turns "go" into "goes" with one tag (``$TRANSFORM_VERB_VB_VBZ``) instead of one
``$REPLACE_goes`` per verb, so a small label set covers every verb. Applying such a tag needs the
word's other forms; they come from two tables built once from lemminflect by the training package
(``python -m training forms``) and shipped in ``server/engine/data/``, so the engine needs no
NLP library at run time.

A form can belong to several verbs ("lay": the base of *lay* and the past of *lie*). The table
is in lemminflect's order and the first row that has the word in the ``FROM`` slot wins; tag
alignment (``tags.align``) only emits a transform after checking that applying it gives the
intended word, so training data and run time always agree.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from importlib import resources

#: The verb-form columns of ``verb_forms.tsv.gz`` (Penn Treebank tags; VBP is VB's spelling,
#: except for "be", which the table leaves out).
VERB_TAGS: tuple[str, ...] = ("VB", "VBZ", "VBD", "VBN", "VBG")
VERB_FILE = "verb_forms.tsv.gz"
NOUN_FILE = "noun_forms.tsv.gz"


@dataclass(frozen=True, slots=True)
class Forms:
    """Lookup tables: ``verbs[(word, tag)]`` is the row of forms where ``word`` has ``tag``."""

    verbs: dict[tuple[str, str], tuple[str, ...]]
    #: Every verb tag a word can have (for alignment's candidate search).
    verb_tags: dict[str, tuple[str, ...]]
    plural_of: dict[str, str]
    singular_of: dict[str, str]

    def verb(self, word: str, from_tag: str, to_tag: str) -> str | None:
        """``word`` (lower case) read as ``from_tag`` and turned into ``to_tag``, if known."""
        row = self.verbs.get((word, from_tag))
        if row is None:
            return None
        return row[VERB_TAGS.index(to_tag)]


_lock = threading.Lock()
_cache: list[Forms] = []


def _read(name: str) -> list[list[str]]:
    raw = resources.files("server.engine").joinpath("data", name).read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def load_forms() -> Forms:
    """The shipped tables, read once per process (about 30 ms) and shared."""
    with _lock:
        if _cache:
            return _cache[0]
        verbs: dict[tuple[str, str], tuple[str, ...]] = {}
        tags: dict[str, list[str]] = {}
        for row in _read(VERB_FILE):
            forms = tuple(row)
            for tag, form in zip(VERB_TAGS, forms, strict=True):
                if (form, tag) not in verbs:
                    verbs[form, tag] = forms
                    tags.setdefault(form, []).append(tag)
        plural_of: dict[str, str] = {}
        singular_of: dict[str, str] = {}
        for singular, plural in _read(NOUN_FILE):
            plural_of.setdefault(singular, plural)
            singular_of.setdefault(plural, singular)
        forms_obj = Forms(verbs, {w: tuple(t) for w, t in tags.items()}, plural_of, singular_of)
        _cache.append(forms_obj)
        return forms_obj
