"""The tree-sitter extractor: text in, regions out, for every supported language.

Each language gets a small realistic snippet whose regions are asserted exactly, so that a
grammar upgrade that renames a node (and silently drops a kind of region) fails here. Property
tests then throw random text at every grammar, and edit sequences check that the incremental
path (re-using the previous parse) gives what a fresh extraction gives.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tree_sitter import QueryCursor, Tree

from server.engine.extract import code as code_module
from server.engine.extract import extract_regions
from server.engine.extract.code import LANGUAGES, clear_cache, extract_code
from server.engine.extract.code_queries import GRAMMAR_OF
from server.engine.types import Region, RegionKind

COMMENT, DOCSTRING, STRING, IDENTIFIER = (
    RegionKind.COMMENT,
    RegionKind.DOCSTRING,
    RegionKind.STRING,
    RegionKind.IDENTIFIER,
)


def texts(text: str, lang: str, kind: RegionKind) -> list[str]:
    return [text[r.start : r.end] for r in extract_code(text, lang) if r.kind is kind]


def holes(text: str, lang: str, kind: RegionKind) -> list[list[str]]:
    return [[text[a:b] for a, b in r.holes] for r in extract_code(text, lang) if r.kind is kind]


def check_invariants(text: str, regions: list[Region]) -> None:
    last = 0
    for r in regions:
        assert 0 <= r.start < r.end <= len(text), r
        assert r.start >= last, f"overlap or disorder at {r}"
        last = r.end
        inner = r.start
        for a, b in r.holes:
            assert inner <= a < b <= r.end, f"bad hole {(a, b)} in {r}"
            inner = b
        if r.kind is IDENTIFIER:
            # One token: no blank, quote, bracket or separator. (Grammars differ on exotic
            # Unicode: JavaScript takes U+0085 as an identifier character, Python as a space.)
            assert re.fullmatch(r"[^ \t\r\n\"'`(){}\[\];,]+", text[r.start : r.end]), r


# --- Python --------------------------------------------------------------------------------------

PYTHON = '''#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Tools for greeting people.

Use :func:`greet` with a ``name``::

    greet("Ann")

>>> greet("Bob")
'Hello, Bob!'

See https://example.com/docs for more.
"""
import re  # noqa: F401

GREETING = "Hello"


def greet(name: str) -> str:  # type: ignore[misc]
    """Return a greeting for *name*.

    :param name: the person's name
    :type name: str
    """
    # Build the message from `GREETING`.
    return f"{GREETING}, {name}!\\tWelcome"
'''


def test_python_docstrings() -> None:
    assert texts(PYTHON, "python", DOCSTRING) == [
        "Tools for greeting people.\n\nUse :func:`greet` with a ``name``::\n\n"
        '    greet("Ann")\n\n>>> greet("Bob")\n\'Hello, Bob!\'\n\n'
        "See https://example.com/docs for more.\n",
        "Return a greeting for *name*.\n\n    :param name: the person's name\n"
        "    :type name: str\n    ",
    ]
    assert holes(PYTHON, "python", DOCSTRING) == [
        [
            ":func:`greet`",
            "``name``",
            'greet("Ann")',
            '>>> greet("Bob")',
            "'Hello, Bob!'",
            "https://example.com/docs",
        ],
        [":param name:", ":type name: str"],
    ]


def test_python_comments_skip_directives_shebang_and_coding() -> None:
    assert texts(PYTHON, "python", COMMENT) == ["Build the message from `GREETING`."]
    assert holes(PYTHON, "python", COMMENT) == [["`GREETING`"]]


def test_python_strings_split_at_escapes_and_interpolations() -> None:
    # ", " and "!" have no letter; "\t" is cut out, so the tab's "t" never glues to "Welcome".
    assert texts(PYTHON, "python", STRING) == ["Hello", "Welcome"]
    text = 'x = f"Hello {name}, welcome\\nWorld {{not}} {n:>{width}} done"\n'
    assert texts(text, "python", STRING) == ["Hello ", ", welcome", "World ", "not", " done"]
    assert texts(text, "python", IDENTIFIER) == ["x", "name", "n", "width"]


def test_python_identifiers() -> None:
    assert texts(PYTHON, "python", IDENTIFIER) == [
        "re",
        "GREETING",
        "greet",
        "name",
        "str",
        "str",
        "GREETING",
        "name",
    ]


def test_python_docstring_kinds() -> None:
    text = (
        "class Shape:\n"
        "    # a comment before the docstring\n"
        '    """A shape."""\n'
        "\n"
        "    def area(self):\n"
        "        x = 1\n"
        '        """Not a docstring."""\n'
        "\n"
        "async def f():\n"
        '    f"""Not a docstring {x} either."""\n'
        '    r"""Raw second string."""\n'
    )
    assert texts(text, "python", DOCSTRING) == ["A shape."]
    assert texts(text, "python", STRING) == [
        "Not a docstring.",
        "Not a docstring ",
        " either.",
        "Raw second string.",
    ]


def test_python_docstring_holes_in_detail() -> None:
    doc = '''def f(a, b):
    """Summary line.

    Args:
        a (int): the first value
        b: the second value

    Returns:
        int: the sum

    Parameters
    ----------
    a : int
        Described here.

    .. code-block:: python

        f(1, 2)

    .. note:: A short note.

    ```
    fenced(code)
    ```

    Text with `code` and \\n escape.
    """
'''
    assert holes(doc, "python", DOCSTRING) == [
        [
            "a (int):",
            "b:",
            "int:",
            "a : int",
            ".. code-block:: python",
            "f(1, 2)",
            ".. note::",
            "```",
            "fenced(code)",
            "```",
            "`code`",
            "\\n",
        ]
    ]


def test_python_skips_regex_arguments() -> None:
    text = 'import re\nPAT = re.compile(r"[a-z]+ words")\nMSG = "real words"\n'
    assert texts(text, "python", STRING) == ["real words"]


# --- JavaScript / JSX ----------------------------------------------------------------------------

JAVASCRIPT = """// @ts-check
import { readFile } from "node:fs/promises";
const path = require("path");

/**
 * Load the user's configuration from {@link CONFIG_PATH}.
 * @param {string} name - the configuration name
 * @returns {Promise<Object>} the parsed configuration
 * @example
 *   const cfg = await loadConfig("default");
 */
export async function loadConfig(name) {
  // eslint-disable-next-line no-console
  const file = path.join(__dirname, `${name}.json`);
  const text = await readFile(file, "utf8");
  if (!text) throw new Error(`Config "${name}" is empty\\n`);
  return JSON.parse(text); /* parsed */
}

class Greeter {
  #greeting = 'Hello';
  greet(who) { return `${this.#greeting}, ${who}!`; }
}
const pattern = /[a-z]+words/gi;
"""


def test_javascript() -> None:
    assert texts(JAVASCRIPT, "javascript", COMMENT) == [
        "Load the user's configuration from {@link CONFIG_PATH}.\n"
        " * @param {string} name - the configuration name\n"
        " * @returns {Promise<Object>} the parsed configuration",
        "parsed",
    ]
    assert holes(JAVASCRIPT, "javascript", COMMENT) == [
        ["{@link CONFIG_PATH}", "@param {string} name", "@returns {Promise<Object>}"],
        [],
    ]
    # Import paths and require() arguments are skipped; the regex literal is not a string.
    assert texts(JAVASCRIPT, "javascript", STRING) == [
        ".json",
        "utf8",
        'Config "',
        '" is empty',
        "Hello",
    ]
    assert texts(JAVASCRIPT, "javascript", IDENTIFIER) == [
        "readFile",
        "path",
        "require",
        "loadConfig",
        "name",
        "file",
        "path",
        "join",
        "__dirname",
        "name",
        "text",
        "readFile",
        "file",
        "text",
        "Error",
        "name",
        "JSON",
        "parse",
        "text",
        "Greeter",
        "greeting",
        "greet",
        "who",
        "greeting",
        "who",
        "pattern",
    ]


JSX = """import React from "react";
// The welcome banner.
export function Banner({ user }) {
  return (
    <div className="banner wide">
      Welcome back, {user.name}! &nbsp; Enjoy your stay.
      {/* a comment inside JSX */}
    </div>
  );
}
"""


def test_jsx() -> None:
    assert texts(JSX, "javascriptreact", COMMENT) == [
        "The welcome banner.",
        "a comment inside JSX",
    ]
    assert texts(JSX, "javascriptreact", STRING) == [
        "banner wide",
        "Welcome back,",
        "Enjoy your stay.",
    ]
    assert texts(JSX, "javascriptreact", IDENTIFIER) == [
        "React",
        "Banner",
        "user",
        "div",
        "className",
        "user",
        "name",
        "div",
    ]


# --- TypeScript / TSX ----------------------------------------------------------------------------

TYPESCRIPT = """import type { Request } from "express";
/** A user record. */
interface User { id: number; displayName: string }
type Status = "active" | "disabled";
// @ts-ignore
function describe(user: User, status: Status): string {
  return `User ${user.displayName} is ${status}.`;
}
enum Color { Red = "RED", Green = "GREEN" }
"""


def test_typescript() -> None:
    assert texts(TYPESCRIPT, "typescript", COMMENT) == ["A user record."]
    assert texts(TYPESCRIPT, "typescript", STRING) == [
        "active",
        "disabled",
        "User ",
        " is ",
        "RED",
        "GREEN",
    ]
    assert texts(TYPESCRIPT, "typescript", IDENTIFIER) == [
        "Request",
        "User",
        "id",
        "displayName",
        "Status",
        "describe",
        "user",
        "User",
        "status",
        "Status",
        "user",
        "displayName",
        "status",
        "Color",
        "Red",
        "Green",
    ]


TSX = """import * as React from "react";
type Props = { title: string };
/** Renders a titled card. */
export const Card: React.FC<Props> = ({ title }) => (
  <section aria-label="card">
    <h2>{title}</h2>
    <p>Some descriptive text here.</p>
  </section>
);
"""


def test_tsx() -> None:
    assert texts(TSX, "typescriptreact", COMMENT) == ["Renders a titled card."]
    assert texts(TSX, "typescriptreact", STRING) == ["card", "Some descriptive text here."]
    assert texts(TSX, "typescriptreact", IDENTIFIER) == [
        "React",
        "Props",
        "title",
        "Card",
        "React",
        "FC",
        "Props",
        "title",
        "section",
        "aria-label",
        "h2",
        "title",
        "h2",
        "p",
        "p",
        "section",
    ]


# --- Go ------------------------------------------------------------------------------------------

GO = """//go:build linux

// Package server implements the `quill` server.
//
//\tgo run ./cmd/quill
package server

import (
\t"fmt"
\t"strings"
)

// Config holds the settings.
type Config struct {
\tName string `json:"name"`
}

func greet(c Config) string {
\tmsg := fmt.Sprintf("Hello, %s!\\nBye", c.Name) //nolint:errcheck
\traw := `raw string text`
\treturn strings.TrimSpace(msg + raw)
}
"""


def test_go() -> None:
    # //go:build, //nolint and the tab-indented code line of the doc comment give nothing.
    assert texts(GO, "go", COMMENT) == [
        "Package server implements the `quill` server.",
        "Config holds the settings.",
    ]
    assert holes(GO, "go", COMMENT) == [["`quill`"], []]
    # Import paths and struct tags are skipped.
    assert texts(GO, "go", STRING) == ["Hello, %s!", "Bye", "raw string text"]
    assert texts(GO, "go", IDENTIFIER) == [
        "server",
        "Config",
        "Name",
        "string",
        "greet",
        "c",
        "Config",
        "string",
        "msg",
        "fmt",
        "Sprintf",
        "c",
        "Name",
        "raw",
        "strings",
        "TrimSpace",
        "msg",
        "raw",
    ]


# --- Rust ----------------------------------------------------------------------------------------

RUST = """//! Utilities for greeting people.

use std::fmt;

/// Greets a [`Person`] by name.
///
/// ```
/// let p = Person::new("Ann");
/// ```
/// Returns the greeting.
pub struct Person { name: String }

impl Person {
    pub fn greet(&self) -> String {
        // Build the greeting.
        format!("Hello, {}\\nBye", self.name)
    }
}
fn raw() -> &'static str { r#"a "raw" string"# }
"""


def test_rust() -> None:
    # The fenced example spans three line comments: none of its lines is a region.
    assert texts(RUST, "rust", COMMENT) == [
        "Utilities for greeting people.",
        "Greets a [`Person`] by name.",
        "Returns the greeting.",
        "Build the greeting.",
    ]
    assert holes(RUST, "rust", COMMENT)[1] == ["`Person`"]
    assert texts(RUST, "rust", STRING) == ["Hello, {}", "Bye", 'a "raw" string']
    assert texts(RUST, "rust", IDENTIFIER) == [
        "std",
        "fmt",
        "Person",
        "name",
        "String",
        "Person",
        "greet",
        "String",
        "format",
        "name",
        "raw",
        "static",
    ]


# --- Java ----------------------------------------------------------------------------------------

JAVA = '''package com.example.quill;

import java.util.List;

/**
 * Checks the spelling of {@code String} values.
 * <p>Uses a <b>dictionary</b>.
 * @param <T> the value type
 * @throws IllegalStateException when not loaded
 */
public class Checker<T> {
    // The words we know.
    private final List<String> words = List.of("alpha", "beta\\tgamma");
    private static final String BLOCK = """
        A text block with prose.
        """;

    public boolean check(String word) {
        outer: for (String w : words) { if (w.equals(word)) { return true; } }
        return false; /* not found */
    }
}
'''


def test_java() -> None:
    assert texts(JAVA, "java", COMMENT) == [
        "Checks the spelling of {@code String} values.\n * <p>Uses a <b>dictionary</b>.\n"
        " * @param <T> the value type\n * @throws IllegalStateException when not loaded",
        "The words we know.",
        "not found",
    ]
    assert holes(JAVA, "java", COMMENT)[0] == [
        "{@code String}",
        "<p>",
        "<b>",
        "</b>",
        "@param <T>",
        "@throws IllegalStateException",
    ]
    assert texts(JAVA, "java", STRING) == [
        "alpha",
        "beta",
        "gamma",
        "\n        A text block with prose.\n        ",
    ]
    assert texts(JAVA, "java", IDENTIFIER) == [
        "com",
        "example",
        "quill",
        "java",
        "util",
        "List",
        "Checker",
        "T",
        "List",
        "String",
        "words",
        "List",
        "of",
        "String",
        "BLOCK",
        "check",
        "String",
        "word",
        "outer",
        "String",
        "w",
        "words",
        "w",
        "equals",
        "word",
    ]


# --- C / C++ -------------------------------------------------------------------------------------

C = """#include "quill.h"
#include <stdio.h>
#pragma once

/* Print a greeting to standard output. */
static int greet(const char *name) {
    // NOLINTNEXTLINE(cert-err33-c)
    printf("Hello, %s!\\nBye", name);
    char buffer[] = "a char array";
    char c = 'x';
    return 0;
}
"""


def test_c() -> None:
    assert texts(C, "c", COMMENT) == ["Print a greeting to standard output."]
    # The #include path is not a string; a char literal is not one either.
    assert texts(C, "c", STRING) == ["Hello, %s!", "Bye", "a char array"]
    assert texts(C, "c", IDENTIFIER) == ["greet", "name", "printf", "name", "buffer", "c"]


CPP = """#include "quill.hpp"
#include <vector>

namespace quill {
/// \\brief Counts the \\p words in a line.
/// \\param line the input line
template <typename T>
int countWords(const std::string &line) {
    auto raw = R"(raw "text" here)";
    std::vector<T> items;  // temporary storage
    return static_cast<int>(line.size());
}
}  // namespace quill
extern "C" int entry();
"""


def test_cpp() -> None:
    assert texts(CPP, "cpp", COMMENT) == [
        "Counts the \\p words in a line.",
        "the input line",
        "temporary storage",
        "namespace quill",
    ]
    assert holes(CPP, "cpp", COMMENT)[:2] == [["\\p words"], []]
    assert texts(CPP, "cpp", STRING) == ['raw "text" here']
    assert texts(CPP, "cpp", IDENTIFIER) == [
        "quill",
        "T",
        "countWords",
        "std",
        "string",
        "line",
        "raw",
        "std",
        "vector",
        "T",
        "items",
        "static_cast",
        "line",
        "size",
        "entry",
    ]


# --- Shell ---------------------------------------------------------------------------------------

SHELL = """#!/usr/bin/env bash
# shellcheck disable=SC2086
# Deploy the application.
set -euo pipefail

deploy() {
  local target="$1"
  echo "Deploying to ${target} at $(date)\\n done"
  echo 'single quoted words' $'ansi\\tescaped'
}

for server in alpha beta; do
  deploy "$server"
done

cat <<EOF > notes.txt
Dear $USER, the deployment finished.
EOF
"""


def test_shell() -> None:
    assert texts(SHELL, "shellscript", COMMENT) == ["Deploy the application."]
    assert texts(SHELL, "shellscript", STRING) == [
        "Deploying to ",
        " at ",
        " done",
        "single quoted words",
        "ansi",
        "escaped",
        "Dear ",
        ", the deployment finished.\n",
    ]
    # Variables and function names; not command names, arguments or $1.
    assert texts(SHELL, "shellscript", IDENTIFIER) == [
        "deploy",
        "target",
        "target",
        "server",
        "server",
        "USER",
    ]
    # The grammar makes `` done`` the variable name of ``$ done``: only its word is kept.
    assert texts('echo "$ done"\n', "shellscript", IDENTIFIER) == ["done"]


def test_shell_masks_what_crashes_the_grammar() -> None:
    """tree-sitter-bash calls C ``isdigit`` on the character after ``{``: a far non-ASCII one
    there used to crash the process. It runs in a child process so that a regression fails this
    test instead of killing the test run."""
    script = (
        "from server.engine.extract.code import extract_code, clear_cache\n"
        "for i in range(300):\n"
        "    clear_cache()\n"
        "    for t in ('{\\U000e0000', '{\\U0010fffd x', 'echo {1..\\U000f0000}',"
        " '{\\U000fded2'):\n"
        "        extract_code(t * (1 + i % 3), 'shellscript')\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
    # Offsets are those of the real text: the masked character is still in the string.
    text = 'msg="{\U000e0000 yum {\u00e9t\u00e9}"\n'
    assert texts(text, "shellscript", STRING) == ["{\U000e0000 yum {\u00e9t\u00e9}"]


# --- All languages -------------------------------------------------------------------------------

SAMPLES: dict[str, str] = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "javascriptreact": JSX,
    "typescript": TYPESCRIPT,
    "typescriptreact": TSX,
    "go": GO,
    "rust": RUST,
    "java": JAVA,
    "c": C,
    "cpp": CPP,
    "shellscript": SHELL,
}

#: A line comment and a string literal with an emoji before a word, per language.
EMOJI: dict[str, tuple[str, str, str]] = {
    # (code, the comment's text, the string's text)
    "python": ('s = "😋 yum"  # 😋 tasty\n', "😋 tasty", "😋 yum"),
    "javascript": ('const s = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "javascriptreact": ('const s = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "typescript": ('const s: string = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "typescriptreact": ('const s = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "go": ('package p\n\nvar s = "😋 yum" // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "rust": ('const S: &str = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "java": ('class A { String s = "😋 yum"; } // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "c": ('const char *s = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "cpp": ('const char *s = "😋 yum"; // 😋 tasty\n', "😋 tasty", "😋 yum"),
    "shellscript": ('s="😋 yum"  # 😋 tasty\n', "😋 tasty", "😋 yum"),
}


def test_every_language_is_covered() -> None:
    assert set(SAMPLES) == set(LANGUAGES) == set(EMOJI)


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_invariants_on_samples(lang: str) -> None:
    text = SAMPLES[lang]
    regions = extract_code(text, lang)
    check_invariants(text, regions)
    assert {r.kind for r in regions} >= {COMMENT, STRING, IDENTIFIER}
    assert extract_regions(text, lang) == regions  # the registry calls this extractor


@pytest.mark.parametrize("lang", sorted(EMOJI))
def test_emoji_offsets_are_code_points(lang: str) -> None:
    code, comment, string = EMOJI[lang]
    text = "é😋 = 1\n" if lang == "python" else ""
    text += "\n" + code  # something non-ASCII before, too
    assert texts(text, lang, COMMENT)[-1] == comment
    assert texts(text, lang, STRING)[-1] == string
    ident = texts(text, lang, IDENTIFIER)[-1]
    assert ident == "s" or (lang == "rust" and ident == "S")


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_crlf_line_endings(lang: str) -> None:
    lf = SAMPLES[lang]
    crlf = lf.replace("\n", "\r\n")
    got = extract_code(crlf, lang)
    check_invariants(crlf, got)
    want = extract_code(lf, lang)
    # The same regions, one code point further per line break before them; no "\r" at the end
    # of a comment.
    assert [r.kind for r in got] == [r.kind for r in want]
    for g, w in zip(got, want, strict=True):
        assert crlf[g.start : g.end].replace("\r\n", "\n") == lf[w.start : w.end]
        if g.kind is COMMENT:
            assert not crlf[g.start : g.end].endswith("\r")


def test_crlf_docstring_literal_block() -> None:
    text = 'def f():\r\n    """Run it::\r\n\r\n        f()\r\n\r\n    Done.\r\n    """\r\n'
    assert holes(text, "python", DOCSTRING) == [["f()"]]


SYNTAX_ERRORS: dict[str, str] = {
    "python": "def broken(:\n    # still a comment\n    x = = 1\n",
    "javascript": "function (( {\n  // still a comment\n  let = ;\n",
    "javascriptreact": "const x = (\n  // still a comment\n  <div>{ ;\n",
    "typescript": "interface {\n  // still a comment\n  x: = ;\n",
    "typescriptreact": "const x: = <p>{\n// still a comment\n",
    "go": "func (( {\n\t// still a comment\n\tx := := 1\n",
    "rust": "fn broken( {\n    // still a comment\n    let = ;\n",
    "java": "class { void ( {\n  // still a comment\n  int = ;\n",
    "c": "int broken( {\n  // still a comment\n  int = ;\n",
    "cpp": "int broken( {\n  // still a comment\n  int = ;\n",
    "shellscript": "deploy() {\n  # still a comment\n  ) )\n",
}


@pytest.mark.parametrize("lang", sorted(SYNTAX_ERRORS))
def test_syntax_errors_still_give_comments(lang: str) -> None:
    text = SYNTAX_ERRORS[lang]
    regions = extract_code(text, lang)
    check_invariants(text, regions)
    assert texts(text, lang, COMMENT) == ["still a comment"]


def test_empty_and_unknown() -> None:
    assert extract_code("", "python") == []
    assert extract_code("   \n", "rust") == []
    assert extract_code("x = 1", "cobol") == []


def test_returned_list_is_a_copy() -> None:
    text = "x = 1  # a comment\n"
    first = extract_code(text, "python")
    first.clear()
    assert len(extract_code(text, "python")) == 2


# --- Directive comments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("python", "x = 1  # type: ignore[assignment]\n"),
        ("python", "import os  # noqa: F401\n"),
        ("python", "# pylint: disable=invalid-name\n"),
        ("python", "# fmt: off\n"),
        ("python", "# vim: set ft=python:\n"),
        ("javascript", "// eslint-disable-next-line no-console\n"),
        ("javascript", "/* eslint-disable */\n"),
        ("typescript", "// @ts-expect-error\n"),
        ("typescript", '/// <reference path="globals.d.ts" />\n'),
        ("go", "//go:generate stringer -type=Pill\n"),
        ("go", "// +build linux\n"),
        ("java", "// CHECKSTYLE:OFF\n"),
        ("c", "/* NOTREACHED */\n"),
        ("cpp", "// clang-format off\n"),
        ("shellscript", "# shellcheck source=lib.sh\n"),
    ],
)
def test_directive_comments_give_no_region(lang: str, text: str) -> None:
    assert texts(text, lang, COMMENT) == []


def test_trailing_directive_is_cut_from_the_comment() -> None:
    text = "x = compute()  # the answer  # type: ignore\n"
    assert texts(text, "python", COMMENT) == ["the answer"]


def test_comment_code_spans_fences_and_urls() -> None:
    text = (
        "// See https://example.com/a_b?c=d, then run `make all`.\n"
        "x = 1;\n"
        "/*\n"
        " * Usage:\n"
        " * ```\n"
        " * quill --check file\n"
        " * ```\n"
        " */\n"
    )
    assert texts(text, "javascript", COMMENT) == [
        "See https://example.com/a_b?c=d, then run `make all`.",
        "Usage:",
    ]
    assert holes(text, "javascript", COMMENT)[0] == ["https://example.com/a_b?c=d", "`make all`"]


# --- Property tests ------------------------------------------------------------------------------

_PIECES = [
    "\n",
    "\r\n",
    " ",
    "\t",
    "😋",
    "é",
    "\\",
    "\\n",
    '"',
    "'",
    "`",
    '"""',
    "#",
    "//",
    "/*",
    "*/",
    "/**",
    "///",
    "{",
    "}",
    "${",
    "$",
    "(",
    ")",
    "<",
    ">",
    "<<EOF\n",
    "EOF\n",
    ">>> ",
    "::",
    "``",
    "@param ",
    "word",
    "x",
    "def ",
    "fn ",
    "func ",
    "class ",
    "int ",
    "=",
    ";",
    ":",
    "\ud7ff",
    "\U0001f600\u200d",
]
_noisy_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40).map("".join),
)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_noisy_text)
def test_random_text_never_raises(lang: str, text: str) -> None:
    regions = extract_code(text, lang)
    check_invariants(text, regions)
    for r in regions:
        # Code-point offsets: the region's text is exactly the slice, and so are the holes.
        assert text[r.start : r.end] == "".join(text[i] for i in range(r.start, r.end))
    if lang != "shellscript":  # (shell keeps only the word of a variable name)
        # Every identifier is the text of an identifier node, which tree-sitter gives in bytes:
        # a wrong byte -> code point conversion would cut a character or shift the region.
        found = Counter(text[r.start : r.end] for r in regions if r.kind is IDENTIFIER)
        assert not found - _identifier_nodes(text, lang)


def _identifier_nodes(text: str, lang: str) -> Counter[str]:
    """The texts of the identifier nodes of a fresh parse, decoded from tree-sitter's bytes."""
    g = code_module._grammar(GRAMMAR_OF[lang])
    raw = text.encode("utf-8", "surrogatepass")
    caps = QueryCursor(g.query).captures(g.parser.parse(raw).root_node)
    nodes = [*caps.get("ident", []), *caps.get("private", [])]
    return Counter(
        raw[n.start_byte : n.end_byte].decode("utf-8", "surrogatepass").lstrip("#") for n in nodes
    )


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_of_a_sample(lang: str, data: st.DataObject) -> None:
    """Editing a remembered text (the incremental path) never raises or breaks an invariant."""
    text = SAMPLES[lang] * 3
    extract_code(text, lang)
    for _ in range(4):
        pos = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 10))
        insert = data.draw(_noisy_text)
        text = text[:pos] + insert + text[pos + cut :]
        check_invariants(text, extract_code(text, lang))


def _fresh(text: str, lang: str) -> list[Region]:
    """What a fresh parse gives, leaving the remembered parses alone (so edits chain)."""
    g = code_module._grammar(GRAMMAR_OF[lang])
    data = code_module._masked(text, text.encode("utf-8", "surrogatepass"), g.spec)
    return code_module._regions(g, text, data, g.parser.parse(data), 0, len(data))


def _trees_agree(text: str, lang: str) -> bool:
    """Whether the remembered (incremental) tree is the one a fresh parse gives.

    After some edits in error recovery tree-sitter's incremental parse legitimately differs
    from a fresh one; the regions can then differ too, and that is not the extractor's doing.
    """
    g = code_module._grammar(GRAMMAR_OF[lang])
    incremental = g.recent[-1].tree
    fresh = g.parser.parse(code_module._masked(text, text.encode("utf-8", "surrogatepass"), g.spec))

    def dump(tree: Tree) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        cursor = tree.walk()
        while True:
            node = cursor.node
            assert node is not None
            out.append((node.type, node.start_byte, node.end_byte))
            if cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return out

    return dump(incremental) == dump(fresh)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_incremental_matches_fresh(lang: str, data: st.DataObject) -> None:
    """A chain of edits, each extracted incrementally from the previous one."""
    text = SAMPLES[lang] * 4
    clear_cache()
    extract_code(text, lang)
    for _ in range(3):
        pos = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 6))
        insert = data.draw(_noisy_text)
        text = text[:pos] + insert + text[pos + cut :]
        got = extract_code(text, lang)
        assume(_trees_agree(text, lang))
        assert got == _fresh(text, lang)


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_typing_session_matches_fresh(lang: str) -> None:
    """Type and delete words in comments, strings and code, one character at a time."""
    rnd = random.Random(lang)
    text = SAMPLES[lang] * 6
    clear_cache()
    extract_code(text, lang)
    for _ in range(6):
        # Somewhere after a letter, so that the edit extends a word.
        pos = rnd.choice([m.end() for m in re.finditer(r"[A-Za-z]", text)])
        word = rnd.choice(["docs", "Value", "x9", "ünïcode"])
        for i in range(1, len(word) + 1):
            edited = text[:pos] + word[:i] + text[pos:]
            assert extract_code(edited, lang) == _fresh(edited, lang), (lang, pos, word[:i])
        assert extract_code(text, lang) == _fresh(text, lang)


def test_new_function_before_a_docstring_is_reparsed() -> None:
    text = 'def f():\n    """Doc."""\n    return 1\n' * 50
    extract_code(text, "python")
    edited = text.replace('    """Doc."""\n', '    x = 1\n    """Doc."""\n', 1)
    assert texts(edited, "python", DOCSTRING).count("Doc.") == 49
    assert texts(edited, "python", STRING)[0] == "Doc."


@pytest.mark.parametrize("where", [0, 1, 25, 49])
def test_deleting_text_drops_its_regions(where: int) -> None:
    block = 'def f{}():\n    """Doc {}."""\n    # note {}\n    return "text {}"\n\n'
    text = "".join(block.format(i, i, i, i) for i in range(50))
    extract_code(text, "python")
    gone = block.format(where, where, where, where)
    edited = text.replace(gone, "")
    got = extract_code(edited, "python")
    assert got == _fresh(edited, "python")
    assert f"Doc {where}." not in [edited[r.start : r.end] for r in got]
    assert len(got) == len(extract_code(text, "python")) - 4


def test_fence_state_carries_across_line_comments_after_an_edit() -> None:
    text = "/// Text.\n/// ```\n/// let a = b;\n/// ```\nfn f() {}\n" * 30
    extract_code(text, "rust")
    edited = text.replace("/// ```\n", "/// \n", 1)  # now the old closing fence opens one
    got = extract_code(edited, "rust")
    assert got == _fresh(edited, "rust")
    assert "let a = b;" in [edited[r.start : r.end] for r in got]


# --- Speed ---------------------------------------------------------------------------------------


def test_large_file_is_fast_enough() -> None:
    """A loose guard against accidental quadratic behaviour (timings are in the report)."""
    text = PYTHON * 120  # about 3,000 lines
    clear_cache()
    start = time.perf_counter()
    regions = extract_code(text, "python")
    elapsed = time.perf_counter() - start
    assert len(regions) > 1000
    assert elapsed < 2.0
    start = time.perf_counter()
    extract_code(text[:5000] + "x" + text[5000:], "python")
    assert time.perf_counter() - start < elapsed + 0.5
