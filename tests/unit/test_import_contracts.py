"""The custom import-linter contracts find what they promise to find."""

from __future__ import annotations

import grimp

from tests.architecture.contracts import (
    AcyclicModulesContract,
    StandardLibraryOnlyContract,
    _strongly_connected,
)


def test_cycles_are_found_and_chains_are_not() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e2"], "e2": []}
    assert _strongly_connected(edges) == [["a", "b", "c"]]
    assert _strongly_connected({"x": ["y"], "y": []}) == []


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    built = grimp.ImportGraph()
    for package in ("pkg", "core", "core.domain"):
        built.add_module(package)
    for importer, imported in imports:
        built.add_import(importer=importer, imported=imported)
    return built


def test_a_lazy_import_that_closes_a_cycle_breaks_the_contract() -> None:
    contract = AcyclicModulesContract("cycles", {}, {"packages": ["pkg"]})
    built = graph(("pkg.ports", "pkg.camera"), ("pkg.camera", "pkg.ports"), ("pkg", "pkg.ports"))
    assert not contract.check(built, verbose=False).kept
    assert contract.check(graph(("pkg.camera", "pkg.ports")), verbose=False).kept


def test_a_third_party_import_in_the_domain_breaks_the_contract() -> None:
    contract = StandardLibraryOnlyContract("domain", {}, {"packages": ["core.domain"]})
    clean = graph(("core.domain.tickets", "datetime"), ("core.domain.tickets", "core.domain.errors"))
    assert contract.check(clean, verbose=False).kept
    dirty = graph(("core.domain.tickets", "pydantic"), ("core.domain.calling", "core.db"))
    check = contract.check(dirty, verbose=False)
    assert not check.kept
    assert sorted(check.metadata["outside"]) == [
        ("core.domain.calling", "core.db"),
        ("core.domain.tickets", "pydantic"),
    ]
