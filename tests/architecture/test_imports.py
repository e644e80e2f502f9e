"""The package's import graph: no circles, and a stage imports only earlier stages.

Every module under ``src/creditscore`` is parsed (``ast``), and every
``import`` and ``from ... import`` in it is an edge, wherever it stands: at
module level, inside a function, or under ``if TYPE_CHECKING``. ``from M
import a`` is an edge to the module ``M.a`` when that is a module, else to
``M`` (a package's ``__init__``). The stages, in order (ARCHITECTURE.md):

    records -> synth -> features -> models -> fairness -> explain -> reports
    -> tracking -> scoring/pipeline -> cli

with the foundation (``creditscore``, ``_atomic``, ``_errors``,
``audit_log``, ``_progress``, ``_grammar``) below them all. A module may
import its own stage and any earlier one; a circle is any strongly connected
group of two or more modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "src" / "creditscore"

#: top-level name -> stage rank (the foundation is 0)
STAGES = {
    "creditscore": 0, "_atomic": 0, "_errors": 0, "audit_log": 0, "_progress": 0,
    "_grammar": 0,
    "records": 1, "synth": 2, "features": 3, "models": 4, "fairness": 5, "explain": 6,
    "reports": 7, "tracking": 8, "scoring": 9, "spark_scoring": 9, "pipeline": 9, "supervision": 9,
    "cli": 10, "_cli_supervise": 10,
    "_cli_flat": 10, "_cli_common": 10, "_cli_records": 10, "_cli_models": 10,
    "_cli_fairness": 10, "_cli_tracking": 10, "_cli_validation": 10, "__main__": 10,
}

def _module_name(path: Path) -> tuple[str, list[str]]:
    """The dotted name of a file and the package it is in (as a list of parts)."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), parts
    return ".".join(parts), parts[:-1]


def _modules() -> dict[str, Path]:
    return {_module_name(p)[0]: p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(node: ast.ImportFrom, package: list[str]) -> str | None:
    if not node.level:
        return node.module
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _edges(path: Path, package: list[str], known: set[str]) -> dict[str, int]:
    """Imported creditscore modules -> the first line importing each."""
    out: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package)
            if base is None:
                continue
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for t in targets:
            if t.split(".")[0] == "creditscore" and t in known:
                out.setdefault(t, node.lineno)
    return out


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line} for every module of the package."""
    mods = _modules()
    known = set(mods)
    return {m: _edges(p, _module_name(p)[1], known) for m, p in mods.items()}


def _stage(module: str) -> tuple[str, int]:
    top = module.split(".")[1] if "." in module else "creditscore"
    return top, STAGES[top]


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _describe(group: list[str], graph) -> str:
    links = [f"{a} (line {graph[a][b]}) -> {b}" for a in group for b in group if b in graph[a]]
    return "import circle: " + "; ".join(links)


def test_every_module_belongs_to_a_stage():
    unknown = sorted({m for m in _modules() if _stage_or_none(m) is None})
    assert not unknown, f"modules outside every stage (add them to STAGES): {unknown}"


def _stage_or_none(module: str):
    try:
        return _stage(module)
    except KeyError:
        return None


def test_no_import_circles():
    graph = import_graph()
    found = circles(graph)
    assert not found, "\n".join(_describe(g, graph) for g in found)


def test_a_stage_imports_only_earlier_stages():
    graph = import_graph()
    bad = []
    for mod, deps in sorted(graph.items()):
        name, rank = _stage(mod)
        for dep, line in sorted(deps.items()):
            dep_name, dep_rank = _stage(dep)
            if dep_rank > rank:
                bad.append(f"{mod} (line {line}) imports {dep}: stage {name!r} may not "
                           f"import the later stage {dep_name!r}")
    assert not bad, "\n".join(bad)


def test_the_checker_finds_a_circle_and_names_the_lines():
    graph = {"a": {"b": 3}, "b": {"c": 7}, "c": {"a": 1}, "d": {"a": 2}}
    assert circles(graph) == [["a", "b", "c"]]
    assert "a (line 3) -> b" in _describe(["a", "b", "c"], graph)


def test_function_level_imports_are_edges(tmp_path):
    src = "def f():\n    from .b import x\n    import creditscore.c\n"
    p = tmp_path / "a.py"
    p.write_text(src)
    known = {"creditscore.pkg.b", "creditscore.c"}
    assert _edges(p, ["creditscore", "pkg"], known) == {"creditscore.pkg.b": 2,
                                                         "creditscore.c": 3}
