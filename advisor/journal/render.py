"""Plain-text views of the journal (diffs, sparklines, a credence plot), shared by the CLI and the TUI.

Imports no model at run time (pydantic): Home draws its sparklines before the models load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.journal.calibration import CalibrationReport
    from advisor.journal.models import BeliefHistory, DiffRow, EntryDiff

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def fmt_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def fmt_credence(credence: float | None) -> str:
    return "—" if credence is None else f"{fmt_number(credence)}%"


def sparkline(values: Sequence[float | None], width: int | None = None) -> str:
    """Credences (0–100) as block characters, oldest first; gaps for dropped ratings."""
    values = list(values)[-width:] if width else list(values)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(SPARK_BLOCKS[min(len(SPARK_BLOCKS) - 1, int(v / 100 * len(SPARK_BLOCKS)))])
    return "".join(out)


def signed(change: float) -> str:
    text = f"{change:+.0f}" if float(change).is_integer() else f"{change:+.1f}"
    return text.replace("+0", "±0") if change == 0 else text


def format_diff(diff: EntryDiff) -> str:
    """The pre→post diff: what moved most first, then new beliefs, dropped ones and unrated ones."""
    e = diff.entry
    lines = [f"Entry #{e.id}: {e.about}"]

    def section(title: str, rows: list[DiffRow], head: Callable[[DiffRow], str]) -> None:
        if not rows:
            return
        lines.extend(["", title])
        for r in rows:
            lines.append(f"{head(r)} #{r.belief_id} {r.statement}")
            if r.reason:
                lines.append(f"         why: {r.reason}")

    section("Moved (largest change first):", diff.moved,
            lambda r: f"  {signed(r.change):>5}  {fmt_credence(r.before):>5} → {fmt_credence(r.after):<5}")
    section("New during the conversation:", diff.new, lambda r: f"    new  {fmt_credence(r.after):>13}")
    section("Dropped:", diff.dropped, lambda r: f"   drop  {fmt_credence(r.before):>5} → —    ")
    section("Not re-rated yet:", [r.model_copy(update={"reason": ""}) for r in diff.unrated],
            lambda r: f"         {fmt_credence(r.before):>5}        ")
    if not (diff.moved or diff.new or diff.dropped):
        lines.append("")
        lines.append(f"No post yet: `advisor journal post {e.id}` re-rates these beliefs.")
    elif diff.unrated:
        lines.append("")
        lines.append(f"Post unfinished: `advisor journal post {e.id}` asks for these (answer `drop` to let one go).")
    return "\n".join(lines)


def credence_plot(history: BeliefHistory, height: int = 11, width: int = 48) -> str:
    """A small terminal plot of one belief's credence over its ratings (x: rating order)."""
    credences = [p.credence for p in history.points if p.credence is not None]
    if not credences:
        return "(no credence recorded yet)"
    n = len(credences)
    step = max(1, min(6, width // max(n, 1)))
    cols = n * step
    grid = [[" "] * cols for _ in range(height)]

    def row_of(value: float) -> int:
        return height - 1 - min(height - 1, round(value / 100 * (height - 1)))

    prev = None
    for i, credence in enumerate(credences):
        x = i * step
        y = row_of(credence)
        if prev is not None:
            px, py = prev
            for xx in range(px + 1, x):  # connect with a straight line between the two marks
                t = (xx - px) / (x - px)
                yy = round(py + (y - py) * t)
                if grid[yy][xx] == " ":
                    grid[yy][xx] = "·"
        grid[y][x] = "●"
        prev = (x, y)
    lines = []
    for r, row in enumerate(grid):
        value = round((height - 1 - r) / (height - 1) * 100)
        label = f"{value:>3}% ┤" if r in (0, height // 2, height - 1) else "     │"
        lines.append(label + "".join(row))
    lines.append("     └" + "─" * cols)
    marks = "".join(str((i + 1) % 10).ljust(step) for i in range(n))
    lines.append("      " + marks + "  (rating #)")
    return "\n".join(lines)


def draw_calibration(plt: Any, report: CalibrationReport) -> None:
    """The calibration chart on a plotext-like `plt` (plotext itself in the terminal, a PlotextPlot's
    in the TUI): each credence bin's mean stated credence (x) against how often its beliefs came
    true (y), over the diagonal of perfect calibration. The caller clears and sizes the figure."""
    said = [b.mean_credence for b in report.bins if b.count and b.mean_credence is not None]
    came = [b.observed for b in report.bins if b.count and b.observed is not None]
    plt.plot([0, 100], [0, 100], marker="dot")  # no legend: it would hide points; callers caption it
    if said:
        plt.scatter(said, came, marker="●")
    plt.xlim(0, 100)
    plt.ylim(0, 100)
    plt.xticks([0, 25, 50, 75, 100])
    plt.yticks([0, 25, 50, 75, 100])
    plt.xlabel("said (mean credence %)")
    plt.title("came true % against said %")
