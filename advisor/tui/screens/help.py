"""Help: the keys of the screen it was opened from (read from that screen's bindings, so the list is
never out of date), then what advisor does and how a session goes."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.key_bar import KeyBar

GUIDE = """\
## advisor

A reflection partner for choosing a research direction or career in AI research and AI safety.
Everything stays on this machine (unless you configure a remote model). Every screen is one key
from Home; `ctrl+p` finds any action by name; `esc` goes back; `ctrl+q` quits from anywhere.

`/` on Home searches everything you wrote (sessions, journal entries, beliefs, notes, cards).
Beliefs whose resolve-by date has come are listed on Home: `d` goes to them, then `y` came true,
`n` did not, `u` ambiguous opens the resolve dialog with that outcome chosen; `tab` to Record and
`enter` records it. On the Beliefs screen `r` opens the same dialog and `u` undoes the last
resolution.

## A session
The six stages are always shown at the top: frame → before → explore → challenge → after →
summary. `ctrl+n` / `ctrl+b` move between them (or type `/next`, `/back`, `/stage explore`).
- **Chat**: `enter` sends, `shift+enter` or `ctrl+j` adds a line, `↑` / `↓` bring back earlier
  messages; `c` copies a focused message.
- **Before**: a belief, a credence (0–100) and one line of why; `ctrl+l` pulls a belief already in
  your journal.
- **After**: re-rate each belief. Your old credence stays hidden until you answer.
- **Summary**: what moved and why, cruxes, open questions, next actions.

Which model answers is shown top right: a configured model, the small offline one, or
**guide mode** (no model: passages and the protocol's questions only). Settings (`,` on Home)
choose one.

## Journal and beliefs
Each rating is saved the moment you confirm it. Closing the app in the middle of a form keeps
what you typed as a draft.
"""


def keys_table(about: str, keys: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.title = f"Keys on {about}"
    table.title_style = "bold"
    table.title_justify = "left"
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, description in keys:
        table.add_row(key, description)
    return table


class HelpScreen(Screen[None]):
    DEFAULT_CSS = """
    Markdown { padding: 0 2; }
    #help-keys { padding: 1 3 0 3; height: auto; }
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, keys: list[tuple[str, str]] | None = None, about: str | None = None) -> None:
        super().__init__()
        self.keys = keys or []
        self.about = about

    def compose(self) -> ComposeResult:
        yield TitleBar("Help", show_model=False)
        with VerticalScroll(id="help-body"):
            if self.keys:
                yield Static(keys_table(self.about or "this screen", self.keys), id="help-keys")
            yield Markdown(GUIDE, id="help-guide")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
