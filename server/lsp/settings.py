"""Quill's settings: camelCase on the wire, a typed tree inside, a default for every key.

Settings arrive as ``initializationOptions`` and in ``workspace/didChangeConfiguration``
(section ``quill``), nested (``{"spelling": {"enabled": false}}``) or dotted
(``{"spelling.enabled": false}``). A value of the wrong type or out of range is reported and
the default (or the previous value) is kept, so one typo in a settings file never switches
Quill off.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from ..engine.extract import canonical_language, supported_languages

SEVERITIES = ("error", "warning", "information", "hint")
DIALECTS = ("en-US", "en-GB")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class SpellingSettings:
    #: Check spelling at all.
    enabled: bool = True
    #: ``en-US`` or ``en-GB``: which spellings are right, and which are flagged as the other's.
    dialect: str = "en-US"
    #: Extra words to accept (case-insensitive), on top of the dictionaries.
    words: tuple[str, ...] = ()
    #: Regular expressions; text they match is never checked.
    ignore_patterns: tuple[str, ...] = ()
    #: Accept words that the workspace's files use widely (project names, domain terms).
    learn_project_words: bool = True
    #: How many files must use an unknown word before it counts as the project's vocabulary.
    project_word_min_files: int = 3


@dataclass(frozen=True)
class GrammarSettings:
    #: Check grammar in prose, comments and docstrings with the grammar model.
    enabled: bool = True
    #: Hide corrections the model is less sure of than this (0 to 1); unset: the threshold
    #: tuned for the model, recorded in its card.
    min_confidence: float | None = None


@dataclass(frozen=True)
class ModelsSettings:
    #: Directory of the grammar model (empty: the shipped ``models/grammar-minilm``).
    grammar: str = ""


@dataclass(frozen=True)
class SeveritySettings:
    spelling: str = "information"
    grammar: str = "warning"


@dataclass(frozen=True)
class DiagnosticsSettings:
    #: Wait this long after the last edit before checking (0 = check at once).
    debounce_ms: int = 250
    severity: SeveritySettings = field(default_factory=SeveritySettings)


@dataclass(frozen=True)
class Settings:
    spelling: SpellingSettings = field(default_factory=SpellingSettings)
    grammar: GrammarSettings = field(default_factory=GrammarSettings)
    models: ModelsSettings = field(default_factory=ModelsSettings)
    #: Where models run: ``auto`` (CUDA when onnxruntime-gpu and a GPU are present), ``cpu``,
    #: ``cuda``.
    device: str = "auto"
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    #: Language ids to check (LSP ids such as ``markdown``, ``python``); empty = all supported.
    languages: tuple[str, ...] = ()
    #: Documents larger than this many bytes (UTF-8) are not checked.
    max_file_size: int = 2_000_000

    def checks_language(self, language_id: str) -> bool:
        lang = canonical_language(language_id)
        if not self.languages:
            return lang in supported_languages()
        return lang in {canonical_language(x) for x in self.languages}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _validate(path: str, value: Any, current: Any, hint: Any) -> tuple[Any, str | None]:
    """Check one leaf value against its annotation and the few range rules we have."""
    if hint is bool:
        if isinstance(value, bool):
            return value, None
        return current, f"{path}: expected true or false, got {value!r}"
    if hint in (float, float | None, typing.Optional[float]):  # noqa: UP045 (both spellings)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            return current, f"{path}: expected a number from 0 to 1, got {value!r}"
        return float(value), None
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            return current, f"{path}: expected a whole number, got {value!r}"
        if value < 0:
            return current, f"{path}: must not be negative, got {value!r}"
        return int(value), None
    if hint is str:
        if not isinstance(value, str):
            return current, f"{path}: expected a string, got {value!r}"
        if path.endswith("dialect") and value not in DIALECTS:
            return current, f"{path}: expected one of {', '.join(DIALECTS)}, got {value!r}"
        if path == "device" and value not in DEVICES:
            return current, f"{path}: expected one of {', '.join(DEVICES)}, got {value!r}"
        if ".severity." in path and value not in SEVERITIES:
            return current, f"{path}: expected one of {', '.join(SEVERITIES)}, got {value!r}"
        return value, None
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return current, f"{path}: expected a list of strings, got {value!r}"
        if path.endswith("ignorePatterns"):
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    return current, f"{path}: {pattern!r} is not a valid regular expression ({exc})"
        return tuple(value), None
    return current, f"{path}: unsupported setting"


def _merge(obj: Any, raw: dict[str, Any], prefix: str, problems: list[str]) -> Any:
    hints = typing.get_type_hints(type(obj))
    by_camel = {_camel(f.name): f.name for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{prefix}{key}"
        name = by_camel.get(key) or (key if key in hints else None) or by_camel.get(_camel(key))
        if name is None and _snake(key) in hints:
            name = _snake(key)
        if name is None:
            problems.append(f"{path}: unknown setting")
            continue
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(f"{path}: expected an object, got {value!r}")
                continue
            changes[name] = _merge(current, value, f"{path}.", problems)
            continue
        if value is None:
            continue
        new, problem = _validate(path, value, current, hints[name])
        if problem:
            problems.append(problem)
        changes[name] = new
    return dataclasses.replace(obj, **changes)


def _nest(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn dotted keys (``spelling.enabled``) into nested objects."""
    nested: dict[str, Any] = {}
    for key, value in raw.items():
        parts = key.split(".") if isinstance(key, str) else [str(key)]
        node = nested
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        last = parts[-1]
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            node[last].update(_nest(value))
        else:
            node[last] = _nest(value) if isinstance(value, dict) else value
    return nested


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's JSON value, and the problems found (one line each).

    ``raw`` may be the ``quill`` section itself or an object holding it under ``quill``.
    Invalid values keep the value from ``base`` (the defaults when ``base`` is None).
    """
    base = base or Settings()
    if raw is None:
        return base, []
    if not isinstance(raw, dict):
        return base, [f"quill settings: expected an object, got {type(raw).__name__}"]
    if isinstance(raw.get("quill"), dict):
        raw = raw["quill"]
    problems: list[str] = []
    settings = _merge(base, _nest(raw), "", problems)
    return settings, problems
