#!/usr/bin/env python3
"""Every import cycle among the modules of a package (cleaner/ by default), read from the source.

    python3 scripts/import_cycles.py                 # cleaner/ of this repository
    python3 scripts/import_cycles.py path/to/pkg     # another package folder

Static: each module's syntax tree is read, never imported. Every import counts, wherever it is (at
the top, inside a function, under `if TYPE_CHECKING:`): an import deferred into a function still
ties the two modules together. `from P import y` is an edge to the submodule `P.y` when there is
one, else to P (y is a name P defines); and to P itself unless P is a package the importing module
is in. The implicit import of a parent package (`cleaner.read` before `cleaner.read.files`) is
not an edge: Python always enters a package before its modules.

Output: one line per cycle, `a -> b -> a`, then for each step the file and line of its import; the
cycles are the elementary ones (no module twice), each started at its first module in name order.
Exit status: 0 no cycle, 1 at least one cycle, 2 a file that does not parse or no such folder.
"""
from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE = REPO / "cleaner"
# Exit statuses.
EXIT_NO_CYCLE = 0
EXIT_CYCLES = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class Edge:
    """One import: module `source` imports module `target`, at `path`:`line` (1-based)."""

    source: str
    target: str
    path: Path
    line: int


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under `package` (its folder name is the top
    name): `cleaner/read/files.py` -> `cleaner.read.files`, `cleaner/read/__init__.py` -> `cleaner.read`."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _known_prefix(name: str, known: dict[str, Path]) -> str | None:
    """`name`, or its longest dotted prefix that is a module of the package (`pkg.mod.attr` ->
    `pkg.mod`); None when none is."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _from_base(module: str, is_package: bool, node: ast.ImportFrom) -> str | None:
    """The absolute name a `from ... import` reads from; None when the dots climb out of the top."""
    if node.level == 0:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    climb = node.level - 1
    if climb >= len(base):
        return None
    base = base[: len(base) - climb]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path, known: dict[str, Path]) -> list[Edge]:
    """Every import in `path` (module `module`) of another module of the package, in line order.
    Raises SyntaxError when the file does not parse."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    is_package = path.name == "__init__.py"
    edges = []
    for node in ast.walk(tree):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_known_prefix(alias.name, known) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(module, is_package, node)
            if base is None:
                continue
            package_of_base = _known_prefix(base, known)
            if not module.startswith(base + "."):   # an ancestor package is entered already
                targets.append(package_of_base)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.append(submodule if submodule in known else package_of_base)
        for target in targets:
            if target is not None and target != module:
                edges.append(Edge(module, target, path, node.lineno))
    return sorted(edges, key=lambda e: (e.line, e.target))


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of `graph` (node -> successors), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle of `graph` (node -> successors), each as its nodes in order starting
    at its smallest name (the first node is not repeated at the end); sorted by length, then names."""
    found = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        for start in sorted(component):
            # cycles through `start` whose other nodes all sort after it: each cycle found once
            allowed = {n for n in component if n > start}
            path = [start]
            work = [iter(sorted(graph[start] & (allowed | {start})))]
            while work:
                for nxt in work[-1]:
                    if nxt == start:
                        found.append(list(path))
                    elif nxt not in path:
                        path.append(nxt)
                        work.append(iter(sorted(graph[nxt] & (allowed | {start}))))
                        break
                else:
                    work.pop()
                    path.pop()
    return sorted(found, key=lambda c: (len(c), c))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", nargs="?", type=Path, default=DEFAULT_PACKAGE,
                        help="the package's folder (default: cleaner/ of this repository)")
    args = parser.parse_args(argv)
    package = args.package.resolve()
    if not (package / "__init__.py").is_file():
        print(f"import_cycles: {args.package}: not a package folder (no __init__.py)", file=sys.stderr)
        return EXIT_UNREADABLE
    known = modules(package)
    graph: dict[str, set[str]] = {name: set() for name in known}
    first_edge: dict[tuple[str, str], Edge] = {}
    for name, path in known.items():
        try:
            found = imports(name, path, known)
        except SyntaxError as exc:
            print(f"import_cycles: {path}:{exc.lineno}: does not parse: {exc.msg}", file=sys.stderr)
            return EXIT_UNREADABLE
        for edge in found:
            graph[name].add(edge.target)
            first_edge.setdefault((edge.source, edge.target), edge)
    every = cycles(graph)
    for cycle in every:
        print(" -> ".join(cycle + [cycle[0]]))
        for source, target in zip(cycle, cycle[1:] + cycle[:1]):
            edge = first_edge[(source, target)]
            where = edge.path.relative_to(package.parent)
            print(f"    {where}:{edge.line} imports {target}")
    if every:
        plural = "" if len(every) == 1 else "s"
        print(f"{len(every)} import cycle{plural} among the {len(known)} modules of {package.name}")
        return EXIT_CYCLES
    print(f"no import cycle among the {len(known)} modules of {package.name}")
    return EXIT_NO_CYCLE


if __name__ == "__main__":
    sys.exit(main())
