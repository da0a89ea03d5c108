"""The engine is generic: no CRM object or field name appears in mapc/runtime/sync outside
the package of named behaviours (runtime/sync/behaviours/), where each is written once."""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).parents[3]
ENGINE = ROOT / "mapc" / "runtime" / "sync"
BEHAVIOURS = ENGINE / "behaviours"
STATE_STORE = {"schema.py", "state.py", "runlog.py"}
"""SQL tables of the state store: their column names (id, email, subject) are the
database's, not a CRM's."""


def crm_names() -> set[str]:
    names: set[str] = set()
    for system in ("hubspot", "salesforce"):
        catalog = json.loads((ROOT / "mapc" / "catalogs" / f"{system}.json").read_text("utf-8"))
        for obj, definition in catalog["objects"].items():
            names.add(obj)
            names.update(definition["fields"])
    return names


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    # attribute docstrings: a string expression right after an assignment
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            for stmt in stmts if isinstance(stmts, list) else ():
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    found.add(id(stmt.value))
    return found


def names_in(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and node.value in names
    ]


def test_the_generic_engine_names_no_crm_object_or_field() -> None:
    names = crm_names()
    assert {"contacts", "Contact", "AccountId", "hs_email_optout", "Id"} <= names
    found = [
        hit
        for path in sorted(ENGINE.rglob("*.py"))
        if BEHAVIOURS not in path.parents and path.name not in STATE_STORE
        for hit in names_in(path, names)
    ]
    assert found == []


def test_the_check_finds_a_name_where_there_is_one(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text('"""doc."""\nif name == "contacts":\n    x = "AccountId"\n', "utf-8")
    hits = names_in(module, crm_names())
    assert sorted(h.split(": ", 1)[1] for h in hits) == ["'AccountId'", "'contacts'"]
