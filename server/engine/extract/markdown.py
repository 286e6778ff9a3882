"""Markdown (CommonMark + GFM): one region per paragraph, heading, list item paragraph, block
quote paragraph and table row; code, HTML, front matter, link targets and math are left out.

This is a line-based approximation of the CommonMark block algorithm (container blocks, lazy
continuation lines, leaf blocks) written for exact offsets and speed rather than for rendering:
it never builds a tree, and a 2 MB file is one pass over its lines plus one regex-driven pass
over each paragraph. Where it simplifies (no link reference definition spanning lines, no
per-list "loose/tight" bookkeeping), the cost of being wrong is a region boundary a line off,
never checking code as prose.
"""

from __future__ import annotations

import re

from ..types import Region
from .plaintext import (
    Hole,
    add_region,
    email_or_mention,
    find_backtick_run,
    find_closing,
    make_region,
    split_lines,
    url_at_scheme,
    url_at_www,
)

# Leaf states.
_NONE, _PARA, _FENCE, _ICODE, _HTML, _TABLE, _MATH = range(7)
#: A container entry for a block quote (list items store their content column, >= 0).
_QUOTE = -1

#: First characters that may start a block other than a paragraph (or end a paragraph as a
#: setext underline or a table delimiter row). A line starting with anything else, inside an
#: open paragraph, can only continue it: the fast path for ordinary running text.
_BLOCK_CHARS = frozenset(">#`~-*_+<=|:[$0123456789")

_ATX = re.compile(r"#{1,6}(?=[ \t]|$)")
_THEMATIC = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE_OPEN = re.compile(r"`{3,}|~{3,}")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*$")
_BULLET = re.compile(r"[-+*](?=[ \t]|$)")
_ORDERED = re.compile(r"([0-9]{1,9})[.)](?=[ \t]|$)")
_BULLET_NONEMPTY = re.compile(r"[-+*][ \t]+\S")
_ORDERED_NONEMPTY = re.compile(r"([0-9]{1,9})[.)][ \t]+\S")
_FOOTNOTE_DEF = re.compile(r"\[\^[^\]\s]+\]:")
_TASK_BOX = re.compile(r"\[[ xX]\](?=[ \t]|$)")
#: A link reference definition at the start of a paragraph; like CommonMark, we look for them
#: when the paragraph closes, so the label, destination and title may each be on its own line.
_LINK_DEF = re.compile(
    r"\[(?!\^)(?=[^\]]*[^\s\]])(?:[^\[\]\\]|\\.){1,999}\]:"
    r"[ \t]*(?:\r\n?|\n)?[ \t]*"
    r"(?:<[^<>\r\n]*>|[^\s<]\S*)"
    r"(?:(?:[ \t]+|[ \t]*(?:\r\n?|\n)[ \t]*)"
    r"(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?"
    r"[ \t]*(?:\r\n?|\n|$)"
)
_TABLE_DELIM = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")

_HTML_TYPE1 = re.compile(r"<(?:script|pre|style|textarea)(?=[\s>]|$)", re.IGNORECASE)
_HTML_TYPE1_END = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
_HTML_TYPE6 = re.compile(
    r"</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd"
    r"|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset"
    r"|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol"
    r"|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr"
    r"|track|ul)(?=[\s>]|/>|$)",
    re.IGNORECASE,
)
_ATTRIBUTE = r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)"
_OPEN_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*" + _ATTRIBUTE + r"*\s*/?>")
_CLOSE_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9-]*\s*>")
_HTML_TYPE7 = re.compile(
    r"(?:<[A-Za-z][A-Za-z0-9-]*" + _ATTRIBUTE + r"*[ \t]*/?>|</[A-Za-z][A-Za-z0-9-]*[ \t]*>)"
    r"[ \t]*$"
)
#: ``(opener, closer)`` of HTML block types 2-5; they end on the line holding the closer.
_HTML_SIMPLE = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))

# Inline.
_INLINE = re.compile(r"[\\`<\[\]$&@]|://|www\.")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>")
_EMAIL_AUTOLINK = re.compile(
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>"
)
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _ws(text: str, p: int, le: int, ac: int) -> tuple[int, int]:
    """Skip spaces and tabs from ``p`` (at column ``ac``); the position and column reached."""
    while p < le:
        c = text[p]
        if c == " ":
            ac += 1
        elif c == "\t":
            ac += 4 - ac % 4
        else:
            break
        p += 1
    return p, ac


def _consume(text: str, p: int, le: int, ac: int, target: int) -> tuple[int, int]:
    """Consume indentation from ``p`` until column ``target`` (a tab may overshoot it)."""
    while ac < target and p < le:
        c = text[p]
        if c == " ":
            ac += 1
        elif c == "\t":
            ac += 4 - ac % 4
        else:
            break
        p += 1
    return p, ac


def _cell_count(text: str, start: int, end: int) -> int:
    """How many cells a table row ``text[start:end]`` (trimmed, no line break) has."""
    if start < end and text[start] == "|":
        start += 1
    if end > start and text[end - 1] == "|" and (end - 2 < start or text[end - 2] != "\\"):
        end -= 1
    return len(_UNESCAPED_PIPE.findall(text, start, end)) + 1


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


class _Parser:
    """One pass over the lines of a Markdown document, appending regions as blocks close."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.regions: list[Region] = []
        #: Content column of each open list item, or ``_QUOTE`` for a block quote.
        self.containers: list[int] = []
        self.leaf = _NONE
        self.para_start = 0
        self.para_end = 0
        self.para_prev_end = -1  # end of the paragraph's line before its last one (-1: none)
        self.para_last = 0  # start of the paragraph's last line's content
        self.fence_char = ""
        self.fence_len = 0
        self.html_end: re.Pattern[str] | str | None = None

    # --- emitting ----------------------------------------------------------------------------

    def emit(self, start: int, end: int) -> None:
        """A region for ``text[start:end]`` with its inline holes (``make_region`` trims)."""
        if start < end:
            text = self.text
            add_region(self.regions, make_region(text, start, end, inline_holes(text, start, end)))

    def close_para(self) -> None:
        if self.leaf == _PARA:
            self.emit(self.skip_link_defs(self.para_start, self.para_end), self.para_end)
        self.leaf = _NONE

    def skip_link_defs(self, start: int, end: int) -> int:
        """Where the paragraph ``text[start:end]`` starts once the link reference definitions
        it begins with are removed (they are not prose: a label, a URL, a title)."""
        text = self.text
        while start < end and text[start] == "[":
            m = _LINK_DEF.match(text, start, end)
            if m is None:
                break
            start = m.end()
            while start < end and text[start] in " \t":
                start += 1
        return start

    def emit_row(self, start: int, end: int) -> None:
        """One table row: a region without its outer pipes."""
        text = self.text
        end = _rstrip(text, start, end)
        if start < end and text[start] == "|":
            start += 1
        if end > start and text[end - 1] == "|" and (end - 2 < start or text[end - 2] != "\\"):
            end -= 1
        self.emit(start, end)

    # --- block starts --------------------------------------------------------------------------

    def interrupts(self, rest: int, le: int, indent: int) -> bool:
        """Whether the line content at ``rest`` starts a block that ends an open paragraph."""
        if rest >= le:
            return True
        if indent >= 4:
            return False
        text = self.text
        ch = text[rest]
        if ch not in _BLOCK_CHARS:
            return False
        if ch == ">":
            return True
        if ch == "#":
            return _ATX.match(text, rest, le) is not None
        if ch in "`~":
            m = _FENCE_OPEN.match(text, rest, le)
            return m is not None and not (ch == "`" and text.find("`", m.end(), le) >= 0)
        if ch in "-*_" and _THEMATIC.match(text, rest, le):
            return True
        if ch in "-+*":
            return _BULLET_NONEMPTY.match(text, rest, le) is not None
        if ch.isdigit():
            m = _ORDERED_NONEMPTY.match(text, rest, le)
            # A list that starts inside a paragraph must start at 1 ("in 1999. we..." is text),
            # but a sibling item of an open list may have any number.
            return m is not None and (m.group(1) == "1" or any(c >= 0 for c in self.containers))
        if ch == "<":
            return self.html_start(rest, le, True)
        return False

    def html_start(self, rest: int, le: int, interrupting: bool) -> bool:
        """Whether an HTML block starts at ``rest``; when it does (and not only asked whether
        it would interrupt), set its end condition."""
        text = self.text
        end: re.Pattern[str] | str | None
        opener_len = 1
        for opener, closer in _HTML_SIMPLE:
            if text.startswith(opener, rest):
                end = closer
                opener_len = len(opener)
                break
        else:
            if (
                rest + 2 < le
                and text[rest + 1] == "!"
                and text[rest + 2].isascii()
                and text[rest + 2].isalpha()
            ):
                end = ">"
                opener_len = 2
            elif _HTML_TYPE1.match(text, rest, le):
                end = _HTML_TYPE1_END
            elif _HTML_TYPE6.match(text, rest, le) or (
                not interrupting and _HTML_TYPE7.match(text, rest, le)
            ):
                end = None
            else:
                return False
        if interrupting:
            return True
        self.leaf = _HTML
        self.html_end = end
        if end is not None and self.html_ended(rest + opener_len, le):
            self.leaf = _NONE
        return True

    def html_ended(self, start: int, le: int) -> bool:
        end = self.html_end
        if isinstance(end, str):
            return self.text.find(end, start, le) >= 0
        if end is not None:
            return end.search(self.text, start, le) is not None
        return False

    # --- the line loop -----------------------------------------------------------------------

    def run(self) -> list[Region]:
        text = self.text
        lines = split_lines(text)
        containers = self.containers
        for idx in range(_front_matter(text, lines), len(lines)):
            ls, le, _ = lines[idx]
            leaf = self.leaf
            if leaf == _PARA:
                # Running text in an open paragraph continues it whatever the containers: it
                # either matches them or is a lazy continuation line. Only a line that starts
                # with a block character (or is blank) needs the full treatment.
                p = ls
                while p < le and text[p] in " \t":
                    p += 1
                if p < le and text[p] not in _BLOCK_CHARS:
                    self.para_prev_end = self.para_end
                    self.para_end = le
                    self.para_last = p
                    continue
                if p >= le and not containers:
                    self.close_para()
                    continue
            elif not containers:
                # Outside any container: empty lines, and code lines that cannot end their block.
                if leaf == _FENCE:
                    k = ls
                    while k < le and k - ls < 4 and text[k] == " ":
                        k += 1
                    if k >= le or k - ls > 3 or text[k] != self.fence_char:
                        continue  # not a closing fence
                elif leaf == _ICODE:
                    if le == ls or text[ls] == "\t" or text.startswith("    ", ls):
                        continue
                elif leaf == _HTML:
                    if self.html_end is None:
                        if le > ls and not text[ls].isspace():
                            continue
                    elif not self.html_ended(ls, le):
                        continue
                    else:
                        self.leaf = _NONE
                        continue
                elif leaf == _NONE and le == ls:
                    continue
            self.line(ls, le)
        self.close_leaf()
        return self.regions

    def close_leaf(self) -> None:
        self.close_para()
        self.leaf = _NONE

    def line(self, ls: int, le: int) -> None:
        text = self.text
        containers = self.containers
        pos, ac, col = ls, 0, 0
        matched = 0
        for c in containers:
            p2, ac2 = _ws(text, pos, le, ac)
            if c == _QUOTE:
                if ac2 - col <= 3 and p2 < le and text[p2] == ">":
                    pos, ac = p2 + 1, ac2 + 1
                    if pos < le and text[pos] == " ":
                        pos += 1
                        ac += 1
                    col = ac
                    matched += 1
                    continue
                break
            if p2 >= le:
                matched += 1
                continue
            if ac2 >= c:
                pos, ac = _consume(text, pos, le, ac, c)
                col = max(col, c)
                matched += 1
                continue
            break
        rest, rac = _ws(text, pos, le, ac)
        indent = rac - col
        blank = rest >= le

        if matched < len(containers):
            if self.leaf == _PARA and not blank and not self.interrupts(rest, le, indent):
                # Lazy continuation: "> a\nb" keeps b in the quoted paragraph.
                self.para_prev_end = self.para_end
                self.para_end = le
                self.para_last = rest
                return
            self.close_leaf()
            del containers[matched:]

        leaf = self.leaf
        if leaf == _FENCE:
            if indent <= 3 and not blank and text[rest] == self.fence_char:
                k = rest
                while k < le and text[k] == self.fence_char:
                    k += 1
                if k - rest >= self.fence_len and _rstrip(text, k, le) == k:
                    self.leaf = _NONE
            return
        if leaf == _HTML:
            if self.html_end is None:
                if blank:
                    self.leaf = _NONE
            elif self.html_ended(pos, le):
                self.leaf = _NONE
            return
        if leaf == _MATH:
            if text.find("$$", pos, le) >= 0:
                self.leaf = _NONE
            return
        if leaf == _ICODE:
            if blank or indent >= 4:
                return
            self.leaf = _NONE
        elif leaf == _TABLE:
            if blank:
                self.leaf = _NONE
                return
            if not self.interrupts(rest, le, indent):
                self.emit_row(rest, le)
                return
            self.leaf = _NONE
        elif leaf == _PARA:
            if blank:
                self.close_para()
                return
            ch = text[rest]
            if indent >= 4 or ch not in _BLOCK_CHARS:
                self.para_prev_end = self.para_end
                self.para_end = le
                self.para_last = rest
                return
            if indent <= 3 and ch in "=-" and _SETEXT.match(text, rest, le):
                self.close_para()  # a setext heading: the underline is in no region
                return
            if ch in "|:-" and self.table_start(rest, le):
                return
            if not self.interrupts(rest, le, indent):
                self.para_prev_end = self.para_end
                self.para_end = le
                self.para_last = rest
                return
            self.close_para()

        if blank:
            return

        # New containers: block quotes, list items, footnote definitions.
        listed = False
        while True:
            rest, rac = _ws(text, pos, le, ac)
            indent = rac - col
            if indent > 3 or rest >= le:
                break
            ch = text[rest]
            if ch == ">":
                containers.append(_QUOTE)
                pos, ac = rest + 1, rac + 1
                if pos < le and text[pos] == " ":
                    pos += 1
                    ac += 1
                col = ac
                listed = False
                continue
            if ch in "-+*" or ch.isdigit():
                if ch in "-*" and _THEMATIC.match(text, rest, le):
                    break
                m = (_BULLET if not ch.isdigit() else _ORDERED).match(text, rest, le)
                if m is None:
                    break
                mend = m.end()
                mcol = rac + (mend - rest)
                p3, ac3 = _ws(text, mend, le, mcol)
                if p3 >= le or ac3 - mcol > 4:
                    content = mcol + 1
                    pos, ac = _consume(text, mend, le, mcol, content)
                else:
                    content = ac3
                    pos, ac = p3, ac3
                containers.append(content)
                col = content
                listed = True
                continue
            if ch == "[":
                m = _FOOTNOTE_DEF.match(text, rest, le)
                if m is None:
                    break
                mend = m.end()
                pos, ac = _ws(text, mend, le, rac + (mend - rest))
                containers.append(rac + 4)
                col = ac
                listed = False
                continue
            break

        # The leaf block this line starts.
        rest, rac = _ws(text, pos, le, ac)
        indent = rac - col
        if rest >= le:
            return
        if indent >= 4:
            self.leaf = _ICODE
            return
        ch = text[rest]
        if ch in "`~":
            m = _FENCE_OPEN.match(text, rest, le)
            if m is not None and not (ch == "`" and text.find("`", m.end(), le) >= 0):
                self.leaf = _FENCE
                self.fence_char = ch
                self.fence_len = m.end() - rest
                return
        elif ch == "#":
            m = _ATX.match(text, rest, le)
            if m is not None:
                self.heading(m.end(), le)
                return
        elif ch in "-*_":
            if _THEMATIC.match(text, rest, le):
                return
        elif ch == "<":
            if self.html_start(rest, le, False):
                return
        elif ch == "$" and text.startswith("$$", rest) and text.find("$$", rest + 2, le) < 0:
            self.leaf = _MATH
            return
        start = rest
        if listed:
            box = _TASK_BOX.match(text, rest, le)
            if box is not None:
                start = box.end()
        self.leaf = _PARA
        self.para_start = start
        self.para_end = le
        self.para_prev_end = -1
        self.para_last = rest

    def heading(self, start: int, le: int) -> None:
        """An ATX heading: its text without the ``#`` markers on either side."""
        text = self.text
        end = _rstrip(text, start, le)
        j = end
        while j > start and text[j - 1] == "#":
            j -= 1
        if j == start or text[j - 1] in " \t":
            end = j
        self.emit(start, end)

    def table_start(self, rest: int, le: int) -> bool:
        """Turn the open paragraph's last line into a table header if this is its delimiter row.

        The lines before the header stay a paragraph of their own (GFM lets a table interrupt
        one), the header and every later row become one region each.
        """
        text = self.text
        if text.find("|", rest, le) < 0 or not _TABLE_DELIM.match(text, rest, le):
            return False
        head_start = self.para_last
        head_end = _rstrip(text, head_start, self.para_end)
        delim_end = _rstrip(text, rest, le)
        if _cell_count(text, head_start, head_end) != _cell_count(text, rest, delim_end):
            return False
        if self.para_prev_end >= 0:
            self.emit(self.skip_link_defs(self.para_start, self.para_prev_end), self.para_prev_end)
            self.emit_row(head_start, head_end)
        else:
            self.emit_row(self.para_start, head_end)
        self.leaf = _TABLE
        return True


def _front_matter(text: str, lines: list[tuple[int, int, int]]) -> int:
    """Index of the first line after YAML (``---``) or TOML (``+++``) front matter, else 0.

    Front matter counts only when it is closed: a lone ``---`` at the top of a file without a
    closing line is a thematic break, and skipping the whole document for it would be worse.
    """
    if not lines:
        return 0
    ls, le, _ = lines[0]
    first = text[ls:le].rstrip(" \t")
    if first.startswith("\ufeff"):
        first = first[1:]
    if first == "---":
        closers: tuple[str, ...] = ("---", "...")
    elif first == "+++":
        closers = ("+++",)
    else:
        return 0
    for idx in range(1, len(lines)):
        s, e, _ = lines[idx]
        if e - s <= 5 and text[s:e].rstrip(" \t") in closers:
            return idx + 1
    return 0


def inline_holes(text: str, start: int, end: int) -> list[Hole]:
    """The holes of one Markdown paragraph ``text[start:end]``, left to right.

    Code spans, autolinks, inline HTML, link and image targets, reference labels, footnote
    references, ``$``/``$$`` math, entities, bare URLs, e-mail addresses and ``@mentions``.
    Link text and image alt text stay prose. One pass, jumping from one special character to
    the next with a regex; each construct that fails to close is remembered so that a paragraph
    of stray backticks or dollars is not scanned again and again.
    """
    holes: list[Hole] = []
    brackets: list[int] = []
    tick_fail: dict[int, int] = {}
    closing_fail: dict[str, int] = {}
    dollar_fail = end + 1
    i = start
    search = _INLINE.search
    while True:
        m = search(text, i, end)
        if m is None:
            return holes
        p = m.start()
        c = text[p]
        hole: Hole | None = None
        if c == "\\":
            i = p + 2 if p + 1 < end and text[p + 1] in _ASCII_PUNCT else p + 1
            continue
        if c == "`":
            k = p + 1
            while k < end and text[k] == "`":
                k += 1
            n = k - p
            close = find_backtick_run(text, k, end, n, tick_fail)
            if close < 0:
                i = k
                continue
            hole = (p, close + n)
        elif c == "<":
            stop = _angle(text, p, end, closing_fail)
            if stop > 0:
                hole = (p, stop)
        elif c == "[":
            if p + 1 < end and text[p + 1] == "^":
                fm = _FOOTNOTE_REF.match(text, p, end)
                if fm is not None:
                    holes.append((p, fm.end()))
                    i = fm.end()
                    continue
            brackets.append(p)
        elif c == "]":
            if brackets:
                brackets.pop()
                if p + 1 < end and text[p + 1] == "(":
                    stop = _link_tail(text, p + 2, end)
                    if stop > 0:
                        hole = (p, stop)
                elif p + 1 < end and text[p + 1] == "[":
                    q = text.find("]", p + 2, min(end, p + 1002))
                    if q >= 0 and text.find("[", p + 2, q) < 0:
                        hole = (p, q + 1)
        elif c == "$":
            if p + 1 < end and text[p + 1] == "$":
                q = find_closing(text, "$$", p + 2, end, closing_fail)
                if q >= 0:
                    hole = (p, q + 2)
                else:
                    i = p + 2
                    continue
            elif p + 1 < end and not text[p + 1].isspace() and p + 1 < dollar_fail:
                q = _dollar_close(text, p + 1, end)
                if q < 0:
                    dollar_fail = p + 1
                else:
                    hole = (p, q + 1)
        elif c == "&":
            em = _ENTITY.match(text, p, end)
            if em is not None:
                hole = (p, em.end())
        elif c == "@":
            hole = email_or_mention(text, p, i, end, True)
        elif c == ":":
            hole = url_at_scheme(text, p, i, end, bool(brackets))
        else:  # "www."
            hole = url_at_www(text, p, i, end, bool(brackets))
        if hole is None:
            i = p + 1
        else:
            holes.append(hole)
            i = hole[1]


def _dollar_close(text: str, pos: int, end: int) -> int:
    """The ``$`` closing inline math opened before ``pos``, or -1 (Pandoc's rule: a closer has a
    non-space before it and no digit after it, so "$5 and $10" is not math)."""
    while True:
        q = text.find("$", pos, end)
        if q < 0:
            return -1
        before = text[q - 1]
        if not before.isspace() and before != "\\" and not (q + 1 < end and text[q + 1].isdigit()):
            return q
        pos = q + 1


def _angle(text: str, p: int, end: int, fail: dict[str, int]) -> int:
    """End of the autolink, HTML tag or comment starting at the ``<`` at ``p``, else -1."""
    m = _AUTOLINK.match(text, p, end) or _EMAIL_AUTOLINK.match(text, p, end)
    if m is not None:
        return m.end()
    if text.startswith("<!--", p):
        if text.startswith("<!-->", p):
            return p + 5
        if text.startswith("<!--->", p):
            return p + 6
        q = find_closing(text, "-->", p + 4, end, fail)
        return q + 3 if q >= 0 else -1
    if text.startswith("<?", p):
        q = find_closing(text, "?>", p + 2, end, fail)
        return q + 2 if q >= 0 else -1
    if text.startswith("<![CDATA[", p):
        q = find_closing(text, "]]>", p + 9, end, fail)
        return q + 3 if q >= 0 else -1
    if text.startswith("<!", p) and p + 2 < end and text[p + 2].isascii() and text[p + 2].isalpha():
        q = find_closing(text, ">", p + 2, end, fail)
        return q + 1 if q >= 0 else -1
    m = _OPEN_TAG.match(text, p, end) or _CLOSE_TAG.match(text, p, end)
    return m.end() if m is not None else -1


def _link_tail(text: str, j: int, end: int) -> int:
    """End of an inline link's ``(destination "title")`` whose ``(`` is just before ``j``."""
    while j < end and text[j].isspace():
        j += 1
    if j < end and text[j] == "<":
        q = j + 1
        while q < end and text[q] not in "<>\r\n":
            q += 2 if text[q] == "\\" else 1
        if q >= end or text[q] != ">":
            return -1
        j = q + 1
    else:
        depth = 0
        while j < end:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "(":
                depth += 1
                if depth > 32:
                    return -1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif ch.isspace() or ch < " ":
                break
            j += 1
        if depth or j > end:
            return -1
    while j < end and text[j].isspace():
        j += 1
    if j < end and text[j] in "\"'(":
        closer = ")" if text[j] == "(" else text[j]
        q = j + 1
        while q < end and text[q] != closer:
            q += 2 if text[q] == "\\" else 1
        if q >= end:
            return -1
        j = q + 1
        while j < end and text[j].isspace():
            j += 1
    if j < end and text[j] == ")":
        return j + 1
    return -1


def markdown_regions(text: str) -> list[Region]:
    """The prose regions of a Markdown document (may raise on a bug; see ``prose``)."""
    return _Parser(text).run()
