"""The folder tree is the map (issue 11): the core never imports Telegram, SQL lives in store/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node.lineno, id(node) in top))
    return found


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _root(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_core_never_imports_telegram() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules("digests")
        for module, line, at_top in _imports(path)
        if _root(module) == "telegram" or (_root(module) == "bot" and at_top)
    ]
    assert offending == []


def test_sql_is_written_only_in_store() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules("digests", "bot")
        if "store" not in path.relative_to(ROOT).parts[:2]
        and "migrations" not in path.relative_to(ROOT).parts
        for module, line, _ in _imports(path)
        if _root(module) in ("sqlalchemy", "sqlmodel")
    ]
    assert offending == []
