"""The house: layers whose directions are enforced, no import cycles, small modules, one copy of each file."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import grimp
import pytest
from conftest import ROOT

PACKAGE = ROOT / "b12cohort"
MAX_MODULE_LINES = 600


@pytest.mark.slow
def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); components with more than one module are cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycle_between_any_two_modules():
    # grimp sees imports inside functions too; a package's __init__ importing its own
    # submodules is not a cycle, so edges into a package from its own children are ignored
    graph = grimp.build_graph("b12cohort", include_external_packages=False)
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if module.startswith(imported + "."):
                continue
            edges[module].add(imported)
    assert _strongly_connected(dict(edges)) == []


def test_no_module_is_longer_than_the_house_limit():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these by concern (limit {MAX_MODULE_LINES} lines): {long}"


def test_every_subpackage_says_what_lives_there_and_what_it_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8"))) or ""
        if init.parent.name == "_bundled":
            continue
        assert "May import" in doc, f"{init.relative_to(ROOT)} lacks its 'May import' paragraph"


def test_the_package_list_in_pyproject_matches_the_tree():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    mapped = set(config["tool"]["setuptools"]["package-dir"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert listed == on_disk | mapped


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.decode().split("\0") if p]


def test_no_tracked_file_is_stored_twice_outside_the_report():
    by_hash: dict[str, list[str]] = defaultdict(list)
    for path in _tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("reports/") or not path.is_file() or path.stat().st_size == 0:
            continue
        if path.name == "__init__.py" and path.stat().st_size < 200:
            continue
        by_hash[hashlib.sha256(path.read_bytes()).hexdigest()].append(rel)
    twice = [paths for paths in by_hash.values() if len(paths) > 1]
    assert twice == []
