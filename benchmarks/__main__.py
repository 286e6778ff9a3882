"""``python -m benchmarks [SUITE...] [--quick]``: run the suites, write results and RESULTS.md.

Suites run one after another (never in parallel: the machine has two shared cores and the
timings must not compete). Each suite runs in a fresh interpreter, so the Quill it imports is
the one on disk when it starts (other engineers change it during long runs) and no suite's
caches weigh on the next one's timings; after each suite its JSON is written to
``benchmarks/results/`` and ``benchmarks/RESULTS.md`` is rebuilt, so an interrupted run keeps
what it finished.
``--quick`` uses small samples and writes to ``benchmarks/results/quick/`` and
``benchmarks/RESULTS.quick.md`` instead, so a smoke test never overwrites the real numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import (
    completion,
    fp_code,
    grammar,
    identifier_typos,
    isolated,
    langid,
    load,
    lsp_timing,
    peers,
    real_identifier_typos,
    report,
    running_text,
    speed,
)
from .common import ROOT, machine_info, now_utc, portable, quill_fingerprint

#: Passes the user's command line to the per-suite child processes, for the report.
INVOKED_AS = "QUILL_BENCH_INVOKED_AS"

SUITES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "isolated": lambda a: isolated.run(a.quick),
    "fp-code": lambda a: fp_code.run(a.quick),
    "identifier-typos": lambda a: identifier_typos.run(a.quick),
    "real-identifier-typos": lambda a: real_identifier_typos.run(a.quick),
    "running-text": lambda a: running_text.run(a.quick),
    "langid": lambda a: langid.run(a.quick),
    "speed": lambda a: speed.run(a.quick, runs=a.runs),
    "lsp": lambda a: lsp_timing.run(a.quick),
    "grammar": lambda a: grammar.run(a.quick, model=a.model, runs=a.runs),
    "load": lambda a: load.run(a.quick, load_options(a)),
    "completion": lambda a: completion.run(a.quick),
}


def load_options(args: argparse.Namespace) -> load.LoadOptions:
    """The 'load' suite's parameters from the command line."""
    return load.LoadOptions(
        docs=args.docs,
        rate=args.rate,
        seconds=args.seconds,
        completion_rate=args.completion_rate,
        code_model=args.code_model,
    )


def suite_options(name: str, args: argparse.Namespace) -> list[str]:
    """The options of one suite that its command line (and its child process) must carry."""
    if name == "grammar" and args.model:
        return ["--model", args.model]
    if name == "load":
        given = load_options(args)
        defaults = load.LoadOptions()
        out = []
        for option, attribute in LOAD_OPTIONS.items():
            value = getattr(given, attribute)
            if value is not None and value != getattr(defaults, attribute):
                out += [option, f"{value:g}" if isinstance(value, float) else str(value)]
        return out
    return []


#: The 'load' suite's command-line options and the LoadOptions fields they set.
LOAD_OPTIONS = {
    "--docs": "docs",
    "--rate": "rate",
    "--seconds": "seconds",
    "--completion-rate": "completion_rate",
    "--code-model": "code_model",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "suites",
        nargs="*",
        metavar="SUITE",
        help=f"suites to run (default: all): {', '.join(SUITES)}",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small samples, a couple of minutes per suite"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="timing runs per tool in 'speed' (median)"
    )
    parser.add_argument(
        "--model",
        metavar="DIR",
        help="grammar model directory for 'grammar' (default: models/grammar-minilm)",
    )
    defaults = load.LoadOptions()
    parser.add_argument(
        "--docs", type=int, default=defaults.docs, help="'load': documents open at once"
    )
    parser.add_argument(
        "--rate", type=float, default=defaults.rate, help="'load': didChange edits per second"
    )
    parser.add_argument(
        "--seconds", type=float, default=defaults.seconds, help="'load': how long to edit"
    )
    parser.add_argument(
        "--completion-rate",
        type=float,
        default=defaults.completion_rate,
        help="'load': inlineCompletion requests per second",
    )
    parser.add_argument(
        "--code-model",
        metavar="DIR",
        help="'load': code model (default: models/code-small, else the tiny preset, built)",
    )
    parser.add_argument("--no-install", action="store_true", help="do not install missing peers")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [s for s in args.suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
    chosen = args.suites or list(SUITES)
    command = os.environ.get(INVOKED_AS) or "python -m benchmarks " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )

    problems = [] if args.no_install else peers.ensure_installed()
    for problem in problems:
        print(f"[benchmarks] peer problem: {problem}", file=sys.stderr)
    if len(chosen) > 1 and not args.in_process:
        # One fresh interpreter per suite: the in-process engine then is the Quill that is on
        # disk when the suite starts (others change it during long runs), and no suite's
        # caches or memory weigh on the next one's timings.
        status = 0
        for name in chosen:
            child = [
                sys.executable,
                "-m",
                "benchmarks",
                name,
                "--no-install",
                "--in-process",
                "--runs",
                str(args.runs),
                *(["--quick"] if args.quick else []),
                *suite_options(name, args),
            ]
            env = dict(os.environ, **{INVOKED_AS: command.strip()})
            status |= subprocess.run(child, cwd=ROOT, env=env, check=False).returncode
        return status
    machine = machine_info()
    out_dir = report.results_dir(args.quick)
    out_dir.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in chosen:
        print(
            f"[benchmarks] {name}{' (quick)' if args.quick else ''} ...",
            file=sys.stderr,
            flush=True,
        )
        started = time.perf_counter()
        date = now_utc()
        versions = peers.versions()
        before = quill_fingerprint()
        load_average = os.getloadavg()
        try:
            data = SUITES[name](args)
        except Exception as exc:  # keep going: one broken suite must not hide the others
            status = 1
            data = {
                "suite": name,
                "tables": [],
                "summary": [f"{name}: **failed** ({type(exc).__name__}: {exc})"],
                "error": "".join(traceback.format_exception(exc))[-2000:],
            }
            print(data["error"], file=sys.stderr)
        data.update(
            {
                "command": " ".join(
                    [
                        f"python -m benchmarks {name}",
                        *(["--quick"] if args.quick else []),
                        *(shlex.quote(o) for o in suite_options(name, args)),
                    ]
                ),
                "invoked_as": command.strip(),
                "date": date,
                "machine": machine,
                # A suite may add versions of its own (libraries, models) to the peers'.
                "versions": {**versions, **data.get("versions", {})},
                "quill_fingerprint": {"before": before, "after": quill_fingerprint()},
                "load_average_at_start": [round(x, 2) for x in load_average],
                "peer_problems": problems,
                "quick": args.quick,
                "seconds": data.get("seconds", time.perf_counter() - started),
            }
        )
        (out_dir / f"{name}.json").write_text(
            json.dumps(portable(data), indent=1, default=str) + "\n", encoding="utf-8"
        )
        path = report.write(args.quick)
        print(
            f"[benchmarks] {name} done in {time.perf_counter() - started:.0f} s -> {path}",
            file=sys.stderr,
            flush=True,
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
