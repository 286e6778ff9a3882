"""Per-language tree-sitter queries and settings for the code extractor.

Every grammar names its nodes differently, so this module maps each one to the same handful of
capture names, which :mod:`server.engine.extract.code` turns into regions:

``comment``
    A whole comment node (line or block).
``content``
    A node that *is* the text of a string (``string_content``, ``string_fragment``...). Escape
    sequences may be its children; they are cut out through ``cut``.
``wrap``
    A string node that has no content child (shell ``'...'``, ``$'...'``, ``"..."``, heredoc
    bodies): its text minus the quotes is the content. See :data:`WRAP_PREFIX`.
``jsx``
    JSX text between tags: content, trimmed of the layout whitespace around it.
``cut``
    Escape sequences and interpolations: never part of a string region, so ``"Hello\\nWorld"``
    gives ``Hello`` and ``World`` and never the non-word ``nWorld``.
``skip``
    A string that is not prose (an import path, a Go struct tag, ``#include "x.h"``, a regular
    expression passed to ``re``): none of its content becomes a region.
``doc``
    A Python docstring (the whole ``string`` node).
``ident`` / ``private``
    An identifier node; ``private`` ones (``#field`` in JavaScript) lose their ``#``.

Queries are plain data so that they can be compiled lazily, once per grammar, and so that a new
language is a new entry here rather than new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Grammar key for each LSP language id (JSX is part of the JavaScript grammar; TSX is not).
GRAMMAR_OF: dict[str, str] = {
    "python": "python",
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "go": "go",
    "rust": "rust",
    "java": "java",
    "c": "c",
    "cpp": "cpp",
    "shellscript": "bash",
}

#: How many characters open a ``wrap`` string, by node type (the closing quote is one character).
WRAP_PREFIX: dict[str, int] = {
    "string": 1,
    "raw_string": 1,
    "ansi_c_string": 2,
    "heredoc_body": 0,
}


def load_grammar(grammar: str) -> object:
    """The grammar's ``TSLanguage`` pointer, imported only when the grammar is first used."""
    if grammar == "python":
        import tree_sitter_python as m_py

        return m_py.language()
    if grammar == "javascript":
        import tree_sitter_javascript as m_js

        return m_js.language()
    if grammar in ("typescript", "tsx"):
        import tree_sitter_typescript as m_ts

        return m_ts.language_tsx() if grammar == "tsx" else m_ts.language_typescript()
    if grammar == "go":
        import tree_sitter_go as m_go

        return m_go.language()
    if grammar == "rust":
        import tree_sitter_rust as m_rs

        return m_rs.language()
    if grammar == "java":
        import tree_sitter_java as m_java

        return m_java.language()
    if grammar == "c":
        import tree_sitter_c as m_c

        return m_c.language()
    if grammar == "cpp":
        import tree_sitter_cpp as m_cpp

        return m_cpp.language()
    if grammar == "bash":
        import tree_sitter_bash as m_sh

        return m_sh.language()
    raise KeyError(grammar)


# --- Directive comments --------------------------------------------------------------------------
# Comments addressed to tools rather than readers. Their "words" are rule names and options, so
# they would only ever produce false alarms. Patterns match from the comment's first character.

_MODELINE = r"(?:.*?-\*-.*-\*-|\s*vim?:\s|\s*ex:\s|\s*(?:cspell|spell-?checker|codespell)\s*:)"

#: ``#`` comments, one hash segment at a time: a directive after the text keeps the text.
_HASH_DIRECTIVE = re.compile(
    r"#\s*(?:type:|noqa\b|nosec\b|pragma:|pylint:|mypy:|pyright:|pyre-\w+|flake8[:\s]|isort:"
    r"|fmt:\s*(?:on|off|skip)\b|ruff:|yapf:|pytype:|pycodestyle:|black:|coding[:=]|-\*-|vim?:\s"
    r"|ex:\s|shellcheck\s|cspell\s*:|spell-?checker\s*:|codespell\s*:)[^#]*"
)

_JS_DIRECTIVE = re.compile(
    r"(?://|/\*+)\s*(?:eslint(?:-disable|-enable|-env)?(?:-next-line|-line)?(?:\s|\*/|$)"
    r"|global\s|globals\s|exported\s|jshint\s|jslint\s|@ts-(?:ignore|expect-error|nocheck|check)\b"
    r"|prettier-ignore\b|istanbul\s+ignore\b|[cv]8\s+ignore\b|@flow\b|@jsx\w*\b|@vite-ignore\b"
    r"|webpack\w+\s*:|biome-ignore|deno-(?:lint|fmt)-ignore|tslint:|[#@]\s*source(?:Mapping)?URL="
    r"|[#@]__\w+__|@license\s*$)"
    r"|///\s*<(?:reference|amd-module|amd-dependency)\b"
    r"|" + _MODELINE,
    re.DOTALL,
)

_GO_DIRECTIVE = re.compile(
    r"//(?:go:|line |export |extern |cgo |nolint|lint:|#nosec|nosec\b)"
    r"|//\s*(?:\+build\s|nolint\b|lint:ignore|#nosec)|(?://|/\*)" + _MODELINE
)

_RUST_DIRECTIVE = re.compile(
    r"(?://|/\*)\s*(?:rustfmt::|compile-flags:|ignore-tidy|@ts-)|(?://|/\*)" + _MODELINE
)

_JAVA_DIRECTIVE = re.compile(
    r"(?://|/\*+)\s*(?:CHECKSTYLE\s*[:.]|checkstyle:|NOPMD\b|NOSONAR\b|noinspection\b|\$NON-NLS"
    r"|@formatter:|language=)|(?://|/\*)" + _MODELINE
)

_C_DIRECTIVE = re.compile(
    r"(?://|/\*+)\s*(?:NOLINT\w*|clang-format\s+(?:on|off)|IWYU\s+pragma|LINTED|NOTREACHED"
    r"|FALLTHR(?:OUGH|U)|[Ff]all(?:s|\s)?[- ]?[Tt]hr(?:ough|u)\b\s*(?:\*/)?$|cppcheck-suppress"
    r"|coverity\[|NOSONAR\b|\$NON-NLS)|(?://|/\*)" + _MODELINE
)


@dataclass(frozen=True, slots=True)
class GrammarSpec:
    """What the extractor needs to know about one grammar besides its query."""

    #: ``#`` comments (Python, shell) rather than ``//`` and ``/* */``.
    hash_comments: bool
    #: Directive comments to skip (matched at the comment's start; for ``#`` comments, at each
    #: ``#`` segment).
    directive: re.Pattern[str]
    #: JSDoc / Javadoc / Doxygen tags (``@param name``, ``{@code x}``, ``\\p name``) are holes.
    doc_tags: bool = False
    #: Go doc comments mark code by indenting it with a tab (``//\\tcode``).
    tab_indented_code: bool = False
    #: Backslash escapes are not nodes in this grammar (shell): cut them out with a regex.
    regex_escapes: bool = False
    #: Identifier captures may be digits only (shell ``$1``) or take in a space (shell
    #: ``"$ done"`` gives the variable name `` done``): keep only their word, if it has a letter.
    filter_identifiers: bool = False
    #: What must be masked in the bytes handed to the parser (see :data:`BASH_UNSAFE`).
    unsafe: re.Pattern[str] | None = None


#: tree-sitter-bash 0.25's scanner calls the C ``isdigit`` on the character after ``{`` and after
#: ``{1..``: a non-ASCII character there is undefined behaviour, and one beyond U+5A7CF or so
#: reads past the ctype table and crashes the process (``{\U000e0000`` does, reliably enough).
#: The extractor parses such a character as ASCII letters of the same UTF-8 length instead,
#: which keeps every byte offset; both are word characters in shell, so the tree is the same
#: but for oddities such as ``${é}`` (then a variable name, whose region is the real ``é``).
BASH_UNSAFE = re.compile(r"(?<=\{)(?:\d*\.\.)?\d*[^\x00-\x7f]")


_JS_COMMON = """
(comment) @comment
(string_fragment) @content
(escape_sequence) @cut
(template_substitution) @cut
(import_statement source: (string) @skip)
(export_statement source: (string) @skip)
(call_expression function: (import) arguments: (arguments (string) @skip))
(call_expression
  function: (identifier) @_fn (#eq? @_fn "require")
  arguments: (arguments . (string) @skip))
[
  (identifier)
  (property_identifier)
  (shorthand_property_identifier)
  (shorthand_property_identifier_pattern)
  (statement_identifier)
] @ident
(private_property_identifier) @private
"""

_JSX = """
(jsx_text) @jsx
(html_character_reference) @cut
"""

_TS = """
(type_identifier) @ident
(import_require_clause source: (string) @skip)
(module name: (string) @skip)
"""

QUERIES: dict[str, str] = {
    "python": """
(comment) @comment
(string_content) @content
(escape_sequence) @cut
(escape_interpolation) @cut
(interpolation) @cut
(module . (comment)* . (expression_statement . (string) @doc .))
(class_definition body: (block . (comment)* . (expression_statement . (string) @doc .)))
(function_definition body: (block . (comment)* . (expression_statement . (string) @doc .)))
(call
  function: (attribute object: (identifier) @_re (#eq? @_re "re"))
  arguments: (argument_list . [(string) (concatenated_string)] @skip))
(identifier) @ident
""",
    "javascript": _JS_COMMON + _JSX,
    "typescript": _JS_COMMON + _TS,
    "tsx": _JS_COMMON + _JSX + _TS,
    "go": """
(comment) @comment
(interpreted_string_literal_content) @content
(raw_string_literal_content) @content
(escape_sequence) @cut
(import_spec path: (_) @skip)
(field_declaration tag: (_) @skip)
[
  (identifier)
  (field_identifier)
  (type_identifier)
  (package_identifier)
  (label_name)
] @ident
""",
    "rust": """
(line_comment) @comment
(block_comment) @comment
(string_content) @content
(escape_sequence) @cut
(extern_modifier (string_literal) @skip)
[
  (identifier)
  (field_identifier)
  (type_identifier)
  (shorthand_field_identifier)
] @ident
""",
    "java": """
(line_comment) @comment
(block_comment) @comment
(string_fragment) @content
(multiline_string_fragment) @content
(escape_sequence) @cut
(string_interpolation) @cut
[
  (identifier)
  (type_identifier)
] @ident
""",
    "c": """
(comment) @comment
(string_content) @content
(escape_sequence) @cut
(preproc_include path: (string_literal) @skip)
[
  (identifier)
  (field_identifier)
  (type_identifier)
  (statement_identifier)
] @ident
""",
    "cpp": """
(comment) @comment
(string_content) @content
(raw_string_content) @content
(escape_sequence) @cut
(preproc_include path: (string_literal) @skip)
(linkage_specification value: (string_literal) @skip)
[
  (identifier)
  (field_identifier)
  (type_identifier)
  (statement_identifier)
  (namespace_identifier)
] @ident
""",
    "bash": """
(comment) @comment
(string) @wrap
(raw_string) @wrap
(ansi_c_string) @wrap
(heredoc_body) @wrap
(simple_expansion) @cut
(expansion) @cut
(command_substitution) @cut
(arithmetic_expansion) @cut
(process_substitution) @cut
(variable_name) @ident
(function_definition name: (word) @ident)
""",
}

SPECS: dict[str, GrammarSpec] = {
    "python": GrammarSpec(hash_comments=True, directive=_HASH_DIRECTIVE),
    "javascript": GrammarSpec(hash_comments=False, directive=_JS_DIRECTIVE, doc_tags=True),
    "typescript": GrammarSpec(hash_comments=False, directive=_JS_DIRECTIVE, doc_tags=True),
    "tsx": GrammarSpec(hash_comments=False, directive=_JS_DIRECTIVE, doc_tags=True),
    "go": GrammarSpec(hash_comments=False, directive=_GO_DIRECTIVE, tab_indented_code=True),
    "rust": GrammarSpec(hash_comments=False, directive=_RUST_DIRECTIVE),
    "java": GrammarSpec(hash_comments=False, directive=_JAVA_DIRECTIVE, doc_tags=True),
    "c": GrammarSpec(hash_comments=False, directive=_C_DIRECTIVE, doc_tags=True),
    "cpp": GrammarSpec(hash_comments=False, directive=_C_DIRECTIVE, doc_tags=True),
    "bash": GrammarSpec(
        hash_comments=True,
        directive=_HASH_DIRECTIVE,
        regex_escapes=True,
        filter_identifiers=True,
        unsafe=BASH_UNSAFE,
    ),
}
