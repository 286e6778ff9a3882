"""The model-free half of code completion: context windows, stop rules, tidying, reuse."""

from __future__ import annotations

from collections.abc import Callable

from server.engine.completion import (
    CompletionContext,
    Generation,
    LastSuggestion,
    StopRule,
    complete_text,
    context_at,
    neighbour_snippets,
    stop_rule,
    tidy,
)


def test_context_splits_at_the_cursor_and_clamps() -> None:
    text = "def f(x):\n    return x\n"
    ctx = context_at(text, text.index("return"))
    assert ctx.prefix == "def f(x):\n    " and ctx.suffix == "return x\n"
    assert ctx.indent == "    " and ctx.line_prefix == "    " and ctx.line_suffix == "return x"
    past_end = context_at(text, 10_000)
    assert past_end.prefix == text and past_end.suffix == ""
    assert context_at(text, -5).prefix == ""


def test_context_normalises_crlf_even_with_the_cursor_inside_a_line_break() -> None:
    text = "a = 1\r\nb = 2\r\n"
    ctx = context_at(text, text.index("\n"))  # between \r and \n
    assert ctx.prefix == "a = 1\n" and ctx.suffix == "b = 2\n"


def test_huge_files_are_windowed_at_whole_lines() -> None:
    lines = [f"x{i} = {i}" for i in range(5000)]
    text = "\n".join(lines)
    offset = text.index("x2500 =")
    ctx = context_at(text, offset, max_prefix_chars=200, max_suffix_chars=100)
    assert len(ctx.prefix) <= 200 and ctx.prefix.startswith("x") and ctx.prefix.endswith("\n")
    assert len(ctx.suffix) <= 100 and ctx.suffix.startswith("x2500 = 2500\n")
    assert ctx.suffix.endswith("\n")


def test_a_long_cursor_line_is_kept_whole() -> None:
    text = "a\n" + "y" * 500
    ctx = context_at(text, len(text), max_prefix_chars=100)
    assert ctx.prefix == "y" * 500


def test_single_line_stops_at_the_end_of_the_line() -> None:
    rule = StopRule(multiline=False)
    assert rule("return x") is None
    assert rule("return x\n    y = 2") == len("return x")
    assert rule("\n    y = 2") == 0  # at the start of a line: a line break ends it empty


def test_single_line_after_a_complete_line_suggests_the_next_line() -> None:
    rule = StopRule(multiline=False, at_line_start=False)
    assert rule("\n    return x") is None
    assert rule("\n    return x\n") == len("\n    return x")


def test_multiline_stops_at_a_blank_line_or_a_dedent() -> None:
    rule = StopRule(multiline=True, indent="    ")
    block = "x = 1\n    y = 2\n"
    assert rule(block) is None  # the last line may still grow
    assert rule(block + "\n    z") == len(block) - 1  # blank line
    assert rule("x = 1\n    y = 2\nz = 3\n") == len("x = 1\n    y = 2")  # dedent
    assert rule("x = 1\n        deeper\n    same") is None


def test_stop_rule_reads_the_cursor_line() -> None:
    ctx = CompletionContext("class A:\n    def f(self):\n        ", "")
    rule = stop_rule(ctx, multiline=True)
    assert rule.indent == "        " and rule.at_line_start


def test_tidy_drops_what_the_line_already_has() -> None:
    ctx = CompletionContext("print(", ")\n")
    assert tidy("x)  ", ctx) == "x"
    assert tidy("   \n", ctx) == ""
    assert tidy("a, b", CompletionContext("f(", "")) == "a, b"
    assert tidy("    return x", CompletionContext("def f():\n    ", "")) == "return x"


def test_last_suggestion_is_reused_while_typing_matches_it() -> None:
    last = LastSuggestion()
    last.remember(CompletionContext("x = ", "\n"), "compute(a, b)")
    assert last.reuse(CompletionContext("x = com", "\n")) == "pute(a, b)"
    assert last.reuse(CompletionContext("x = cat", "\n")) is None  # typed something else
    assert last.reuse(CompletionContext("x = com", "\ny")) is None  # the suffix changed
    # The same request again: the same answer, unless other open files changed.
    assert last.reuse(CompletionContext("x = ", "\n")) == "compute(a, b)"
    assert last.reuse(CompletionContext("x = ", "\n", ("import os\n",))) is None


class Scripted:
    """A generator that writes a fixed text token by token, honouring stop and cancel."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.contexts: list[CompletionContext] = []

    def complete(
        self,
        context: CompletionContext,
        *,
        max_new_tokens: int,
        stop: Callable[[str], int | None],
        deadline: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        fim: bool = True,
    ) -> Generation:
        self.contexts.append(context)
        out = ""
        for n, ch in enumerate(self.text[:max_new_tokens]):
            if cancelled is not None and cancelled():
                return Generation(out, "cancelled", n)
            out += ch
            cut = stop(out)
            if cut is not None:
                return Generation(out[:cut], "stop", n + 1)
        return Generation(out, "length", len(out))


def test_complete_text_runs_the_whole_path() -> None:
    gen = Scripted("turn x  \n    y = 1\n")
    text = "def f(x):\n    re\n"
    suggestion, generation = complete_text(gen, text, text.index("re") + 2)
    assert suggestion == "turn x" and generation.reason == "stop"
    assert gen.contexts[0].suffix == "\n"
    multi, _ = complete_text(
        Scripted("a = 1\n    b = 2\n\nc"), "def f():\n    ", 13, multiline=True
    )
    assert multi == "a = 1\n    b = 2"


def test_neighbour_snippets_take_whole_lines_from_the_start_of_each_file() -> None:
    a = "import os\r\nimport sys\r\n\r\ndef main():\r\n    pass\r\n"
    b = "\n\n   \n"
    c = "x" * 50 + "\n" + "y" * 50 + "\n"
    snippets = neighbour_snippets([a, b, c], per_file=60, total=100)
    assert snippets[0] == "import os\nimport sys\n\ndef main():\n    pass\n"  # CRLF normalised
    assert snippets[1] == "x" * 50 + "\n"  # blank file skipped; cut at a line end
    assert sum(map(len, snippets)) <= 100
    assert neighbour_snippets(["z" * 500], per_file=60) == ()  # no whole line fits
    assert context_at("x = 1", 5, neighbours=[a]).neighbours == neighbour_snippets([a])
