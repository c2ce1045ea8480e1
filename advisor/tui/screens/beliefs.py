"""Beliefs: each one's credence over time (a plot), its history with reasons, resolution, and
calibration (Brier score and table) over resolved beliefs."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from advisor.journal.models import fmt_credence
from advisor.journal.render import credence_plot, signed, sparkline
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.calibration_chart import CalibrationChart
from advisor.tui.widgets.diff_view import hanging
from advisor.tui.widgets.key_bar import KeyBar


def _plot_widget() -> Any:
    try:
        from textual_plotext import PlotextPlot

        return PlotextPlot(id="belief-plot")
    except Exception:  # noqa: BLE001 - fall back to the journal's own text plot
        return None


#: The table's fixed columns (label, key, width); the statement takes the rest (and wraps).
WIDE_COLUMNS = (("#", "id", 4), ("Now", "now", 5), ("n", "n", 2), ("Δ", "delta", 4), ("History", "spark", 10))
NARROW_COLUMNS = (("#", "id", 4), ("Now", "now", 5), ("Δ", "delta", 4), ("History", "spark", 7))


class BeliefsScreen(Screen):
    """The beliefs table beside (at 100 columns and more) or above one belief's plot and history;
    a second tab holds the calibration over resolved beliefs and its chart (c opens it, b comes back)."""

    SCOPED_CSS = False  # the rules below name the screen themselves (its -narrow class among them)
    DEFAULT_CSS = """
    BeliefsScreen #beliefs-body { height: 1fr; layout: horizontal; }
    BeliefsScreen #belief-table { width: 1fr; height: 1fr; }
    BeliefsScreen #belief-detail { width: 1fr; padding: 0 1; }
    BeliefsScreen #belief-history { height: auto; }
    BeliefsScreen PlotextPlot { height: 12; min-height: 8; }
    BeliefsScreen.-narrow #beliefs-body { layout: vertical; }
    BeliefsScreen.-narrow #belief-table { width: 1fr; height: 45%; }
    BeliefsScreen.-narrow #belief-detail { width: 1fr; height: 1fr; }
    BeliefsScreen.-narrow PlotextPlot { height: 9; }
    BeliefsScreen #calibration-table { width: 56; height: 1fr; padding: 0 1; }
    BeliefsScreen #calibration-body.-narrow { layout: vertical; overflow-y: auto; }
    BeliefsScreen #calibration-body.-narrow #calibration-table { width: 1fr; height: auto; }
    """
    #: Below this width the calibration chart goes under the table instead of beside it.
    CHART_BESIDE_MIN_WIDTH = 96

    BINDINGS = [
        Binding("r", "resolve", "Resolve"),
        Binding("u", "undo_resolution", "Undo resolution"),
        Binding("c", "show_tab('calibration')", "Calibration"),
        Binding("b", "show_tab('beliefs')", "Beliefs"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, belief_id: int | None = None, tab: str = "beliefs") -> None:
        super().__init__()
        self.belief_id = belief_id
        self.tab = tab
        self._beliefs: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Beliefs · credence over time, resolution, calibration", show_model=False)
        with TabbedContent(initial=self.tab, id="belief-tabs"):
            with TabPane("Beliefs", id="beliefs"), Horizontal(id="beliefs-body"):
                yield DataTable(id="belief-table", cursor_type="row")
                with VerticalScroll(id="belief-detail"):
                    plot = _plot_widget()
                    if plot is not None:
                        yield plot
                    else:
                        yield Static("", id="belief-textplot")
                    yield Static("", id="belief-history")
            with TabPane("Calibration", id="calibration"), Horizontal(id="calibration-body"):
                with VerticalScroll(id="calibration-table"):
                    yield Static("", id="calibration-text")
                yield CalibrationChart(id="calibration-chart")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_beliefs()
        self.refresh_calibration()
        self._focus_tab(self.tab)

    # ------------------------------------------------------------------ tabs
    def action_show_tab(self, tab: str) -> None:
        """Open a tab and put the focus in it (TabbedContent shows the tab that holds the focus, so
        moving it is what makes the switch stick)."""
        self.query_one("#belief-tabs", TabbedContent).active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        self.tab = tab
        self.query_one("#belief-table" if tab == "beliefs" else "#calibration-table").focus()
        self.refresh_bindings()

    @on(TabbedContent.TabActivated, "#belief-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id and event.pane.id != self.tab:
            self._focus_tab(event.pane.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab":
            return parameters[0] != self.tab  # the key for the other tab only
        if action == "resolve":
            return self.tab == "beliefs"
        if action == "undo_resolution":  # offered once a resolution was made here, until undone
            return self.tab == "beliefs" and getattr(self.app, "last_resolution", None) is not None
        return True

    # ------------------------------------------------------------------ beliefs
    def refresh_beliefs(self) -> None:
        app: Any = self.app
        self._beliefs = app.journal.list_beliefs()
        self._show_rows()
        if not self._beliefs:
            self.query_one("#belief-history", Static).update(
                "No beliefs yet. They come from journaling a conversation (j on Home) or a session's Before stage.")
            return
        ids = [b.belief.id for b in self._beliefs]
        row = ids.index(self.belief_id) if self.belief_id in ids else 0
        self.query_one("#belief-table", DataTable).move_cursor(row=row)
        self._show(ids[row])

    def _show_rows(self) -> None:
        """The table at the width it has now: fewer columns when narrow, the statement wrapping."""
        from advisor.tui.widgets.statement_table import show_rows

        columns = NARROW_COLUMNS if self.has_class("-narrow") else WIDE_COLUMNS
        rows = []
        for b in self._beliefs:
            statement = b.belief.statement
            if b.belief.resolution:
                statement += f"  [resolved: {b.belief.resolution}]"
            elif b.belief.resolve_by:
                statement += f"  [resolves by {b.belief.resolve_by.isoformat()}]"
            cells = {"id": f"#{b.belief.id}", "now": "drop" if b.dropped else fmt_credence(b.latest),
                     "n": str(b.times_rated), "delta": signed(b.last_change) if b.last_change is not None else ""}
            cells["spark"] = sparkline(b.history, dict((k, w) for _, k, w in columns)["spark"])
            rows.append([cells[key] for _, key, _ in columns] + [statement])
        table = self.query_one("#belief-table", DataTable)
        show_rows(table, columns, rows, [str(b.belief.id) for b in self._beliefs],
                  table.content_size.width or self.size.width)

    def on_resize(self) -> None:
        self.query_one("#calibration-body").set_class(self.size.width < self.CHART_BESIDE_MIN_WIDTH, "-narrow")
        self.call_after_refresh(self._show_rows)

    @on(DataTable.RowHighlighted, "#belief-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key:
            self._show(int(key))

    def _show(self, belief_id: int) -> None:
        app: Any = self.app
        self.belief_id = belief_id
        history = app.journal.belief_history(belief_id)
        points = [p for p in history.points if p.credence is not None]
        try:
            plot = self.query_one("#belief-plot")
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            plt.title(f"#{belief_id} credence by rating")
            plt.ylim(0, 100)
            if points:
                xs = list(range(1, len(points) + 1))
                plt.plot(xs, [p.credence for p in points], marker="braille")
                plt.scatter(xs, [p.credence for p in points], marker="dot")
                plt.xticks(xs)
            plot.refresh()
        except Exception:  # noqa: BLE001 - no plotext: the text plot instead
            try:
                self.query_one("#belief-textplot", Static).update(credence_plot(history, height=9, width=40))
            except Exception:  # noqa: BLE001
                pass
        b = history.belief
        lines = [b.statement, ""]
        for i, p in enumerate(history.points, 1):
            value = "dropped" if p.dropped else fmt_credence(p.credence)
            lines.append(f"{i:>2}. {value:>7}  {p.phase:<4} #{p.entry_id} {p.entry_about}")
            if p.reason:
                lines.append(f"              why: {p.reason}")
        if b.resolution:
            lines.append(f"\nResolved: {b.resolution}")
        elif b.resolve_by:
            lines.append(f"\nResolves by {b.resolve_by.isoformat()} · r to resolve")
        else:
            lines.append("\nr: resolve it (or set a resolve-by date) · c: calibration")
        self.query_one("#belief-history", Static).update(Text("\n".join(lines)))

    def refresh_calibration(self) -> None:
        app: Any = self.app
        from advisor.journal.calibration import calibration

        report = calibration(app.journal)
        lines = ["Calibration over resolved beliefs (last credence before resolution).", ""]
        if report.brier is None:
            lines.append("No resolved yes/no beliefs yet. Resolve one with r on the Beliefs tab.")
        else:
            lines.append(f"Brier score: {report.brier:.3f}  over {len(report.forecasts)} belief(s) "
                         "(0 is perfect; always saying 50% scores 0.250)")
            lines.append("")
            lines.append("  credence   count   mean said   came true")
            for bin_ in report.bins:
                if not bin_.count:
                    continue
                lines.append(f"  {bin_.low:>3}-{bin_.high:<3}%   {bin_.count:>5}   "
                             f"{fmt_credence(round(bin_.mean_credence or 0, 1)):>9}   "
                             f"{fmt_credence(round(bin_.observed or 0, 1)):>9}")
            lines.append("")
        forecasts = hanging((f"  {fmt_credence(f.credence):>5}  {'yes' if f.outcome else 'no ':<3}",
                             f"#{f.belief_id} {f.statement}") for f in report.forecasts)
        parts: list[Any] = [Text("\n".join(lines)), forecasts]
        if report.ambiguous:
            parts.append(Text(f"\n{report.ambiguous} resolved ambiguous (not scored)."))
        self.query_one("#calibration-text", Static).update(Group(*parts))
        self.query_one("#calibration-chart", CalibrationChart).show(report)

    def action_resolve(self) -> None:
        if self.belief_id is None:
            return
        from advisor.tui.screens.resolve import ask_to_resolve

        ask_to_resolve(self.app, self.belief_id, then=self._after_resolution)

    def action_undo_resolution(self) -> None:
        from advisor.tui.screens.resolve import undo_last_resolution

        undo_last_resolution(self.app)
        self._after_resolution()

    def _after_resolution(self) -> None:
        self.refresh_beliefs()
        self.refresh_calibration()
        self.refresh_bindings()

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [("Beliefs: resolve the highlighted belief", "r", self.action_resolve),
                ("Beliefs: undo the last resolution", "u", self.action_undo_resolution),
                ("Beliefs: calibration table", "c", lambda: self.action_show_tab("calibration"))]
