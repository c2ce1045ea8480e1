"""The calibration chart on the Beliefs screen's calibration tab: each credence bin's mean stated
credence against how often its beliefs came true, over the diagonal of perfect calibration
(drawn by advisor.journal.render.draw_calibration, the same chart `advisor beliefs calibration`
prints)."""

from __future__ import annotations

from typing import Any

from textual.containers import Vertical
from textual.widgets import Static

from advisor.journal.render import draw_calibration

CAPTION = "● a credence bin: said (x) against came true (y) · on the dotted diagonal you are calibrated"


class CalibrationChart(Vertical):
    """The chart (textual-plotext) and its caption."""

    DEFAULT_CSS = """
    CalibrationChart { width: 1fr; min-width: 30; height: auto; }
    CalibrationChart #calibration-plot { height: 17; }
    CalibrationChart #calibration-caption { color: $text-muted; height: auto; }
    """

    def compose(self) -> Any:
        from textual_plotext import PlotextPlot

        yield PlotextPlot(id="calibration-plot")
        yield Static(CAPTION, id="calibration-caption")

    def show(self, report: Any) -> None:
        """Draw a CalibrationReport (an empty one shows the diagonal alone)."""
        plot: Any = self.query_one("#calibration-plot")
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        draw_calibration(plt, report)
        plot.refresh()
