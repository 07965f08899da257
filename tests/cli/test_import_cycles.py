"""The CLI's modules import each other in one direction only: the command modules never
import cli.main (they share what they need through cli.common)."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[2] / "cli"


def _imports(path: Path) -> set[str]:
    """The cli modules a file imports, at module level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("cli.")}


def test_no_import_cycle_among_the_cli_modules() -> None:
    modules = {f"cli.{path.stem}": path for path in CLI.glob("*.py") if path.stem != "__init__"}
    graph = {name: _imports(path) & modules.keys() - {name} for name, path in modules.items()}
    assert "cli.main" in graph and len(graph) > 2

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for module in graph[todo.pop()] - seen:
                if module == goal:
                    return True
                seen.add(module)
                todo.append(module)
        return False

    assert [m for m in graph if m != "cli.main" and "cli.main" in graph[m]] == []
    assert [m for m in graph if reaches(m, m)] == []
