"""Settings: camelCase, nested or dotted, defaults for everything, bad values reported."""

from __future__ import annotations

from server.lsp.settings import Settings, parse_settings


def test_defaults_when_nothing_is_given() -> None:
    settings, problems = parse_settings(None)
    assert settings == Settings()
    assert problems == []
    assert settings.diagnostics.severity.spelling == "information"
    assert settings.max_file_size == 2_000_000


def test_nested_and_dotted_camel_case() -> None:
    raw = {
        "spelling": {"enabled": False, "dialect": "en-GB", "ignorePatterns": ["TODO\\(\\w+\\)"]},
        "diagnostics.debounceMs": 0,
        "diagnostics": {"severity": {"spelling": "warning"}},
        "languages": ["markdown", "python"],
        "maxFileSize": 1000,
    }
    settings, problems = parse_settings({"quill": raw})
    assert problems == []
    assert settings.spelling.enabled is False
    assert settings.spelling.dialect == "en-GB"
    assert settings.spelling.ignore_patterns == ("TODO\\(\\w+\\)",)
    assert settings.diagnostics.debounce_ms == 0
    assert settings.diagnostics.severity.spelling == "warning"
    assert settings.max_file_size == 1000
    assert settings.checks_language("python") and not settings.checks_language("go")


def test_invalid_values_are_reported_and_ignored() -> None:
    raw = {
        "spelling": {
            "enabled": "yes",
            "dialect": "en-AU",
            "ignorePatterns": ["(unclosed"],
            "words": "notalist",
        },
        "diagnostics": {"debounceMs": -5, "severity": {"spelling": "loud"}},
        "maxFileSize": "big",
        "nonsense": 1,
    }
    settings, problems = parse_settings(raw)
    assert settings == Settings()
    joined = "\n".join(problems)
    for key in (
        "spelling.enabled",
        "spelling.dialect",
        "spelling.ignorePatterns",
        "spelling.words",
        "diagnostics.debounceMs",
        "diagnostics.severity.spelling",
        "maxFileSize",
        "nonsense",
    ):
        assert key in joined, key
    assert len(problems) == 8


def test_valid_values_survive_next_to_invalid_ones() -> None:
    settings, problems = parse_settings({"spelling": {"enabled": False, "dialect": 3}})
    assert settings.spelling.enabled is False
    assert settings.spelling.dialect == "en-US"
    assert len(problems) == 1


def test_not_an_object() -> None:
    settings, problems = parse_settings([1, 2])
    assert settings == Settings()
    assert problems


def test_all_languages_by_default() -> None:
    settings = Settings()
    for lang in ("markdown", "python", "gitcommit", "sh", "typescriptreact"):
        assert settings.checks_language(lang), lang
    assert not settings.checks_language("haskell")
