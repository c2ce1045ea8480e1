"""Help: what advisor does, the session protocol, and every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from advisor.tui.titlebar import TitleBar

HELP = """\
# advisor

A reflection partner for choosing a research direction or career in AI research and AI safety.
Everything stays on this machine (unless you configure a remote model).

## From Home
| key | what |
|---|---|
| `s` | start a **reflection session** (frame → before → explore → challenge → after → summary) |
| `j` | **journal a conversation with a person**: beliefs before, re-rate after |
| `a` | **add a note** (type it, or give a file/folder path) |
| `l` | journal entries and what moved (pre → post diff) |
| `b` | beliefs: credence over time, resolve, calibration |
| `k` | knowledge: index status, search, curated cards, AI-safety subfield map |
| `/` | **search everything**: sessions, journal entries, beliefs, notes, cards; `enter` opens a result |
| `d` | beliefs **due to resolve** (shown on Home when their date has come): `y` came true, `n` did not, `u` ambiguous |
| `,` | settings: model endpoint (key hidden), theme |
| `ctrl+p` | command palette: every action by name |
| `t` / `F2` | light / dark theme |
| `ctrl+q` | quit (everything you entered is saved) |

## In a session
The current stage is always shown at the top; move with `ctrl+n` / `ctrl+b` (or click a stage,
or type `/next`, `/back`, `/stage explore`).
- **Chat**: `enter` sends, `shift+enter` or `ctrl+j` adds a line, `↑` / `↓` bring back earlier
  messages. `ctrl+r` retries after an error,
  `ctrl+y` copies the last reply, `c` copies a focused message, `ctrl+o` shows/hides sources.
- **Before**: write a belief, give a credence (0–100) and one line of why; `ctrl+l` pulls a belief
  already in your journal.
- **After**: re-rate each belief. Your old credence stays hidden until you answer.
- **Summary**: what moved and why, cruxes, open questions, next actions.
- `esc` stops a reply being written; otherwise goes back.

Which model answers is shown top right: a configured model, the small offline one, or
**guide mode** (no model: passages and the protocol's questions only).

## Journal and beliefs
Each rating is saved the moment you confirm it. Closing the app in the middle of a form keeps
what you typed as a draft.

`esc` goes back on every screen.
"""


class HelpScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield TitleBar("Help", show_model=False)
        with VerticalScroll():
            yield Markdown(HELP)
        yield Footer()
