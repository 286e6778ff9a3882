"""The prose extractors: text in, regions (and the words they leave to check) out.

Most tests compare the words each region leaves to the checkers (the region's text with its
holes blanked out), region by region, so they pin both what is skipped and where paragraphs
are split. Offsets are checked directly where they are the point (CRLF, emoji). The property
tests feed random markup soup to every extractor, unguarded, so that a bug shows up as an
exception here rather than as a silent plain-text fallback in the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.engine.extract import extract_regions
from server.engine.extract.commit import commit_regions
from server.engine.extract.latex import latex_regions
from server.engine.extract.markdown import markdown_regions
from server.engine.extract.plaintext import plaintext_regions
from server.engine.extract.prose import (
    extract_commit_message,
    extract_latex,
    extract_markdown,
    extract_plaintext,
    extract_rst,
)
from server.engine.extract.rst import rst_regions
from server.engine.types import Region, RegionKind

Extractor = Callable[[str], list[Region]]

_WORD = re.compile(r"[^\W\d_]+")


def blanked(text: str, region: Region) -> str:
    """The region's text with every hole replaced by spaces (what spelling looks at)."""
    chars = list(text[region.start : region.end])
    for a, b in region.holes:
        for k in range(a, b):
            chars[k - region.start] = " "
    return "".join(chars)


def words(extract: Extractor, text: str) -> list[list[str]]:
    """The words left to check, one list per region."""
    return [_WORD.findall(blanked(text, r)) for r in extract(text)]


def flat(extract: Extractor, text: str) -> list[str]:
    return [w for region in words(extract, text) for w in region]


def spans(extract: Extractor, text: str) -> list[str]:
    """Each region's exact text (holes included)."""
    return [text[r.start : r.end] for r in extract(text)]


def holes(extract: Extractor, text: str) -> list[str]:
    return [text[a:b] for r in extract(text) for a, b in r.holes]


# --- plain text ------------------------------------------------------------------------------


def test_plaintext_paragraphs_split_at_blank_lines() -> None:
    text = "First line\nstill first.\n \t\nSecond one.\n\n\n  Third.  \n"
    assert spans(extract_plaintext, text) == ["First line\nstill first.", "Second one.", "Third."]


def test_plaintext_urls_and_emails_are_holes() -> None:
    text = "See https://example.com/a_b?c=d, or mail someone@example.org (www.example.net)."
    assert flat(extract_plaintext, text) == ["See", "or", "mail"]
    assert holes(extract_plaintext, text) == [
        "https://example.com/a_b?c=d",
        "someone@example.org",
        "www.example.net",
    ]


def test_plaintext_empty_and_blank() -> None:
    assert extract_plaintext("") == []
    assert extract_plaintext("\n\n  \r\n\t") == []
    assert spans(extract_plaintext, "no newline at end") == ["no newline at end"]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_plaintext_line_endings(eol: str) -> None:
    text = f"Hello world{eol}again{eol}{eol}Second para{eol}"
    regions = extract_plaintext(text)
    assert [text[r.start : r.end] for r in regions] == [f"Hello world{eol}again", "Second para"]
    assert regions[1].start == text.index("Second")


def test_plaintext_form_feed_is_not_a_line_break() -> None:
    # str.splitlines would split here; editors do not.
    assert spans(extract_plaintext, "one\x0ctwo\u2028three") == ["one\x0ctwo\u2028three"]


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_paragraphs_and_headings() -> None:
    text = "# Title here #\n\nSome text\nwrapped.\n\n## Second ##\nNext para.\n"
    assert spans(extract_markdown, text) == [
        "Title here",
        "Some text\nwrapped.",
        "Second",
        "Next para.",
    ]


def test_markdown_setext_heading_underline_is_in_no_region() -> None:
    text = "Big title\n=========\n\nSmall title\n---\nText.\n"
    assert spans(extract_markdown, text) == ["Big title", "Small title", "Text."]


def test_markdown_yaml_front_matter() -> None:
    text = "---\ntitle: Ignored words\ntags: [alpha]\n---\nBody text.\n"
    assert words(extract_markdown, text) == [["Body", "text"]]


def test_markdown_toml_front_matter() -> None:
    text = '+++\ntitle = "Ignored"\n+++\n\nBody text.\n'
    assert words(extract_markdown, text) == [["Body", "text"]]


def test_markdown_unclosed_dashes_are_not_front_matter() -> None:
    text = "---\nJust a paragraph after a rule.\n"
    assert words(extract_markdown, text) == [["Just", "a", "paragraph", "after", "a", "rule"]]


def test_markdown_fenced_code_is_skipped() -> None:
    text = (
        'Before.\n\n```python title="x"\nsecrt = 1\n```\n\n~~~~\n```\nnot closed by backticks\n'
        "~~~~~\nAfter.\n"
    )
    assert words(extract_markdown, text) == [["Before"], ["After"]]


def test_markdown_longer_fence_needs_a_closer_as_long() -> None:
    text = "````\n```\ninner\n```\nstill code\n````\nOut.\n"
    assert words(extract_markdown, text) == [["Out"]]


def test_markdown_unterminated_fence_runs_to_the_end() -> None:
    text = "Text.\n\n```\ncode\n\nmore code\n"
    assert words(extract_markdown, text) == [["Text"]]


def test_markdown_fence_interrupts_a_paragraph() -> None:
    text = "Intro:\n```\ncode\n```\nOutro.\n"
    assert words(extract_markdown, text) == [["Intro"], ["Outro"]]


def test_markdown_indented_code_block() -> None:
    text = "Para.\n\n    indented code\n    more code\n\nAfter.\n"
    assert words(extract_markdown, text) == [["Para"], ["After"]]


def test_markdown_indented_line_continues_a_paragraph() -> None:
    text = "Para starts\n    and continues.\n"
    assert words(extract_markdown, text) == [["Para", "starts", "and", "continues"]]


def test_markdown_code_spans_are_holes() -> None:
    text = "Use `foo_bar` or ``a ` tick`` here, but a lone ` stays.\n"
    assert flat(extract_markdown, text) == ["Use", "or", "here", "but", "a", "lone", "stays"]
    assert holes(extract_markdown, text) == ["`foo_bar`", "``a ` tick``"]


def test_markdown_link_text_checked_target_hole() -> None:
    text = 'See [the docs](https://ex.com/a_(b) "Title words") and ![alt words](img.png).\n'
    assert flat(extract_markdown, text) == ["See", "the", "docs", "and", "alt", "words"]
    assert holes(extract_markdown, text) == ['](https://ex.com/a_(b) "Title words")', "](img.png)"]


def test_markdown_reference_links_and_definitions() -> None:
    text = "A [full][refid] and [collapsed][] and [shortcut].\n\n[refid]: https://x.org 'Tt'\n"
    assert words(extract_markdown, text) == [["A", "full", "and", "collapsed", "and", "shortcut"]]


def test_markdown_multiline_link_definitions() -> None:
    text = (
        "[foo]:\n  https://ex.com/a_b\n  'Title words'\n[bar]: <https://x.y> \"T\"\nProse after.\n"
    )
    assert words(extract_markdown, text) == [["Prose", "after"]]


def test_markdown_nested_image_in_link() -> None:
    text = "[![badge alt](https://img/badge.svg)](https://ci/link)\n"
    assert flat(extract_markdown, text) == ["badge", "alt"]


def test_markdown_escaped_brackets_are_text() -> None:
    text = r"Not \[a link\](here) really." + "\n"
    assert flat(extract_markdown, text) == ["Not", "a", "link", "here", "really"]


def test_markdown_footnotes() -> None:
    text = "Claim[^note].\n\n[^note]: The footnote text.\n"
    assert words(extract_markdown, text) == [["Claim"], ["The", "footnote", "text"]]


def test_markdown_html_block_is_skipped() -> None:
    text = '<div align="center">\n  <img src="x.png">\n  text in html\n</div>\n\nAfter.\n'
    assert words(extract_markdown, text) == [["After"]]


def test_markdown_script_and_pre_blocks_run_to_their_end_tag() -> None:
    text = (
        "<script>\nvar wrods = 1;\n\nmore();\n</script>\n"
        "<pre>\nraw text\n\nstill pre\n</pre>\nAfter.\n"
    )
    assert words(extract_markdown, text) == [["After"]]


def test_markdown_html_comment_block_is_skipped() -> None:
    text = "<!-- a comment\n\nwith a blank line -->\nAfter.\n"
    assert words(extract_markdown, text) == [["After"]]


def test_markdown_inline_html_tags_are_holes() -> None:
    text = 'Some <span class="x">styled</span> text<br/> and <!-- hidden note --> end.\n'
    assert flat(extract_markdown, text) == ["Some", "styled", "text", "and", "end"]


def test_markdown_autolinks_and_bare_urls() -> None:
    text = "Go to <https://ex.com/x_y> or <me@ex.com> or https://ex.org/p?q=1. Or www.ex.net!\n"
    assert flat(extract_markdown, text) == ["Go", "to", "or", "or", "Or"]


def test_markdown_math() -> None:
    text = "Inline $\\alpha + beta$ and display $$\\gamma$$ but $5 and $10 stay.\n"
    assert flat(extract_markdown, text) == ["Inline", "and", "display", "but", "and", "stay"]


def test_markdown_display_math_block() -> None:
    text = "Text.\n\n$$\n\\frac{a}{b}\nx = y\n$$\n\nAfter.\n"
    assert words(extract_markdown, text) == [["Text"], ["After"]]


def test_markdown_entities_and_mentions() -> None:
    text = "Fish &amp; chips &#169; thanks @octocat and @org/team-name.\n"
    assert flat(extract_markdown, text) == ["Fish", "chips", "thanks", "and"]


def test_markdown_lists_one_region_per_item() -> None:
    text = "- first item\n  continued\n- second\n\n1. one\n2. two\n   * nested\n"
    assert spans(extract_markdown, text) == [
        "first item\n  continued",
        "second",
        "one",
        "two",
        "nested",
    ]


def test_markdown_task_list_boxes_are_not_words() -> None:
    text = "- [ ] open task\n- [x] done task\n"
    assert spans(extract_markdown, text) == ["open task", "done task"]


def test_markdown_number_inside_paragraph_is_not_a_list() -> None:
    text = "It happened in\n1999. Then again.\n"
    assert len(extract_markdown(text)) == 1


def test_markdown_block_quote_with_lazy_line() -> None:
    text = "> Quoted text\ncontinues lazily\n> and more.\n\n> > Nested.\n"
    assert spans(extract_markdown, text) == [
        "Quoted text\ncontinues lazily\n> and more.",
        "Nested.",
    ]


def test_markdown_code_in_quote_and_list() -> None:
    text = "> ```\n> quoted code\n> ```\n> Quote.\n\n- Item:\n\n      item code\n"
    assert words(extract_markdown, text) == [["Quote"], ["Item"]]


def test_markdown_table_rows() -> None:
    text = (
        "Intro line\n| Name | Value |\n|:-----|------:|\n| `x` | Some text |\nAfter row\n\nNext.\n"
    )
    assert spans(extract_markdown, text) == [
        "Intro line",
        "Name | Value",
        "`x` | Some text",
        "After row",
        "Next.",
    ]
    assert words(extract_markdown, text)[2] == ["Some", "text"]


def test_markdown_thematic_break() -> None:
    text = "Above.\n\n* * *\n\nBelow.\n"
    assert words(extract_markdown, text) == [["Above"], ["Below"]]


def test_markdown_link_spanning_lines() -> None:
    text = "A [link\ntext](\nhttps://x.org) end.\n"
    assert flat(extract_markdown, text) == ["A", "link", "text", "end"]


def test_markdown_crlf_offsets() -> None:
    text = "# Head\r\n\r\nPara `code`\r\nline two\r\n"
    regions = extract_markdown(text)
    assert [(r.start, r.end) for r in regions] == [(2, 6), (10, 31)]
    assert regions[1].holes == ((15, 21),)


def test_markdown_lone_cr_line_endings() -> None:
    text = "Para one\r\rPara two\r```\rcode\r```\r"
    assert spans(extract_markdown, text) == ["Para one", "Para two"]


def test_markdown_emoji_offsets_are_code_points() -> None:
    text = "😀 Smile `x` 👍🏽 and [link 🎉](http://x.y) ok\n"
    (region,) = extract_markdown(text)
    assert region.start == 0
    assert region.holes[0] == (text.index("`"), text.index("`") + 3)
    target = text.index("](")
    assert region.holes[1] == (target, text.index(")") + 1)
    assert blanked(text, region).split() == ["😀", "Smile", "👍🏽", "and", "[link", "🎉", "ok"]


# --- reStructuredText ------------------------------------------------------------------------


def test_rst_section_titles_without_adornment() -> None:
    text = "=====\nTitle\n=====\n\nSection\n-------\n\nBody text.\n\n----\n\nAfter rule.\n"
    assert spans(extract_rst, text) == ["Title", "Section", "Body text.", "After rule."]


def test_rst_inline_literals_and_roles_are_holes() -> None:
    text = "Use ``literal_x`` with :func:`os.path.join` and `target`:ref: or `default`.\n"
    assert flat(extract_rst, text) == ["Use", "with", "and", "or"]
    assert holes(extract_rst, text) == [
        "``literal_x``",
        ":func:`os.path.join`",
        "`target`:ref:",
        "`default`",
    ]


def test_rst_hyperlink_references() -> None:
    text = "See `the docs <https://ex.com/x>`_ and `Named Thing`_ and word_ and `anon <u>`__.\n"
    assert flat(extract_rst, text) == [
        "See",
        "the",
        "docs",
        "and",
        "Named",
        "Thing",
        "and",
        "word",
        "and",
        "anon",
    ]
    assert holes(extract_rst, text) == ["<https://ex.com/x>", "<u>"]


def test_rst_substitutions_and_footnote_references() -> None:
    text = "Version |release| per [1]_ and [#note]_ and [CIT2002]_ done.\n"
    assert flat(extract_rst, text) == ["Version", "per", "and", "and", "done"]


def test_rst_code_directives_are_skipped() -> None:
    text = (
        "Before.\n\n.. code-block:: python\n   :linenos:\n\n   secrt = 1\n\n   more = 2\n\n"
        ".. image:: pic.png\n   :alt: Alt words\n\nAfter.\n"
    )
    assert words(extract_rst, text) == [["Before"], ["After"]]


def test_rst_note_body_is_prose() -> None:
    text = (
        ".. note:: First line of\n   the note.\n\n   Second paragraph.\n\n"
        "   .. code:: sh\n\n      echo skipped\n\n   Back in the note.\n\nOutside.\n"
    )
    assert words(extract_rst, text) == [
        ["First", "line", "of", "the", "note"],
        ["Second", "paragraph"],
        ["Back", "in", "the", "note"],
        ["Outside"],
    ]


def test_rst_admonition_options_are_skipped() -> None:
    text = (
        ".. warning::\n   :class: dangerous\n\n   Body here.\n\n"
        ".. admonition:: Custom title\n   :class: tip\n\n   Text.\n"
    )
    assert words(extract_rst, text) == [["Body", "here"], ["Custom", "title"], ["Text"]]


def test_rst_figure_caption_and_object_descriptions() -> None:
    text = (
        ".. figure:: images/pic_1.png\n   :width: 200px\n\n   The caption.\n\n"
        ".. py:function:: frobnicate(x, y)\n                  defrob(z)\n\n   Describes it.\n"
    )
    assert words(extract_rst, text) == [["The", "caption"], ["Describes", "it"]]


def test_rst_comments_and_targets_are_skipped() -> None:
    text = (
        ".. This is a comment\n   that continues.\n\n.. _label-name: https://ex.com\n\n"
        ".. |name| replace:: replacement text\n\n__ https://anon.ex\n\nText.\n"
    )
    assert words(extract_rst, text) == [["Text"]]


def test_rst_empty_comment_does_not_swallow_a_block_quote() -> None:
    text = "..\n\n   A block quote.\n"
    assert words(extract_rst, text) == [["A", "block", "quote"]]


def test_rst_footnote_text_is_prose() -> None:
    text = ".. [1] The footnote\n   text.\n.. [#auto] Another.\n"
    assert words(extract_rst, text) == [["The", "footnote", "text"], ["Another"]]


def test_rst_literal_blocks() -> None:
    text = (
        "Example::\n\n    literal_code()\n\n  still literal\n\nAfter.\n\n"
        "::\n\n    expanded form\n\nEnd.\n"
    )
    assert words(extract_rst, text) == [["Example"], ["After"], ["End"]]


def test_rst_literal_block_in_list_item() -> None:
    text = "- Item::\n\n      code here\n\n- Next item.\n"
    assert words(extract_rst, text) == [["Item"], ["Next", "item"]]


def test_rst_doctest_blocks() -> None:
    text = "Text.\n\n>>> print('hi')\nhi\n\nMore.\n"
    assert words(extract_rst, text) == [["Text"], ["More"]]


def test_rst_field_lists_skip_names() -> None:
    text = ":param x_val: The value\n    continued.\n:returns: A thing.\n"
    assert words(extract_rst, text) == [["The", "value", "continued"], ["A", "thing"]]


def test_rst_lists_and_definitions() -> None:
    text = "- bullet one\n  wrapped\n- bullet two\n\n#. auto\n(a) paren\n\nTerm\n   Definition.\n"
    assert words(extract_rst, text) == [
        ["bullet", "one", "wrapped"],
        ["bullet", "two"],
        ["auto"],
        ["paren"],
        ["Term"],
        ["Definition"],
    ]


def test_rst_option_lists_line_blocks_and_tables() -> None:
    text = (
        "-v, --verbose  Be loud.\n\n| Line one\n| Line two\n\n+------+------+\n"
        "| cell | more |\n+======+======+\n\n=====  =====\nsimple table\n=====  =====\n"
    )
    assert words(extract_rst, text) == [
        ["Be", "loud"],
        ["Line", "one"],
        ["Line", "two"],
        ["cell", "more"],
        ["simple", "table"],
    ]


def test_rst_enumerators_are_real_numerals() -> None:
    text = "vivid. colours\n\nii. second\n\niv) third\n\nB. fourth\n"
    assert spans(extract_rst, text) == ["vivid. colours", "second", "third", "fourth"]


def test_rst_crlf_and_emoji() -> None:
    text = "Title 🎉\r\n=======\r\n\r\nUse ``x`` now.\r\n"
    regions = extract_rst(text)
    assert [(r.start, r.end) for r in regions] == [(0, 7), (20, 34)]
    assert text[20:34] == "Use ``x`` now."
    assert regions[1].holes == ((24, 29),)


# --- LaTeX -----------------------------------------------------------------------------------


def test_latex_preamble_skipped_title_kept() -> None:
    text = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\title{A \\emph{Fine} Title}\n"
        "\\author{Jane Doe}\n% \\begin{document} in a comment\n\\begin{document}\n\\maketitle\n"
        "Body text.\n\\end{document}\nIgnored after.\n"
    )
    assert words(extract_latex, text) == [["A", "Fine", "Title"], ["Body", "text"]]


def test_latex_commands_are_holes_text_arguments_are_prose() -> None:
    text = "Some \\emph{emphasised} and \\textbf{bold} words\\footnote{A note.} here.\n"
    assert flat(extract_latex, text) == [
        "Some",
        "emphasised",
        "and",
        "bold",
        "words",
        "A",
        "note",
        "here",
    ]
    assert holes(extract_latex, text) == ["\\emph", "\\textbf", "\\footnote"]


def test_latex_unknown_command_and_optional_arguments() -> None:
    text = "Text \\mycmd[opt words]{kept words} end.\n"
    assert flat(extract_latex, text) == ["Text", "kept", "words", "end"]


def test_latex_reference_arguments_are_holes() -> None:
    text = (
        "As shown~\\cite[p.~5]{knuth84,lamport94} and \\citep[see][]{x} in "
        "Section~\\ref{sec:intro} and \\eqref{eq:one}\\label{here}.\n"
    )
    assert flat(extract_latex, text) == ["As", "shown", "and", "in", "Section", "and"]


def test_latex_urls_and_hrefs() -> None:
    text = "Visit \\url{https://ex.com/a_b} or \\href{https://x.org}{the site}.\n"
    assert flat(extract_latex, text) == ["Visit", "or", "the", "site"]


def test_latex_bare_urls_and_addresses() -> None:
    text = "Write to jane@ex.com or see https://ex.org/x_y.\n"
    assert flat(extract_latex, text) == ["Write", "to", "or", "see"]


def test_latex_definitions_and_packages() -> None:
    text = (
        "\\newcommand{\\vect}[1]{\\mathbf{#1} words}\n\\renewcommand\\foo{bar}\n"
        "\\def\\baz#1{qux #1}\n\\usepackage[utf8]{inputenc}\n\\input{chapter_one}\nProse.\n"
    )
    assert flat(extract_latex, text) == ["Prose"]


def test_latex_inline_and_display_math() -> None:
    text = "Let $x + y$ and $$z$$ and \\(a\\) and \\[b\\] and \\$5 cost.\n"
    assert flat(extract_latex, text) == ["Let", "and", "and", "and", "and", "cost"]
    # Math never crosses a paragraph break: an unclosed \( stays text.
    assert words(extract_latex, "A \\( b\n\nc \\) d\n") == [["A", "b"], ["c", "d"]]


def test_latex_math_environments() -> None:
    text = (
        "We have\n\\begin{equation}\n  E = mc^2 \\text{words}\n\\end{equation}\nwhere it holds.\n"
        "\\begin{align*}\n a &= b\n\\end{align*}\n"
    )
    regions = extract_latex(text)
    assert [_WORD.findall(blanked(text, r)) for r in regions] == [
        ["We", "have", "where", "it", "holds"]
    ]


def test_latex_unterminated_math_environment_stops_at_a_blank_line() -> None:
    text = "Being typed \\begin{align} x &= y\n\nNext paragraph.\n"
    assert words(extract_latex, text) == [["Being", "typed"], ["Next", "paragraph"]]


def test_latex_verbatim_environments_are_skipped() -> None:
    text = (
        "Before.\n\\begin{verbatim}\nraw \\emph{text}\n\\end{verbatim}\n"
        "\\begin{lstlisting}[language=Python]\nx = 1\n\\end{lstlisting}\n"
        "\\begin{minted}{python}\ny = 2\n\\end{minted}\n\\begin{comment}\nhidden\n\\end{comment}\n"
        "After \\verb|in_line| \\texttt{mono_space}.\n"
    )
    assert words(extract_latex, text) == [["Before"], ["After"]]


def test_latex_comments() -> None:
    text = "Text % a comment\ncontinues 100\\% here.\n%only comment\n\nNext.\n"
    assert words(extract_latex, text) == [["Text", "continues", "here"], ["Next"]]


def test_latex_sections_items_and_captions() -> None:
    text = (
        "\\section*{Intro Part}\\label{s}\nText.\n\\begin{itemize}\n\\item First.\n"
        "\\item[Term] Second.\n\\end{itemize}\n\\begin{figure}[h]\n\\centering\n"
        "\\includegraphics[width=2cm]{pic.png}\n\\caption[Short]{Long caption.}\n\\end{figure}\n"
    )
    assert spans(extract_latex, text) == [
        "Intro Part",
        "Text.",
        "First.",
        "[Term] Second.",
        "Long caption.",
    ]


def test_latex_tabular_rows() -> None:
    text = (
        "\\begin{tabular}{|l|r|}\n\\hline\nName & Value \\\\\nFoo & Bar \\\\ \\hline\n"
        "Baz & Qux \\tabularnewline\n\\end{tabular}\n"
    )
    assert words(extract_latex, text) == [["Name", "Value"], ["Foo", "Bar"], ["Baz", "Qux"]]


def test_latex_without_document_environment() -> None:
    text = "\\chapter{One}\nChapter text.\n\n\\paragraph{Run-in} heading text.\n"
    assert words(extract_latex, text) == [
        ["One"],
        ["Chapter", "text"],
        ["Run", "in"],
        ["heading", "text"],
    ]


def test_latex_unclosed_dollar_is_text_and_math_stops_at_blank_line() -> None:
    text = "Price $5 here\n\nand $ there.\n"
    assert words(extract_latex, text) == [["Price", "here"], ["and", "there"]]


def test_latex_crlf_offsets() -> None:
    text = "A $x$ b.\r\nc\r\n\r\n\\noindent D \\cite{k}\r\n"
    regions = extract_latex(text)
    # Markup at a region's edge (\noindent) is trimmed; a citation stands for a word: kept.
    assert [(r.start, r.end, r.holes) for r in regions] == [
        (0, 11, ((2, 5),)),
        (25, 35, ((27, 35),)),
    ]


# --- commit messages -------------------------------------------------------------------------


def test_commit_subject_is_its_own_region() -> None:
    text = "Fix the parser\nBody right after.\n\nMore body.\n"
    assert spans(extract_commit_message, text) == [
        "Fix the parser",
        "Body right after.",
        "More body.",
    ]


def test_commit_comments_are_skipped() -> None:
    text = (
        "Subject line\n\nBody.\n# Please enter the commit message for your changes.\n"
        "#\n# On branch main\n"
    )
    assert words(extract_commit_message, text) == [["Subject", "line"], ["Body"]]


def test_commit_scissors_and_diff_are_skipped() -> None:
    text = (
        "Subject\n\nBody.\n# ------------------------ >8 ------------------------\n"
        "# Do not modify or remove the line above.\ndiff --git a/x b/x\n+ added prose\n"
    )
    assert words(extract_commit_message, text) == [["Subject"], ["Body"]]
    assert words(extract_commit_message, "Subject\n\ndiff --git a/f b/f\n+text\n") == [["Subject"]]


def test_commit_trailers_are_skipped() -> None:
    text = (
        "Subject\n\nBody text.\n\nSigned-off-by: Jane Doe <jane@ex.com>\n"
        "Co-authored-by: Bob Builder <bob@ex.com>\nFixes: #123\nReviewed-by: Someone Else\n"
    )
    assert words(extract_commit_message, text) == [["Subject"], ["Body", "text"]]


def test_commit_trailer_like_prose_is_kept() -> None:
    text = "Subject\n\nNote: this sentence is prose.\n"
    assert words(extract_commit_message, text) == [
        ["Subject"],
        ["Note", "this", "sentence", "is", "prose"],
    ]
    # Trailers count only in the last paragraph.
    text = "Subject\n\nSigned-off-by: Jane Doe\n\nClosing words.\n"
    assert words(extract_commit_message, text)[1] == ["Signed", "off", "by", "Jane", "Doe"]


def test_commit_trailers_mixed_with_git_generated_ones() -> None:
    text = "Subject\n\n[ fixed a typo ]\nSigned-off-by: A B <a@b.c>\n"
    assert words(extract_commit_message, text) == [["Subject"], ["fixed", "a", "typo"]]


def test_commit_subject_prefixes_lists_and_code() -> None:
    text = (
        "feat(lexer)!: support the thing\n\n- first change with `code_x`\n- second change\n"
        "  wrapped\n\n    indented log line\n    more log\n\nSee https://ex.com/issue_1.\n"
    )
    assert words(extract_commit_message, text) == [
        ["support", "the", "thing"],
        ["first", "change", "with"],
        ["second", "change", "wrapped"],
        ["See"],
    ]
    assert words(extract_commit_message, "fixup! net/ipv4: fix leak\n") == [["fix", "leak"]]


def test_commit_crlf() -> None:
    text = "Subject here\r\n\r\nBody line\r\n# comment\r\n"
    regions = extract_commit_message(text)
    assert [(r.start, r.end) for r in regions] == [(0, 12), (16, 25)]


def test_commit_empty_and_comment_only() -> None:
    assert extract_commit_message("") == []
    assert extract_commit_message("# only a comment\n#\n") == []
    assert extract_commit_message("\n\n") == []


# --- the registry ----------------------------------------------------------------------------


def test_registry_dispatches_to_the_prose_extractors() -> None:
    text = "`code` words\n"
    assert extract_regions(text, "markdown")[0].holes == ((0, 6),)
    assert extract_regions(text, "plaintext")[0].holes == ()
    assert extract_regions("$x$ y\n", "latex")[0].holes == ((0, 3),)


def test_a_failing_parser_falls_back_to_plain_paragraphs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import server.engine.extract.prose as prose

    def broken(text: str) -> list[Region]:
        raise IndexError("bug")

    monkeypatch.setattr(prose, "markdown_regions", broken)
    text = "One `x` para.\n\nTwo.\n"
    with caplog.at_level("ERROR"):
        assert spans(extract_markdown, text) == ["One `x` para.", "Two."]
    assert "broken failed" in caplog.text


# --- properties ------------------------------------------------------------------------------

_FRAGMENTS = [
    "`",
    "``",
    "```",
    "~~~",
    "[",
    "]",
    "(",
    ")",
    "](",
    "![",
    "$",
    "$$",
    "\\",
    "{",
    "}",
    "%",
    "#",
    "# ",
    ">",
    "> ",
    "- ",
    "* ",
    "1. ",
    "|",
    "---",
    "===",
    "<",
    ">",
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "<a href='x'>",
    ".. ",
    ".. note::",
    ".. code::",
    "::",
    ":role:`",
    "`_",
    "|sub|",
    "[1]_",
    ">>> ",
    "\\begin{",
    "\\end{",
    "equation}",
    "verbatim}",
    "document}",
    "\\section{",
    "\\emph{",
    "\\cite{",
    "\\item ",
    "\\verb|",
    "\\\\",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "http://x.y/",
    "www.a.b",
    "a@b.cd",
    "@u",
    "&amp;",
    "[^1]",
    "[^1]: ",
    "Signed-off-by: A <a@b>",
    "# ------------------------ >8 ------------------------",
    "diff --git ",
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "    ",
    "\t",
    " ",
    " ",
    "word",
    "Word",
    "😀",
    "👍🏽",
    "é",
    "\u2028",
    "\x0c",
    "\x00",
]

_soup = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=60).map(
    "".join
)

_UNGUARDED: list[Extractor] = [
    plaintext_regions,
    markdown_regions,
    rst_regions,
    latex_regions,
    commit_regions,
]
_GUARDED: list[Extractor] = [
    extract_plaintext,
    extract_markdown,
    extract_rst,
    extract_latex,
    extract_commit_message,
]


def _check_invariants(text: str, regions: list[Region]) -> None:
    previous_end = 0
    for r in regions:
        assert r.kind is RegionKind.PROSE
        assert previous_end <= r.start < r.end <= len(text)
        assert not text[r.start].isspace() and not text[r.end - 1].isspace()
        hole_end = r.start
        for a, b in r.holes:
            assert hole_end <= a < b <= r.end
            hole_end = b
        assert _WORD.search(blanked(text, r))
        previous_end = r.end


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_soup)
def test_property_regions_are_well_formed(text: str) -> None:
    for extract in _UNGUARDED:
        _check_invariants(text, extract(text))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_property_arbitrary_unicode(text: str) -> None:
    for extract in _UNGUARDED:
        _check_invariants(text, extract(text))


@settings(max_examples=100, deadline=None)
@given(_soup)
def test_property_guarded_extractors_never_raise(text: str) -> None:
    for extract in _GUARDED:
        _check_invariants(text, extract(text))


@pytest.mark.parametrize("extract", _UNGUARDED, ids=lambda f: f.__name__)
def test_line_ending_style_does_not_change_the_words(extract: Extractor) -> None:
    text = (
        "Subject `x` line\n\nPara one [a](b) $m$ text.\nmore\n\n- item\n\n"
        "Title\n=====\n\n\\emph{Em} words.\n"
    )
    expected = words(extract, text)
    assert words(extract, text.replace("\n", "\r\n")) == expected
    assert words(extract, text.replace("\n", "\r")) == expected


# --- speed -----------------------------------------------------------------------------------


def _markdown_corpus(size: int) -> str:
    block = (
        "# A heading for the section\n\nSome *prose* with `inline code`, a [link](https://ex.com/x)"
        " and an ![image](i.png), plus $x^2$ and <b>html</b> and https://bare.url/path.\n"
        "It wraps onto a second line with &amp; an entity and a footnote[^1].\n\n"
        "- a list item\n- [ ] a task\n  1. nested item\n\n> A quote\n> over two lines.\n\n"
        "```python\ndef f(x):\n    return x\n```\n\n| a | b |\n|---|---|\n| c | d |\n\n"
        "    indented code\n\n<div>\nhtml block\n</div>\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


@pytest.mark.parametrize(
    ("extract", "corpus"),
    [
        (markdown_regions, _markdown_corpus(2_000_000)),
        (markdown_regions, "`a` " * 500_000),
        (markdown_regions, "x ` [ $ < " * 200_000),
        (markdown_regions, "[" * 1_000_000),
        (markdown_regions, "<!-- <? [a](b [c][d <![CDATA[ $$ " * 50_000),
        (rst_regions, "Some ``lit`` and :ref:`x` and ` stray |" * 50_000),
        (rst_regions, "`` x ` |a :r:`" * 100_000),
        (latex_regions, "Text \\emph{a} $x$ \\cite{k} { $ %c\n" * 60_000),
        (latex_regions, "\\( \\[ \\a[ \\cite{ \\verb| $" * 50_000),
        (latex_regions, ("\\cite{ \\newcommand{ " + "word " * 100) * 4_000),
        (latex_regions, "a \\begin{align} x\n\n" * 100_000),
        (commit_regions, "word `x` http://a.b " * 100_000),
    ],
    ids=[
        "markdown-2MB",
        "md-code-spans",
        "md-unclosed",
        "md-brackets",
        "md-unclosed-html",
        "rst",
        "rst-unclosed",
        "latex",
        "latex-unclosed",
        "latex-unclosed-groups",
        "latex-unclosed-env",
        "commit",
    ],
)
def test_large_and_broken_inputs(extract: Extractor, corpus: str) -> None:
    """Big, unclosed and adversarial inputs give well-formed regions (speed is measured in
    ``benchmarks/``, not here; a quadratic regression shows there and as a slow suite)."""
    regions = extract(corpus)
    last = 0
    for region in regions:
        assert last <= region.start < region.end <= len(corpus)
        last = region.end
