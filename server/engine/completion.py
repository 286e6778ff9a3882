"""Code completion without a model: what the model is shown, when it stops, what is kept.

The model itself sits behind the :class:`Generator` protocol (``server.runtime.onnx_lm``
implements it with onnxruntime); this module stays pure text so it can be tested, and used by
the server, the CLI and the evaluation alike ("evaluate what ships").

* :func:`context_at` cuts the text around the cursor into a prefix and a suffix, each windowed
  at line boundaries so a huge file never reaches the tokenizer whole (the runtime then trims
  to its token budget), and takes the start of other open files of the same language
  (:func:`neighbour_snippets`: imports and top-level definitions, which a short file lacks);
  the runtime fills only prompt room the file itself leaves unused with them.
* :class:`StopRule` ends a generation: at the end of the line for a single-line suggestion;
  for a multi-line one, at a blank line or at a line indented less than the cursor's line (the
  block is over). Both are applied to the decoded text while it grows.
* :func:`tidy` drops what the editor already has: indentation on an indented line, trailing
  whitespace, and the rest of the
  cursor's line when the suggestion ends by repeating it (``foo(|)`` suggesting ``x)``).
* :class:`LastSuggestion` reuses a suggestion while the user types characters that match it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

#: Characters of context around the cursor before the runtime's token budget applies
#: (about 4 characters per token for code; generous so the token budget decides).
DEFAULT_PREFIX_CHARS = 8000
DEFAULT_SUFFIX_CHARS = 2000
#: Characters taken from the start of each other open document, and from all of them.
NEIGHBOUR_CHARS = 1200
MAX_NEIGHBOUR_CHARS = 3000
_LEADING_BREAKS = re.compile(r"[\r\n]*")


@dataclass(frozen=True)
class CompletionContext:
    """The text around the cursor: ``prefix`` (before it) and ``suffix`` (after it)."""

    prefix: str
    suffix: str
    #: The starts of other open files of the language, most recently edited first.
    neighbours: tuple[str, ...] = ()

    @property
    def line_prefix(self) -> str:
        """The cursor's line up to the cursor."""
        return self.prefix.rsplit("\n", 1)[-1]

    @property
    def line_suffix(self) -> str:
        """The cursor's line after the cursor."""
        return self.suffix.split("\n", 1)[0]

    @property
    def indent(self) -> str:
        """Leading whitespace of the cursor's line (what a multi-line block must keep)."""
        line = self.line_prefix
        return line[: len(line) - len(line.lstrip(" \t"))]


def neighbour_snippets(
    texts: Sequence[str],
    per_file: int = NEIGHBOUR_CHARS,
    total: int = MAX_NEIGHBOUR_CHARS,
) -> tuple[str, ...]:
    """The start of each text (most relevant first), cut at a line end within ``per_file``
    characters, until ``total`` characters are used; blank texts are skipped."""
    out: list[str] = []
    used = 0
    for text in texts:
        room = min(per_file, total - used)
        if room <= 0:
            break
        # Only the start is used: normalise that, not a whole (maybe huge) file per request.
        # Twice the room is more than room characters however many CRLFs shrink to LFs.
        start = _LEADING_BREAKS.match(text).end()  # type: ignore[union-attr]
        whole = len(text) - start <= 2 * room + 1
        text = text[start : start + 2 * room + 1].replace("\r\n", "\n").replace("\r", "\n")
        if whole:
            text = text.rstrip("\n")
            if not text.strip():
                continue
        if len(text) > room:
            cut = text.rfind("\n", 0, room)
            if cut <= 0:
                continue  # not even one whole line fits
            text = text[:cut]
        out.append(text + "\n")
        used += len(text) + 1
    return tuple(out)


def context_at(
    text: str,
    offset: int,
    max_prefix_chars: int = DEFAULT_PREFIX_CHARS,
    max_suffix_chars: int = DEFAULT_SUFFIX_CHARS,
    neighbours: Sequence[str] = (),
) -> CompletionContext:
    """Prefix and suffix around ``offset`` (clamped into the text), windowed at whole lines
    (the cursor's own line is always kept whole, however long), and the starts of the
    ``neighbours`` (other open files' texts, most recently edited first)."""
    offset = max(0, min(offset, len(text)))
    prefix, suffix = text[:offset], text[offset:]
    if prefix.endswith("\r") and suffix.startswith("\n"):
        suffix = suffix[1:]  # the cursor between \r and \n: the line break counts once
    prefix = prefix.replace("\r\n", "\n").replace("\r", "\n")
    suffix = suffix.replace("\r\n", "\n").replace("\r", "\n")
    if len(prefix) > max_prefix_chars:
        cut = prefix.find("\n", len(prefix) - max_prefix_chars)
        line_start = prefix.rfind("\n") + 1
        prefix = prefix[cut + 1 :] if 0 <= cut < line_start else prefix[line_start:]
    if len(suffix) > max_suffix_chars:
        cut = suffix.rfind("\n", 0, max_suffix_chars)
        line_end = suffix.find("\n")
        suffix = suffix[: cut + 1] if cut >= max(line_end, 0) else suffix[: max(line_end, 0)]
    return CompletionContext(prefix, suffix, neighbour_snippets(neighbours))


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


@dataclass(frozen=True)
class StopRule:
    """Where a growing suggestion ends (an index into it), or None to go on generating."""

    multiline: bool
    #: The cursor line's indentation (multi-line: a line indented less ends the block).
    indent: str = ""
    #: The cursor's line has nothing before the cursor but whitespace.
    at_line_start: bool = True

    def __call__(self, text: str) -> int | None:
        if not self.multiline:
            first = text.find("\n")
            # At the end of a non-blank line the model often starts with a line break: the
            # suggestion is then the next line (a single line still), not nothing. On a line
            # with nothing before the cursor, a line break means the line stays as it is.
            if self.at_line_start:
                return first if first >= 0 else None
            if first == 0 or (first > 0 and not text[:first].strip()):
                second = text.find("\n", first + 1)
                return second if second >= 0 else None
            return first if first >= 0 else None
        lines = text.split("\n")
        # The last line may still be growing: judge only complete lines (all but the last).
        offset = len(lines[0]) + 1
        for line in lines[1:-1]:
            if not line.strip():
                return offset - 1  # a blank line ends the block
            if len(_indent_of(line)) < len(self.indent):
                return offset - 1  # a dedent: the block is over
            offset += len(line) + 1
        return None


def stop_rule(context: CompletionContext, multiline: bool) -> StopRule:
    return StopRule(
        multiline=multiline,
        indent=context.indent,
        at_line_start=not context.line_prefix.strip(),
    )


def tidy(suggestion: str, context: CompletionContext) -> str:
    """The suggestion as the editor should insert it (see the module docstring)."""
    text = suggestion.rstrip()
    if context.line_prefix and not context.line_prefix.strip():
        text = text.lstrip(" \t")  # the line is already indented: do not indent it twice
    rest = context.line_suffix.strip()
    if rest and "\n" not in text and text.endswith(rest):
        text = text[: -len(rest)].rstrip()
    if not text.strip():
        return ""
    return text


@dataclass(frozen=True)
class Generation:
    """What a generator produced: the text (already cut by the stop rule) and why it ended."""

    text: str
    #: ``stop`` (the stop rule), ``eos`` (the model ended), ``length`` (max tokens),
    #: ``time`` (the time budget), ``cancelled`` (a newer request), ``empty`` (no prompt).
    reason: str
    tokens: int = 0
    prompt_tokens: int = 0
    #: Prompt tokens whose keys and values came from the cache of the previous generation.
    reused_tokens: int = 0
    seconds: float = 0.0


class Generator(Protocol):
    """A causal language model that continues code (``server.runtime.onnx_lm.OnnxLM``)."""

    def complete(
        self,
        context: CompletionContext,
        *,
        max_new_tokens: int,
        stop: Callable[[str], int | None],
        deadline: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        fim: bool = True,
    ) -> Generation: ...


@dataclass
class LastSuggestion:
    """The last suggestion made for one document, reused while the user types into it: if the
    new prefix is the old prefix plus characters that start the suggestion, the rest of the
    suggestion is still right and no generation is needed. The same request again (same
    text around the cursor, same other files) gets the same answer: editors re-ask at one
    place (Neovim's omnifunc after an automatic request, VS Code's inline and item providers),
    and a second generation could differ from the first in the last bits of a float."""

    prefix: str = ""
    suffix: str = ""
    neighbours: tuple[str, ...] = ()
    text: str = ""

    def remember(self, context: CompletionContext, text: str) -> None:
        self.prefix, self.suffix, self.text = context.prefix, context.suffix, text
        self.neighbours = context.neighbours

    def reuse(self, context: CompletionContext) -> str | None:
        if not self.text or not context.prefix.startswith(self.prefix):
            return None
        if context.suffix != self.suffix:
            return None
        typed = context.prefix[len(self.prefix) :]
        if not typed:
            return self.text if context.neighbours == self.neighbours else None
        if not self.text.startswith(typed) or len(typed) >= len(self.text):
            return None
        return self.text[len(typed) :]


def complete_text(
    generator: Generator,
    text: str,
    offset: int,
    *,
    max_new_tokens: int = 64,
    multiline: bool = False,
    deadline: float | None = None,
    cancelled: Callable[[], bool] | None = None,
    fim: bool = True,
    neighbours: Sequence[str] = (),
) -> tuple[str, Generation]:
    """The suggestion at ``offset`` of ``text`` (empty when there is none) and the raw
    generation: the whole path from text to suggestion that the server, the CLI and the
    evaluation share. ``neighbours``: other open files of the language, most recent first."""
    context = context_at(text, offset, neighbours=neighbours)
    generation = generator.complete(
        context,
        max_new_tokens=max_new_tokens,
        stop=stop_rule(context, multiline),
        deadline=deadline,
        cancelled=cancelled,
        fim=fim,
    )
    return tidy(generation.text, context), generation
