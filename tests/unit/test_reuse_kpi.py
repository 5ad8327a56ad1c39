"""The reuse KPI on hand-made histories: first-time citizens do not count; re-supplied papers do."""

from __future__ import annotations

from queue_server.domain.reuse import CasePapers, reuse_figure


def test_first_time_citizens_give_no_figure_not_100_percent() -> None:
    figure = reuse_figure([CasePapers(reused=0, resupplied=0)] * 5)
    assert (figure.cases, figure.held, figure.share) == (0, 0, None)


def test_a_paper_brought_again_counts_against_reuse() -> None:
    history = [
        CasePapers(reused=0, resupplied=0),  # first visit: nothing on file
        CasePapers(reused=1, resupplied=0),  # second visit: the proof of residence came from the file
        CasePapers(reused=0, resupplied=1),  # third visit: the citizen uploaded it again anyway
        CasePapers(reused=2, resupplied=1),  # two taken from the file, one brought again
    ]
    figure = reuse_figure(history)
    assert (figure.cases, figure.held, figure.not_resupplied) == (3, 5, 3)
    assert figure.share == 3 / 5


def test_every_held_paper_reused_is_full_reuse() -> None:
    figure = reuse_figure([CasePapers(reused=1, resupplied=0), CasePapers(reused=3, resupplied=0)])
    assert figure.share == 1.0 and figure.cases == 2
