"""Two import-linter contract types the built-in ones do not offer (used by [tool.importlinter]).

- `standard_library_only`: the modules of a package import only the standard library and each other
  (the domain core).
- `acyclic_modules`: no import cycle between any two modules of the root packages, lazy imports (inside
  functions) included, so no module needs the other half of a cycle to be imported first.
"""

from __future__ import annotations

import sys
from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class StandardLibraryOnlyContract(Contract):
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        outside: list[tuple[str, str]] = []
        for package in self.packages:  # type: ignore[attr-defined]
            members = {package} | graph.find_descendants(package)
            for module in sorted(members):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    if imported not in members and imported.split(".")[0] not in sys.stdlib_module_names:
                        outside.append((module, imported))
        return ContractCheck(kept=not outside, metadata={"outside": outside})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module, imported in check.metadata["outside"]:
            output.print(f"{module} imports {imported}, which is not in the standard library.")


class AcyclicModulesContract(Contract):
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        modules: set[str] = set()
        for package in self.packages:  # type: ignore[attr-defined]
            modules |= {package} | graph.find_descendants(package)
        edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in sorted(modules)}
        cycles = _strongly_connected(edges)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles, "edges": edges})

    def render_broken_contract(self, check: ContractCheck) -> None:
        edges: dict[str, list[str]] = check.metadata["edges"]
        for cycle in check.metadata["cycles"]:
            output.print("These modules import each other in a cycle:")
            members = set(cycle)
            for module in cycle:
                output.indent_cursor()
                output.print(f"{module} -> {', '.join(m for m in edges[module] if m in members)}")
            output.new_line()


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion: the groups of two or more modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, Any]] = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups
