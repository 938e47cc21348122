"""Tenant scoping cannot be forgotten: every query on tenant-scoped tables lives in the store.

Outside `salesbrain.db` (and the migrations, which define the schema) no code compares a
`.tenant` column and no code imports the table definitions, so no code can write a raw query
that forgets the tenant.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("src/salesbrain", "service", "training", "eval")
ALLOWED = ("src/salesbrain/db/", "src/salesbrain/migrations/")
TABLES_MODULE = "salesbrain.db.tables"


def sources() -> Iterator[Path]:
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not path.relative_to(ROOT).as_posix().startswith(ALLOWED):
                yield path


def tenant_comparisons(tree: ast.AST) -> list[int]:
    """Lines testing something's `.tenant` for equality, the shape of a tenant filter.

    (`!=` stays allowed: checking a caller's tenant against a setting is no query.)"""
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Compare)
                  and any(isinstance(op, ast.Eq) for op in node.ops)
                  and any(isinstance(side, ast.Attribute) and side.attr == "tenant"
                          for side in (node.left, *node.comparators)))


def table_imports(tree: ast.AST) -> list[int]:
    """Lines importing the table definitions (`salesbrain.db.tables` or `tables` from it)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names.append(node.module or "")
        else:
            continue
        if TABLES_MODULE in names:
            found.append(node.lineno)
    return found


def test_the_checks_see_what_they_look_for() -> None:
    leaky = ast.parse("from salesbrain.db import tables as t\n"
                      "q = select(m.msgid).where(m.tenant == store.tenant)\n"
                      "r = t.c.tenant.in_(x) if 'a' == row.tenant else None\n"
                      "s = store.tenant != 'operator'\n")
    assert tenant_comparisons(leaky) == [2, 3]
    assert table_imports(leaky) == [1]
    assert table_imports(ast.parse("import salesbrain.db.tables\n")) == [1]


@pytest.mark.parametrize("path", list(sources()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_tenant_filter_or_table_query_outside_the_store(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert tenant_comparisons(tree) == [], "`.tenant ==` outside the store: add a store query"
    assert table_imports(tree) == [], "tables imported outside the store: add a store query"
