"""Every write goes through the unit of work (docs/architecture.md, "The life of a write"): no module but
queue_server/db/unit_of_work.py opens a write session of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import queue_server

ROOT = Path(queue_server.__file__).parent
THE_UNIT_OF_WORK = ROOT / "db" / "unit_of_work.py"


def write_sessions(source: str) -> list[int]:
    """Lines that call `<something>.write()` on a database (`db.write()`, `ctx.db.write()`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "write"
            and not node.args
            and isinstance(node.func.value, (ast.Name, ast.Attribute))
            and (getattr(node.func.value, "id", None) or getattr(node.func.value, "attr", None)) == "db"
        ):
            found.append(node.lineno)
    return found


def test_the_finder_finds_a_write_session() -> None:
    assert write_sessions("with self.ctx.db.write() as session:\n    pass\n") == [1]
    assert write_sessions("with db.write() as s:\n    pass\n") == [1]
    assert write_sessions("handle.write(b'x')\nfile.write()\n") == []


def test_only_the_unit_of_work_opens_a_write_session() -> None:
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if path != THE_UNIT_OF_WORK
        for line in write_sessions(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "write through UnitOfWork instead: " + ", ".join(offenders)
