"""Dependencies point one way: the library imports none of service/, training/, eval/.

Every module's imports are read with `ast` (imports inside functions included), so a lazy
import cannot hide a dependency. A failure names the file, the line and the import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "salesbrain"
OUTSIDE = ("service", "training", "eval")
# The composition root: the one library module that wires the service in.
COMPOSITION_ROOT = LIBRARY / "cli.py"
# Dialogue preparation still lives in training/; the library's datasets package takes it over.
PENDING: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    """`salesbrain.jobs.train` for src/salesbrain/jobs/train.py, `eval.brain` for eval/brain.py."""
    relative = path.relative_to(ROOT / "src" if path.is_relative_to(LIBRARY) else ROOT)
    parts = list(relative.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, package: list[str] | None = None) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file; relative ones resolved against
    `package` (by default the file's own package)."""
    if package is None:
        package = module_name(path).split(".")
        package = package if path.name == "__init__.py" else package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            # `from salesbrain import jobs` imports the submodule salesbrain.jobs
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


def top_of(module: str, packages: tuple[str, ...]) -> str | None:
    return next((p for p in packages if module == p or module.startswith(p + ".")), None)


def python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def is_pending(where: str, module: str) -> bool:
    """Whether an import is a listed pending one (`from training import prepare_dialogues`
    reads as both `training` and `training.prepare_dialogues`)."""
    return any(where == file and (module == name or name.startswith(module + ".")
                                  or module.startswith(name + "."))
               for file, name in PENDING)


def violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        where = path.relative_to(ROOT).as_posix()
        for line, module in imports_of(path):
            if top_of(module, forbidden) and not is_pending(where, module):
                found.append(f"{where}:{line} imports {module}")
    return sorted(set(found))


def library_units() -> dict[Path, str]:
    """Each library file -> its unit: a subpackage (`salesbrain.jobs`) or a top-level module."""
    units = {}
    for path in python_files(LIBRARY):
        parts = module_name(path).split(".")
        units[path] = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
    return units


def unit_graph() -> dict[str, dict[str, str]]:
    """unit -> {imported unit: 'file:line imports module'} between the library's units."""
    units = library_units()
    names = tuple(sorted(set(units.values()) - {"salesbrain"}, key=len, reverse=True))
    graph: dict[str, dict[str, str]] = {unit: {} for unit in units.values()}
    for path, unit in units.items():
        for line, module in imports_of(path):
            target = top_of(module, names)
            if target and target != unit:
                where = f"{path.relative_to(ROOT).as_posix()}:{line} imports {module}"
                graph[unit].setdefault(target, where)
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle, as the imports that close it ('file:line imports module'), or None."""
    done: set[str] = set()

    def visit(unit: str, path: list[str]) -> list[str] | None:
        if unit in path:
            cycle = [*path[path.index(unit):], unit]
            return [graph[a][b] for a, b in zip(cycle, cycle[1:], strict=False)]
        if unit in done:
            return None
        for target in sorted(graph.get(unit, {})):
            if found := visit(target, [*path, unit]):
                return found
        done.add(unit)
        return None

    return next((found for unit in sorted(graph) if (found := visit(unit, []))), None)


def test_library_imports_no_service_training_or_eval() -> None:
    files = [p for p in python_files(LIBRARY) if p != COMPOSITION_ROOT]
    found = violations(files, OUTSIDE)
    assert not found, "\n".join(found)


def test_composition_root_imports_only_the_service() -> None:
    found = violations([COMPOSITION_ROOT], ("training", "eval"))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("training", ("eval", "service")),
    ("eval", ("training",)),
    ("service", ("training", "eval")),
])
def test_offline_and_online_folders_keep_apart(folder: str, forbidden: tuple[str, ...]) -> None:
    found = violations(python_files(ROOT / folder), forbidden)
    assert not found, "\n".join(found)


def test_no_import_cycle_between_library_units() -> None:
    cycle = find_cycle(unit_graph())
    assert cycle is None, "import cycle:\n" + "\n".join(cycle or [])


def test_no_import_cycle_between_eval_modules() -> None:
    graph: dict[str, dict[str, str]] = {}
    for path in python_files(ROOT / "eval"):
        name = module_name(path)
        graph[name] = {}
        for line, module in imports_of(path):
            if module.startswith("eval.") and module != name:
                graph[name].setdefault(module, f"eval/{path.name}:{line} imports {module}")
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + "\n".join(cycle or [])


def test_the_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from service.main import run\n    from . import intent\n",
                     encoding="utf-8")
    found = {module: line for line, module in imports_of(probe, ["salesbrain", "stages"])}
    assert found["service.main"] == 2
    assert found["salesbrain.stages.intent"] == 3


def test_find_cycle_names_the_imports_that_close_it() -> None:
    graph = {"a": {"b": "a.py:1 imports b"}, "b": {"a": "b.py:2 imports a"}, "c": {}}
    assert find_cycle(graph) == ["a.py:1 imports b", "b.py:2 imports a"]
    assert find_cycle({"a": {"b": "a.py:1 imports b"}, "b": {}}) is None
