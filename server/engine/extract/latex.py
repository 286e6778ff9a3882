"""LaTeX: one region per paragraph, sectioning title, caption, list item and table row.

A single left-to-right scanner over the document body, jumping from one special character
(``\\``, ``%``, ``$``, braces, blank lines) to the next. Commands become holes; what happens to
their arguments depends on the command: text-bearing ones (``\\emph``, ``\\section``,
``\\footnote``, and any command we do not know) leave their braces to be scanned as prose,
while the arguments of the ones listed in ``_HOLE_ARGS`` (``\\cite``, ``\\label``, ``\\url``,
``\\newcommand``...) are part of the hole. Math and verbatim-like environments are skipped.

Holes come in two sorts. Those that stand for a word in a sentence (math, ``\\cite``,
``\\ref``, ``\\texttt``) are kept even at the very start or end of a region, so grammar sees
"$x$ is positive" with a placeholder subject. Pure markup (``\\noindent``, ``\\label{}``, a
``%`` comment) is trimmed from a region's edges, keeping regions tight.
"""

from __future__ import annotations

import re

from ..types import Region
from .plaintext import add_region, find_closing, line_end, make_region, simple_holes


def _names(spec: str) -> frozenset[str]:
    """A set of names written as one whitespace-separated string (long lists stay readable)."""
    return frozenset(spec.split())


#: A special character, or a blank line (a CRLF must not split into CR + "blank" LF, hence
#: the lookahead after a lone CR).
_SPECIAL = re.compile(r"[\\%${}]|(?:\r\n|\r(?!\n)|\n)[ \t]*(?=[\r\n])")
_COMMAND = re.compile(r"\\([A-Za-z@]+)(\*?)")
_ENV_NAME = re.compile(r"[ \t]*\{[ \t]*([A-Za-z@][A-Za-z0-9@*:.-]*)[ \t]*\}")
_BRACE_TOKEN = re.compile(r"[\\{}%]")
_BRACKET_TOKEN = re.compile(r"[\\{}\]]")
_BEGIN_DOCUMENT = re.compile(r"\\begin[ \t]*\{document\}")
_END_DOCUMENT = re.compile(r"\\end[ \t]*\{document\}")
_TITLE = re.compile(r"\\title(?![A-Za-z@])")
_FI = re.compile(r"\\fi(?![A-Za-z@])")
_COMMENT_START = re.compile(r"(?<!\\)(?:\\\\)*%")
_URLISH = re.compile(r"://|www\.|@")

#: How far an argument is looked for, in characters and in braces/escapes met on the way:
#: an unclosed ``{`` (a document being typed) must not make every later command scan to the
#: end of a large file, which would be quadratic. Real hole arguments (keys, URLs, option
#: lists, macro bodies) are far shorter; one that is longer is simply taken as prose.
_ARG_LIMIT = 8_000
_ARG_TOKENS = 400
_OPT_LIMIT = 500
_OPT_TOKENS = 64
#: Inline verbatim (``\\verb|...|``) never spans lines; this bounds the search for its end.
_VERB_LIMIT = 500

#: Mathematics: the whole environment is a hole (it is usually part of a sentence).
_MATH_ENVS = _names(
    """equation align alignat flalign gather multline eqnarray math displaymath dmath dgroup
    darray tikzcd CD"""
)
#: Verbatim-like and code environments: skipped entirely, and they end the region.
_SKIP_ENVS = _names(
    """verbatim Verbatim BVerbatim LVerbatim SaveVerbatim spverbatim alltt lstlisting minted
    comment filecontents tikzpicture pgfpicture asy pycode sagesilent sageblock luacode
    luacode* pythontex dot2tex gnuplot codeblock"""
)
#: Tabular environments: ``\\\\`` ends a row, and each row is a region.
_TABULAR_ENVS = _names(
    "tabular tabularx tabulary longtable supertabular xtabular tabu array tblr longtblr"
)
#: Mandatory arguments of ``\\begin{env}`` that are not prose (column specs, widths).
_ENV_ARGS: dict[str, int] = {
    "tabular": 1,
    "tabularx": 2,
    "tabulary": 2,
    "longtable": 1,
    "supertabular": 1,
    "xtabular": 1,
    "tabu": 1,
    "array": 1,
    "tblr": 1,
    "longtblr": 1,
    "minipage": 1,
    "multicols": 1,
    "wrapfigure": 2,
    "wraptable": 2,
    "thebibliography": 1,
    "subfigure": 1,
    "subtable": 1,
    "adjustbox": 1,
    "column": 1,
    "list": 2,
    "otherlanguage": 1,
    "tcolorbox": 0,
    "spacing": 1,
}
#: Commands whose text argument is a title or caption: a region of its own.
_TITLE_COMMANDS = _names(
    """part chapter section subsection subsubsection paragraph subparagraph caption title
    subtitle frametitle framesubtitle addchap addsec minisec"""
)
#: Commands whose first N mandatory arguments are not prose (optional ``[...]`` arguments
#: before and between them are skipped too). Commands not listed keep their braces as prose.
_HOLE_ARGS: dict[str, int] = {
    **dict.fromkeys(
        _names("""label ref eqref pageref autoref cref Cref nameref vref cpageref labelcref
        hyperlink hypertarget url nolinkurl email doi href input include includeonly subfile
        includegraphics includepdf includesvg graphicspath usepackage RequirePackage
        documentclass bibliography bibliographystyle addbibresource author date address affil
        affiliation institute theoremstyle newcounter stepcounter refstepcounter newlength
        vspace hspace color textcolor colorbox pagecolor pagestyle thispagestyle pagenumbering
        hypersetup geometry lstset setminted usetikzlibrary usepgfplotslibrary pgfplotsset
        tikzset captionsetup setlist index glossary hyphenation texttt raisebox scalebox
        rotatebox parbox foreignlanguage selectlanguage setmainfont setsansfont setmonofont
        linespread si num unit ang gls Gls glspl Glspl GLS acrshort acrlong acrfull ac Ac acp
        Acp acs acl acf ensuremath markright usetheme usecolortheme usefonttheme
        useinnertheme useoutertheme bibitem cline tag cite citep citet citealp citealt
        citeauthor citeyear citeyearpar citenum parencite Parencite textcite Textcite
        autocite Autocite footcite smartcite supercite fullcite footfullcite Cite Citet
        Citep Citeauthor nocite cites"""),
        1,
    ),
    **dict.fromkeys(
        _names("""newcommand renewcommand providecommand DeclareRobustCommand DeclareMathOperator
        newtheorem setcounter addtocounter setlength addtolength settowidth settoheight
        fcolorbox colorlet rule resizebox multicolumn multirow newcolumntype newfontfamily
        fontsize SI qty import subimport newglossaryentry markboth addtocontents crefrange
        let"""),
        2,
    ),
    **dict.fromkeys(
        _names("""NewDocumentCommand RenewDocumentCommand ProvideDocumentCommand
        DeclareDocumentCommand newenvironment renewenvironment definecolor newacronym
        addcontentsline"""),
        3,
    ),
    **dict.fromkeys(_names("NewDocumentEnvironment RenewDocumentEnvironment"), 4),
}
#: Commands whose hole stands for a word of the sentence (kept at region edges).
_INLINE = _names(
    """ref eqref pageref autoref cref Cref nameref vref cpageref labelcref url nolinkurl email
    doi texttt si SI num qty unit ang gls Gls glspl Glspl GLS acrshort acrlong acrfull ac Ac
    acp Acp acs acl acf ensuremath cite citep citet citealp citealt citeauthor citeyear
    citeyearpar citenum parencite Parencite textcite Textcite autocite Autocite footcite
    smartcite supercite fullcite footfullcite Cite Citet Citep Citeauthor cites verb Verb
    lstinline mintinline path"""
)
#: Inline verbatim: ``\\verb|x|``, ``\\lstinline{x}``... (delimited by any character).
_VERB_COMMANDS = _names("verb Verb lstinline mintinline path spverb")
_DEF_COMMANDS = _names("def gdef edef xdef")


def _skip_space(text: str, p: int, end: int) -> int:
    """Skip spaces, tabs and at most one line break (TeX's argument spacing; a blank line is
    a paragraph break, never part of an argument list)."""
    newline = False
    while p < end:
        ch = text[p]
        if ch in " \t":
            p += 1
        elif ch in "\r\n" and not newline:
            newline = True
            p += 2 if text.startswith("\r\n", p) else 1
        else:
            break
    return p


def _group_end(text: str, p: int, end: int, cache: dict[int, int]) -> int:
    """Index just after the ``}`` matching the ``{`` at ``p`` (escapes and ``%`` comments
    respected), or -1 when it is not closed within the ``_ARG_*`` limits.

    ``cache`` records the end of every group met on the way, and -1 for the groups still open
    when a search gives up, so that a run of unclosed braces is scanned once, not once per
    brace. (A group open at the give-up point is taken as unclosed even if it would close a
    little later within its own limits: the limits are a heuristic anyway.)
    """
    known = cache.get(p)
    if known is not None:
        return known
    opened: list[int] = []
    limit = min(end, p + _ARG_LIMIT)
    search = _BRACE_TOKEN.search
    i = p
    for _ in range(_ARG_TOKENS):
        m = search(text, i, limit)
        if m is None:
            break
        q = m.start()
        ch = text[q]
        i = q + 1
        if ch == "\\":
            i = q + 2
        elif ch == "%":
            i = line_end(text, q, limit)
        elif ch == "{":
            opened.append(q)
        elif opened:
            cache[opened.pop()] = i
            if not opened:
                return i
        else:
            break
    for q in opened:
        cache[q] = -1
    return -1


def _opt_end(text: str, p: int, end: int) -> int:
    """Index just after the ``]`` closing the optional argument at ``p``, or -1."""
    depth = 0
    limit = min(end, p + _OPT_LIMIT)
    search = _BRACKET_TOKEN.search
    i = p + 1
    for _ in range(_OPT_TOKENS):
        m = search(text, i, limit)
        if m is None:
            return -1
        q = m.start()
        ch = text[q]
        i = q + 1
        if ch == "\\":
            i = q + 2
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return -1
        elif depth == 0:
            return i
    return -1


def _opts(text: str, p: int, end: int, spaced: bool) -> int:
    """Skip optional ``[...]`` arguments at ``p`` (after spacing too when ``spaced``)."""
    while True:
        q = _skip_space(text, p, end) if spaced else p
        if q >= end or text[q] != "[":
            return p
        r = _opt_end(text, q, end)
        if r < 0:
            return p
        p = r


def _mandatory(text: str, p: int, end: int, cache: dict[int, int]) -> int:
    """End of the mandatory argument at ``p``: a ``{group}``, a control sequence, or one
    character; -1 when there is none."""
    q = _skip_space(text, p, end)
    if q >= end:
        return -1
    ch = text[q]
    if ch == "{":
        return _group_end(text, q, end, cache)
    if ch == "\\":
        m = _COMMAND.match(text, q, end)
        return m.end() if m else min(q + 2, end)
    if ch in "}%" or ch.isspace():
        return -1
    return q + 1


class _Scanner:
    """Builds regions while scanning; ``brk`` ends the current one."""

    def __init__(self, text: str, regions: list[Region] | None = None) -> None:
        self.text = text
        self.regions: list[Region] = [] if regions is None else regions
        self.start = -1  # the region's start, -1 while none is open
        self.last = -1  # end of its last text or inline hole
        self.holes: list[tuple[int, int]] = []
        #: One entry per open ``{``: True when closing it ends a title/caption region.
        self.frames: list[bool] = []
        self.envs: list[str] = []
        #: Closing delimiters known to be missing from a position on (see ``find_closing``).
        self.closing_fail: dict[str, int] = {}
        #: Per closing delimiter, a paragraph break that the nearest closer lies beyond: an
        #: opener before it cannot be closed in its paragraph either.
        self.crossing: dict[str, int] = {}
        #: Where each brace group ends (see ``_group_end``).
        self.groups: dict[int, int] = {}

    def words(self, a: int, b: int) -> None:
        """``text[a:b]`` is ordinary text (possibly with whitespace and single newlines)."""
        text = self.text
        while a < b and text[a].isspace():
            a += 1
        if a >= b:
            return
        while text[b - 1].isspace():
            b -= 1
        if self.start < 0:
            self.start = a
        self.last = b
        if _URLISH.search(text, a, b):
            # A bare URL or address outside \url{} (an author line, a footnote).
            self.holes.extend(simple_holes(text, a, b))

    def hole(self, a: int, b: int, inline: bool) -> None:
        if b <= a:
            return
        if self.start < 0:
            if not inline:
                return
            self.start = a
        self.holes.append((a, b))
        if inline:
            self.last = b

    def brk(self) -> None:
        if self.start >= 0:
            last = self.last
            holes = [h for h in self.holes if h[0] < last]
            add_region(self.regions, make_region(self.text, self.start, last, holes))
        self.start = -1
        self.last = -1
        self.holes = []

    def scan(self, i: int, end: int) -> None:
        text = self.text
        search = _SPECIAL.search
        while i < end:
            m = search(text, i, end)
            if m is None:
                self.words(i, end)
                break
            p = m.start()
            if p > i:
                self.words(i, p)
            ch = text[p]
            if ch == "\\":
                i = self.command(p, end)
            elif ch == "%":
                i = line_end(text, p, end)
                self.hole(p, i, False)
            elif ch == "$":
                i = self.dollar(p, end)
            elif ch == "{":
                self.frames.append(False)
                i = p + 1
            elif ch == "}":
                if self.frames and self.frames.pop():
                    self.brk()
                i = p + 1
            else:  # a blank line
                self.brk()
                i = m.end()
        self.brk()

    def dollar(self, p: int, end: int) -> int:
        """``$...$`` or ``$$...$$``: an inline hole. A ``$`` whose closer is missing or lies
        beyond a blank line (TeX would stop there) is plain text."""
        text = self.text
        display = p + 1 < end and text[p + 1] == "$"
        opener = 2 if display else 1
        pos = p + opener
        while True:
            q = text.find("$$" if display else "$", pos, end)
            if q < 0:
                break
            k = q - 1
            while k >= pos and text[k] == "\\":
                k -= 1
            if (q - 1 - k) % 2:
                pos = q + 1  # an escaped \$
                continue
            if _PARAGRAPH_BREAK.search(text, p, q):
                break
            self.hole(p, q + opener, True)
            return q + opener
        self.words(p, p + opener)
        return p + opener

    def close_in_paragraph(self, closer: str, p: int, start: int, end: int) -> int:
        """The next ``closer`` after the opener at ``p`` if it is in the same paragraph, else -1
        (TeX math never spans a blank line). Failures are remembered, so that a paragraph of
        unclosed openers is not scanned once per opener."""
        if p < self.crossing.get(closer, -1):
            return -1
        q = find_closing(self.text, closer, start, end, self.closing_fail)
        if q < 0:
            return -1
        blank = _PARAGRAPH_BREAK.search(self.text, p, q)
        if blank is not None:
            self.crossing[closer] = blank.start()
            return -1
        return q

    def command(self, p: int, end: int) -> int:
        text = self.text
        if p + 1 >= end:
            self.words(p, end)
            return end
        c = text[p + 1]
        if not (c.isascii() and c.isalpha()) and c != "@":
            if c == "(" or c == "[":
                closer = "\\)" if c == "(" else "\\]"
                q = self.close_in_paragraph(closer, p, p + 2, end)
                if q >= 0:
                    self.hole(p, q + 2, True)
                    return q + 2
            elif c == "\\":
                q = p + 2
                if q < end and text[q] == "*":
                    q += 1
                q = _opts(text, q, end, False)
                if self.envs and self.envs[-1] in _TABULAR_ENVS:
                    self.brk()
                else:
                    self.hole(p, q, False)
                return q
            # A control symbol (\%, \&, \$, \{, an accent, \,): punctuation, no letters.
            self.words(p, p + 2)
            return p + 2
        m = _COMMAND.match(text, p, end)
        assert m is not None
        name = m.group(1)
        q = m.end()
        if name == "begin":
            return self.begin(p, q, end)
        if name == "end":
            em = _ENV_NAME.match(text, q, end)
            self.brk()
            if em is None:
                return q
            env = em.group(1).rstrip("*")
            if env in self.envs:
                while self.envs.pop() != env:
                    pass
            return em.end()
        if name in _TITLE_COMMANDS:
            self.brk()
            q = _opts(text, q, end, True)
            r = _skip_space(text, q, end)
            if r < end and text[r] == "{":
                self.frames.append(True)
                return r + 1
            return q
        if name == "tabularnewline" and self.envs and self.envs[-1] in _TABULAR_ENVS:
            self.brk()
            return q
        if name == "item":
            self.brk()  # "\item[Term] text": the term stays prose
            return q
        if name == "par":
            self.brk()
            return q
        if name == "iffalse":
            self.brk()
            fm = _FI.search(text, q, end)
            return fm.end() if fm else end
        if name in _VERB_COMMANDS:
            stop = self.verb(name, q, end)
            self.hole(p, stop, True)
            return stop
        if name in _DEF_COMMANDS:
            stop = _definition_end(text, q, end, self.groups)
            self.hole(p, stop, False)
            return stop
        count = _HOLE_ARGS.get(name, 0)
        if count:
            if name == "bibitem":
                self.brk()
            q = _opts(text, q, end, True)
            for _ in range(count):
                r = _mandatory(text, q, end, self.groups)
                if r < 0:
                    break
                q = _opts(text, r, end, True)
        else:
            q = _opts(text, q, end, False)
        self.hole(p, q, name in _INLINE)
        return q

    def verb(self, name: str, q: int, end: int) -> int:
        """End of ``\\verb|...|``-like inline code starting after the command name."""
        text = self.text
        if name == "mintinline":
            r = _mandatory(text, _opts(text, q, end, False), end, self.groups)
            if r < 0:
                return q
            q = r
        q = _opts(text, q, end, False)
        if q >= end:
            return q
        delim = text[q]
        if delim == "{" and name != "verb":
            r = _group_end(text, q, end, self.groups)
            return r if r > 0 else q
        if delim.isspace() or delim.isalpha():
            return q
        close = text.find(delim, q + 1, line_end(text, q, min(end, q + _VERB_LIMIT)))
        return close + 1 if close > 0 else q

    def begin(self, p: int, q: int, end: int) -> int:
        text = self.text
        em = _ENV_NAME.match(text, q, end)
        if em is None:
            self.hole(p, q, False)
            return q
        env = em.group(1)
        base = env.rstrip("*")
        after = em.end()
        if base in _MATH_ENVS or base in _SKIP_ENVS or env in _SKIP_ENVS:
            closer = "\\end{" + env + "}"
            close = find_closing(text, closer, after, end, self.closing_fail)
            stop = close + len(closer) if close >= 0 else end
            if base in _MATH_ENVS:
                # Math cannot hold a blank line: an environment still being typed (or one
                # missing its \end) stops there instead of swallowing the rest of the file.
                blank = _PARAGRAPH_BREAK.search(text, after, stop)
                if blank is not None:
                    stop = blank.start()
                self.hole(p, stop, True)
            else:
                self.brk()  # verbatim may hold blank lines: unterminated, it runs to the end
            return stop
        self.brk()
        q = _opts(text, after, end, False)
        for _ in range(_ENV_ARGS.get(base, 0)):
            r = _mandatory(text, q, end, self.groups)
            if r < 0:
                break
            q = _opts(text, r, end, False)
        self.envs.append(base)
        return q


def _definition_end(text: str, q: int, end: int, cache: dict[int, int]) -> int:
    """End of ``\\def\\name#1#2{body}`` after ``\\def``: the name, parameters and body."""
    r = _mandatory(text, q, end, cache)
    if r < 0:
        return q
    k = r
    limit = min(end, r + 64)
    while k < limit and text[k] != "{" and text[k] not in "\r\n":
        k += 1
    if k < limit and text[k] == "{":
        g = _group_end(text, k, end, cache)
        if g > 0:
            return g
    return r


_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r(?!\n)|\n)[ \t]*[\r\n]")


def _in_comment(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside a ``%`` comment (an unescaped ``%`` earlier on its line)."""
    ls = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    return _COMMENT_START.search(text, ls, pos) is not None


def latex_regions(text: str) -> list[Region]:
    """The prose regions of a LaTeX document (may raise on a bug; see ``prose``).

    With a ``\\begin{document}``, the preamble is skipped except for the ``\\title``, and
    everything after ``\\end{document}`` is ignored; a file without one (a chapter that is
    ``\\input``) is all body.
    """
    scanner = _Scanner(text)
    body_start, body_end = 0, len(text)
    for m in _BEGIN_DOCUMENT.finditer(text):
        if not _in_comment(text, m.start()):
            body_start = m.end()
            break
    if body_start:
        for tm in _TITLE.finditer(text, 0, body_start):
            if _in_comment(text, tm.start()):
                continue
            q = _opts(text, tm.end(), body_start, True)
            r = _skip_space(text, q, body_start)
            if r < body_start and text[r] == "{":
                g = _group_end(text, r, body_start, scanner.groups)
                if g > 0:
                    scanner.scan(r + 1, g - 1)
                    scanner = _Scanner(text, scanner.regions)
            break
        for em in _END_DOCUMENT.finditer(text, body_start):
            if not _in_comment(text, em.start()):
                body_end = em.start()
                break
    scanner.scan(body_start, body_end)
    return scanner.regions
