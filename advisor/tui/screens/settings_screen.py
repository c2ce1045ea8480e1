"""Settings: the model endpoint (API key masked, never echoed) and the theme.

Writes go through the same TOML config logic as `advisor config set` (advisor.config_file).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from advisor.errors import AdvisorError
from advisor.tui.titlebar import TitleBar

PROVIDERS = [
    ("auto — a configured endpoint, else guide mode", "auto"),
    ("openai — any OpenAI-compatible endpoint", "openai"),
    ("local — the small offline model (weak advice)", "local"),
    ("guide — no model: passages and questions only", "guide"),
]
THEMES = ["textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "solarized-light"]


def write_settings(values: dict[str, Any]) -> str:
    """Write `{"section.field": value}` (None removes it) to the config file; returns its path."""
    from advisor.config_file import update_config

    return str(update_config(values))


class SettingsScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        m = app.settings.model
        yield TitleBar("Settings · model endpoint and theme")
        with VerticalScroll(classes="form"):
            yield Static("Who answers in a session. Saved to the config file (same as `advisor config set`).",
                         classes="hint")
            yield Label("Provider")
            yield Select(PROVIDERS, value=m.provider, allow_blank=False, id="set-provider")
            with Horizontal(classes="form-row"):
                yield Label("Base URL")
                yield Input(value=m.base_url or "", placeholder="e.g. http://127.0.0.1:11434/v1 (Ollama)",
                            id="set-base-url", classes="compact grow")
            with Horizontal(classes="form-row"):
                yield Label("Model")
                yield Input(value=m.name, placeholder="model name", id="set-name", classes="compact grow")
            with Horizontal(classes="form-row"):
                yield Label("API key")
                yield Input(value="", password=True, id="set-api-key", classes="compact grow",
                            placeholder=self._key_placeholder())
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", classes="compact", variant="primary")
                yield Button("Forget the API key", id="forget-key", classes="compact")
            yield Static("", id="set-result")
            yield Label("Theme (applies at once; saved with ctrl+s)", classes="section-title")
            themes = [t for t in THEMES if t in app.available_themes]
            current = app.theme if app.theme in themes else themes[0]
            yield Select([(t, t) for t in themes], value=current, allow_blank=False, id="set-theme")
        yield Footer()

    def _key_placeholder(self) -> str:
        app: Any = self.app
        key = app.settings.model.api_key
        if key is None:
            return "not set — type a key to set it (it is never shown)"
        return f"set ({app.settings.public_dict()['model']['api_key'][5:-1]}) — type to replace"

    def on_mount(self) -> None:
        self.query_one("#set-provider", Select).focus()

    @on(Select.Changed, "#set-theme")
    def _theme(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.app.theme = event.value

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#forget-key")
    def _forget(self) -> None:
        self._write({"model.api_key": None}, "API key removed from the config file.")

    def action_save(self) -> None:
        values: dict[str, Any] = {
            "model.provider": self.query_one("#set-provider", Select).value,
            "model.base_url": self.query_one("#set-base-url", Input).value.strip() or None,
            "model.name": self.query_one("#set-name", Input).value.strip() or None,
            "ui.theme": self.query_one("#set-theme", Select).value,
        }
        key = self.query_one("#set-api-key", Input).value.strip()
        if key:
            values["model.api_key"] = key
        self._write(values, "Saved.")

    def _write(self, values: dict[str, Any], done: str) -> None:
        app: Any = self.app
        try:
            path = write_settings(values)
            app.reload_settings()
        except AdvisorError as exc:
            self.query_one("#set-result", Static).update(Text(exc.message, style="bold red"))
            return
        key_input = self.query_one("#set-api-key", Input)
        key_input.value = ""
        key_input.placeholder = self._key_placeholder()
        provider, label = app.model_label()
        self.query_one(TitleBar).refresh_model(provider, label)
        self.query_one("#set-result", Static).update(Text(f"{done} ({path}) · now answering: {label}"))
        app.notify(f"Settings saved · {label}", timeout=4)
