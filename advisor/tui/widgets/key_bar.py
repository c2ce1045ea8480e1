"""The keys of the screen as it is now (what has focus, what is enabled), at the bottom.

Textual's Footer keeps its keys on one line and scrolls the rest out of sight, so at 80 columns a
screen's last keys (often `,` `?` `q`) were never seen. This bar wraps onto a second line instead.
It reads the same thing the Footer does (`Screen.active_bindings`, refreshed on
`bindings_updated_signal`), and a click on a key runs its action.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

GAP = "  "


@dataclass(frozen=True)
class ShownKey:
    """One key as shown: what to press, what it does, and the binding to run when clicked."""

    key: str
    description: str
    action: str
    node: DOMNode
    enabled: bool


def shown_keys(screen: Screen) -> list[ShownKey]:
    """The keys the screen offers now, as the footer shows them: bindings with `show`, one entry
    per action (its first key), the command palette last."""
    app = screen.app
    out: dict[str, ShownKey] = {}
    palette: ShownKey | None = None
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.action == "command_palette":
            palette = ShownKey(app.get_key_display(binding), "commands", binding.action, node, enabled)
            continue
        if not binding.show or binding.action in out:
            continue
        out[binding.action] = ShownKey(app.get_key_display(binding), binding.description, binding.action,
                                       node, enabled)
    keys = list(out.values())
    if palette is not None and app.ENABLE_COMMAND_PALETTE:
        keys.append(palette)
    return keys


def every_key(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) of every described binding of the screen, of advisor's own widgets on
    it and of the app, shown in the bar or not: what the help screen lists for this screen."""
    nodes: list[DOMNode] = [screen]
    nodes += [w for w in screen.walk_children(Widget) if type(w).__module__.startswith("advisor.")]
    nodes.append(screen.app)
    rows: dict[str, list[str]] = {}  # description → keys (q and ctrl+q both quit)
    for node in nodes:
        for binding in bindings_of(type(node)):
            if binding.description and binding.action != "command_palette":
                keys = rows.setdefault(binding.description, [])
                shown = screen.app.get_key_display(binding)
                if shown not in keys:
                    keys.append(shown)
    return [(" / ".join(keys), description) for description, keys in rows.items()]


def bindings_of(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class declares, then those it inherits (one Binding per key)."""
    out: list[Binding] = []
    for klass in cls.__mro__:
        out.extend(Binding.make_bindings(klass.__dict__.get("BINDINGS", [])))
    return out


class KeyBar(Widget):
    """Every key the screen offers now, wrapped to fit; click one to use it."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom; height: auto; max-height: 3; padding: 0 1;
        background: $footer-background; color: $footer-description-foreground;
    }
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    KeyBar > .key-bar--description { color: $footer-description-foreground; }
    KeyBar > .key-bar--disabled { color: $text-disabled; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[ShownKey] = []
        self._spans: list[tuple[int, int, int, ShownKey]] = []  # line, start, end, key

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            keys = shown_keys(screen)
            if keys != self.keys:
                self.keys = keys
                self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[list[ShownKey]]:
        lines: list[list[ShownKey]] = [[]]
        used = 0
        for key in self.keys:
            size = len(key.key) + 1 + len(key.description)
            if lines[-1] and used + len(GAP) + size > width:
                lines.append([])
                used = 0
            used += (len(GAP) if lines[-1] else 0) + size
            lines[-1].append(key)
        return lines

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        disabled = self.get_component_rich_style("key-bar--disabled")
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for number, line in enumerate(self._lines(self.content_size.width or self.size.width)):
            if number:
                text.append("\n")
            column = 0
            for index, key in enumerate(line):
                if index:
                    text.append(GAP)
                    column += len(GAP)
                start = column
                text.append(key.key, key_style if key.enabled else disabled)
                text.append(" " + key.description, text_style if key.enabled else disabled)
                column += len(key.key) + 1 + len(key.description)
                self._spans.append((number, start, column, key))
        return text

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for line, start, end, key in self._spans:
            if line == offset.y and start <= offset.x < end and key.enabled:
                app: App[object] = self.app
                await app.run_action(key.action, key.node)
                return
