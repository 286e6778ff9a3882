"""The layer rules of ``server/``, read from the source with ``ast`` (nothing is imported):

* the engine is pure: it imports no LSP (pygls, lsprotocol), no model runtime (onnxruntime,
  tokenizers), no training stack (torch, transformers...), and nothing of ``server`` outside
  ``server.engine`` (not the LSP server, the runtimes, the command line or the workspace);
* only ``server/runtime`` imports onnxruntime, and nothing in ``server/`` imports the training
  stack, so serving needs neither a GPU stack nor torch;
* no import cycle among the modules of ``server/``, nor among those of ``training/``.

Every import counts, wherever it stands: inside a function (a deferred import is still a
dependency) or under ``TYPE_CHECKING`` (a cycle through types is still a cycle).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LSP = frozenset({"pygls", "lsprotocol"})
RUNTIME = frozenset({"onnxruntime", "tokenizers"})
TRAINING = frozenset(
    {
        "torch",
        "transformers",
        "accelerate",
        "peft",
        "optimum",
        "onnx",
        "huggingface_hub",
        "spacy",
        "errant",
        "lemminflect",
        "training",
    }
)


@dataclass(frozen=True)
class Import:
    """One module's import of another: ``module`` imports ``target`` at ``where``."""

    module: str
    target: str
    where: str

    @property
    def top(self) -> str:
        return self.target.split(".")[0]


@cache
def package_modules(package: str = "server") -> dict[str, Path]:
    """Every module of ``package`` (``server/`` unless told) by dotted name (a package by its
    ``__init__.py``)."""
    modules: dict[str, Path] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _known(name: str, package: str = "server") -> str:
    """``name`` as a module of ``package`` (``server.x.Y`` -> ``server.x``); others as given."""
    modules = package_modules(package)
    while name.startswith(f"{package}.") and name not in modules:
        name = name.rsplit(".", 1)[0]
    return name


def _base(module: str, node: ast.ImportFrom, package: str = "server") -> str:
    """The module a ``from ... import`` reads from, relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    is_package = package_modules(package)[module].name == "__init__.py"
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


@cache
def imports(package: str = "server") -> tuple[Import, ...]:
    """Every import of every module of ``package`` (``server/`` unless told)."""
    found: list[Import] = []
    modules = package_modules(package)
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _base(module, node, package)
                # ``from . import actions`` imports a module; ``from .x import name`` reads x.
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            else:
                continue
            found += [Import(module, _known(t, package), where) for t in targets]
    return tuple(found)


def _described(found: list[Import]) -> list[str]:
    return [f"{i.where}: {i.module} imports {i.target}" for i in found]


def test_the_modules_are_found() -> None:
    modules = package_modules()
    assert {"server.engine.checker", "server.lsp.server", "server.runtime.session"} <= set(modules)
    assert any(i.target == "onnxruntime" for i in imports())


def test_the_engine_imports_no_lsp_runtime_or_training_package() -> None:
    banned = LSP | RUNTIME | TRAINING
    bad = [
        i
        for i in imports()
        if i.module.startswith("server.engine")
        and (i.top in banned or (i.top == "server" and not i.target.startswith("server.engine")))
    ]
    assert not bad, _described(bad)


def test_only_the_runtime_imports_onnxruntime_and_nothing_imports_the_training_stack() -> None:
    bad = [
        i
        for i in imports()
        if (i.top == "onnxruntime" and not i.module.startswith("server.runtime"))
        or i.top in TRAINING
    ]
    assert not bad, _described(bad)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, ..., a]``), or None when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


@pytest.mark.parametrize("package", ["server", "training"])
def test_no_import_cycle_among_the_modules_of_a_package(package: str) -> None:
    edges: dict[str, set[str]] = {}
    for i in imports(package):
        if i.top == package and i.target != i.module:
            edges.setdefault(i.module, set()).add(i.target)
    assert len(package_modules(package)) > 20
    assert _cycle(edges) is None, " -> ".join(_cycle(edges) or [])


def test_a_cycle_is_found_where_there_is_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}}) is None
