"""`motcua office import FILE.csv` and `motcua office export FILE.csv`: the offices of a province in a sheet.

Each CSV row is one office: `code,name_vi,name_en,parent,template,counters`. A new office takes its hours,
notices, queues and counters from `template` (an office already in the config or an earlier row); `counters`
says how many desks it has (default: as many as the template). Every row is checked before anything is
written; problems are listed as `file:line: problem`. The new offices are appended to offices.toml,
queues.toml and counters.toml, and the whole config is loaded again: if it does not load, the files are put
back as they were.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLUMNS = ("code", "name_vi", "name_en", "parent", "template", "counters")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,15}$")
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
FILES = {"office": "offices.toml", "queue": "queues.toml", "counter": "counters.toml"}


@dataclass
class Tables:
    """The raw [[office]], [[queue]] and [[counter]] tables of a config directory."""

    office: list[dict[str, Any]] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    counter: list[dict[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[dict[str, Any]]:
        tables: list[dict[str, Any]] = getattr(self, kind)
        return tables


class ImportRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_tables(config_dir: Path) -> Tables:
    tables = Tables()
    for kind, name in FILES.items():
        path = config_dir / name
        if path.exists():
            tables.of(kind).extend(tomllib.loads(path.read_text(encoding="utf-8")).get(kind, []))
    return tables


def plan_import(csv_path: Path, existing: Tables) -> Tables:
    """The tables to add for every row, or ImportRefused listing every problem as `file:line: problem`."""
    known = {office["code"]: office for office in existing.office}
    added = Tables()
    problems: list[str] = []
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("code", "name_vi", "template") if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRefused(
                [f"{csv_path}:1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"]
            )
        for row in reader:
            where = f"{csv_path}:{reader.line_num}"
            office, row_problems = _office_from_row(row, known, existing, added)
            problems.extend(f"{where}: {problem}" for problem in row_problems)
            if office is not None:
                known[office["code"]] = office
    if problems:
        raise ImportRefused(problems)
    return added


def _office_from_row(
    row: dict[str, str | None], known: dict[str, dict[str, Any]], existing: Tables, added: Tables
) -> tuple[dict[str, Any] | None, list[str]]:
    value = {column: (row.get(column) or "").strip() for column in COLUMNS}
    code, parent, template = value["code"].upper(), value["parent"].upper(), value["template"].upper()
    problems = []
    if not CODE.match(code):
        problems.append(
            f"code {value['code']!r}: 2–16 of A-Z, 0-9, '_', '-', starting with a letter or digit"
        )
    elif code in known:
        problems.append(f"office {code} exists already")
    if not value["name_vi"]:
        problems.append("name_vi is empty: every office needs its Vietnamese name")
    if parent and parent not in known:
        problems.append(f"parent {parent}: no such office in the config or in an earlier line")
    if template not in known:
        problems.append(
            f"template {template or '(empty)'}: no such office in the config or in an earlier line"
        )
    counters = _counter_count(value["counters"], problems)
    if problems:
        return None, problems
    office = {**copy.deepcopy(known[template]), "code": code, "name_vi": value["name_vi"]}
    office["name_en"] = value["name_en"]
    office["parent"] = parent
    added.office.append(office)
    queues = [q for q in [*existing.queue, *added.queue] if q["office"] == template]
    added.queue.extend({**copy.deepcopy(q), "office": code} for q in queues)
    desks = sorted((c for c in [*existing.counter, *added.counter] if c["office"] == template), key=_number)
    if desks:
        for number in range(1, (counters or len(desks)) + 1):
            model = desks[min(number, len(desks)) - 1]  # more desks than the template: like its last one
            added.counter.append({**copy.deepcopy(model), "office": code, "number": number})
    return office, []


def _number(counter: dict[str, Any]) -> int:
    return int(counter["number"])


def _counter_count(text: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 999:
        problems.append(f"counters {text!r}: a whole number of desks from 1 to 999")
        return None
    return int(text)


def apply_import(config_dir: Path, added: Tables) -> None:
    """Append the new tables, then load the whole config; put the files back if it does not load."""
    from queue_server.config import ConfigError, load_config

    before = {name: (config_dir / name).read_text(encoding="utf-8") for name in FILES.values()}
    try:
        for kind, name in FILES.items():
            blocks = "".join("\n" + toml_table(kind, table) for table in added.of(kind))
            if blocks:
                (config_dir / name).write_text(before[name].rstrip("\n") + "\n" + blocks, encoding="utf-8")
        load_config(config_dir)
    except (ConfigError, OSError) as error:
        for name, text in before.items():
            (config_dir / name).write_text(text, encoding="utf-8")
        raise ImportRefused(
            [f"{config_dir}: the config would not load, nothing was changed: {error}"]
        ) from error


def export_offices(config_dir: Path, csv_path: Path) -> int:
    tables = read_tables(config_dir)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for office in tables.office:
            desks = sum(1 for c in tables.counter if c["office"] == office["code"])
            writer.writerow(
                [
                    office["code"],
                    office["name_vi"],
                    office.get("name_en", ""),
                    office.get("parent", ""),
                    "",
                    desks,
                ]
            )
    return len(tables.office)


def toml_table(kind: str, table: dict[str, Any]) -> str:
    """One [[kind]] table in TOML; dict values become [kind.key] sub-tables."""
    lines = [f"[[{kind}]]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for key, sub in table.items():
        if isinstance(sub, dict):
            lines += ["", f"[{kind}.{_key(key)}]", *(f"{_key(k)} = {_value(v)}" for k, v in sub.items())]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    office = subparsers.add_parser("office", help="import or export the offices of a province (CSV)")
    office_sub = office.add_subparsers(dest="office_command", required=True)
    importing = office_sub.add_parser(
        "import", help="add offices from a CSV (hours, counters, queues from a template)"
    )
    importing.add_argument("file", type=Path)
    importing.add_argument("--config-dir", type=Path, default=None, help="default: MOTCUA_CONFIG_DIR")
    importing.set_defaults(handler=_import)
    exporting = office_sub.add_parser("export", help="write every office of the config to a CSV")
    exporting.add_argument("file", type=Path)
    exporting.add_argument("--config-dir", type=Path, default=None, help="default: MOTCUA_CONFIG_DIR")
    exporting.set_defaults(handler=_export)


def _config_dir(args: argparse.Namespace) -> Path:
    from queue_server.settings import ServerSettings

    return Path(args.config_dir or ServerSettings().config_dir)


def _import(args: argparse.Namespace) -> int:
    config_dir = _config_dir(args)
    try:
        if not args.file.is_file():
            raise ImportRefused([f"{args.file}: no such file"])
        added = plan_import(args.file, read_tables(config_dir))
        apply_import(config_dir, added)
    except ImportRefused as refused:
        print(*refused.problems, sep="\n", file=sys.stderr)
        print(f"motcua: nothing imported ({len(refused.problems)} problem(s))", file=sys.stderr)
        return 1
    print(
        f"imported {len(added.office)} office(s), {len(added.queue)} queue(s), "
        f"{len(added.counter)} counter(s) into {config_dir}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    count = export_offices(_config_dir(args), args.file)
    print(f"exported {count} office(s) to {args.file}")
    return 0
