"""The one-line title bar (light: imported by Home before the first paint)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class TitleBar(Horizontal):
    """One line: the screen's title on the left, which model answers on the right."""

    def __init__(self, title: str, *, show_model: bool = True, id: str | None = None) -> None:
        super().__init__(classes="titlebar", id=id)
        self._title = title
        self._show_model = show_model
        self._explicit = False

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title", id="title")
        yield Static("", classes="model", id="model-indicator")

    def on_mount(self) -> None:
        if self._show_model:
            self.call_after_refresh(self._auto_model)

    def _auto_model(self) -> None:
        if not getattr(self.app, "loaded", True):
            return  # Home refreshes it once settings are loaded
        if not self._explicit:
            self.refresh_model()

    @property
    def title(self) -> str:
        return self._title

    def set_title(self, title: str) -> None:
        self._title = title
        self.query_one("#title", Static).update(title)

    def refresh_model(self, provider: str | None = None, label: str | None = None) -> None:
        if not self._show_model:
            return
        if provider is None or label is None:
            provider, label = self.app.model_label()  # type: ignore[attr-defined]
        else:
            self._explicit = True
        widget = self.query_one("#model-indicator", Static)
        widget.set_class(provider == "guide", "-guide")
        widget.set_class(provider != "guide", "-model")
        if provider == "guide":  # the rest of the label says what guide mode is: Help does too
            widget.update("◌ guide mode")
        else:
            widget.update("● " + label)
