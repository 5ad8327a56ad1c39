"""The domain core imports nothing but the standard library and itself (docs/architecture.md: dependencies point inward)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "queue_server" / "domain"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(
                node.module if node.module.startswith("queue_server.domain") else node.module.split(".")[0]
            )
    return roots


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_uses_only_the_standard_library(path: Path) -> None:
    outside = {
        root
        for root in imported_roots(path)
        if root not in sys.stdlib_module_names
        and root != "__future__"
        and not root.startswith("queue_server.domain")
    }
    assert not outside, f"{path.name} imports {sorted(outside)}"
