"""The reuse of papers the state already holds (the plan's 80 % target), defined once.

Of the papers a case needed that the state already held (on file and valid when the case was submitted),
the share the citizen did not have to supply again. A case whose citizen had nothing on file does not count:
first-time citizens are neither a success nor a failure of reuse. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePapers:
    """One case's papers that the state held: taken from the file, or supplied again by the citizen."""

    reused: int
    resupplied: int

    @property
    def held(self) -> int:
        return self.reused + self.resupplied


@dataclass(frozen=True)
class ReuseFigure:
    cases: int  # cases in which the state held at least one of the needed papers
    held: int  # papers needed that the state held
    not_resupplied: int  # of those, papers the citizen did not bring again

    @property
    def share(self) -> float | None:
        """None when the state held nothing the cases needed (no data, not 100 %)."""
        return self.not_resupplied / self.held if self.held else None


def reuse_figure(cases: Iterable[CasePapers]) -> ReuseFigure:
    counted = held = not_resupplied = 0
    for case in cases:
        if case.held == 0:
            continue  # nothing on file for this citizen: the case says nothing about reuse
        counted += 1
        held += case.held
        not_resupplied += case.reused
    return ReuseFigure(counted, held, not_resupplied)
