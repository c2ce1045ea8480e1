"""Settings: who answers in a session (provider, endpoint, model, API key masked and never echoed,
or a local GGUF model), a test of that model, and the theme.

Writes go through the same TOML config logic as `advisor config set` (advisor.config_file). The
test uses what the form says, saved or not, so a model can be tried before it is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, Static

from advisor.errors import AdvisorError
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.form_parts import TextField
from advisor.tui.widgets.key_bar import KeyBar

PROVIDERS = [
    ("auto — a configured endpoint, else guide mode", "auto"),
    ("openai — any OpenAI-compatible endpoint", "openai"),
    ("local — a GGUF model on this machine (default: small, weak)", "local"),
    ("guide — no model: passages and questions only", "guide"),
]
THEMES = ["textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "solarized-light"]


def write_settings(values: dict[str, Any]) -> str:
    """Write `{"section.field": value}` (None removes it) to the config file; returns its path."""
    from advisor.config_file import update_config

    return str(update_config(values))


class SettingsScreen(Screen):
    DEFAULT_CSS = """
    #set-test-result, #set-result { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+t", "test_connection", "Test connection", priority=True),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        m = app.settings.model
        local_path = app.settings.local.model_path
        yield TitleBar("Settings · model endpoint and theme")
        with VerticalScroll(classes="form"):
            yield Static("Who answers in a session. Saved to the config file (as `advisor config set` does).",
                         classes="hint")
            yield Label("Provider")
            yield Select(PROVIDERS, value=m.provider, allow_blank=False, id="set-provider")
            with Horizontal(classes="form-row"):
                yield Label("Base URL")
                yield TextField(value=m.base_url or "", placeholder="e.g. http://127.0.0.1:11434/v1 (Ollama)",
                                id="set-base-url", classes="compact grow")
            with Horizontal(classes="form-row"):
                yield Label("Model")
                yield TextField(value=m.name, placeholder="model name", id="set-name", classes="compact grow")
            with Horizontal(classes="form-row"):
                yield Label("API key")
                yield TextField(value="", password=True, id="set-api-key", classes="compact grow",
                                placeholder=self._key_placeholder())
            with Horizontal(classes="form-row"):
                yield Label("Model file")
                yield TextField(value=str(local_path) if local_path else "", id="set-local-path",
                                classes="compact grow",
                                placeholder="a .gguf file (provider local); default: SmolLM2-135M-Instruct")
            with Horizontal(classes="buttons"):
                yield Button("Save ^s", id="save", classes="compact", variant="primary")
                yield Button("Test connection ^t", id="test", classes="compact")
                yield Button("Forget the API key", id="forget-key", classes="compact")
            yield Static("", id="set-test-result")
            yield Static("", id="set-result")
            yield Label("Theme (applies at once; saved with ctrl+s; t on Home switches light/dark)",
                        classes="section-title")
            themes = [t for t in THEMES if t in app.available_themes]
            current = app.theme if app.theme in themes else themes[0]
            yield Select([(t, t) for t in themes], value=current, allow_blank=False, id="set-theme")
        yield KeyBar()

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

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test_connection()

    @on(Button.Pressed, "#forget-key")
    def _forget(self) -> None:
        self._write({"model.api_key": None}, "API key removed from the config file.")

    def _field(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def form_values(self) -> dict[str, Any]:
        """What the form says, as `{"section.field": value}` (None: not set)."""
        values: dict[str, Any] = {
            "model.provider": self.query_one("#set-provider", Select).value,
            "model.base_url": self._field("#set-base-url") or None,
            "model.name": self._field("#set-name") or None,
            "local.model_path": self._field("#set-local-path") or None,
            "ui.theme": self.query_one("#set-theme", Select).value,
        }
        key = self._field("#set-api-key")
        if key:
            values["model.api_key"] = key
        return values

    def action_save(self) -> None:
        self._write(self.form_values(), "Saved.")

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

    # ------------------------------------------------------------------ test connection
    def form_settings(self) -> Any:
        """The settings in force with the form's model values over them (saved or not)."""
        from pydantic import SecretStr

        app: Any = self.app
        s = app.settings
        v = self.form_values()
        model = s.model.model_copy(update={
            "provider": v["model.provider"], "base_url": v["model.base_url"],
            "name": v["model.name"] or s.model.name,
            "api_key": SecretStr(v["model.api_key"]) if "model.api_key" in v else s.model.api_key,
        })
        path = v["local.model_path"]
        local = s.local.model_copy(update={"model_path": Path(path).expanduser() if path else None})
        return s.model_copy(update={"model": model, "local": local})

    def action_test_connection(self) -> None:
        settings = self.form_settings()
        waiting = "the local model loads first" if settings.model.provider == "local" else "one short request"
        self.query_one("#set-test-result", Static).update(Text(f"Testing… ({waiting})", style="italic"))
        self.query_one("#test", Button).disabled = True
        self.test_connection(settings)

    @work(thread=True, exclusive=True, group="settings-test")
    def test_connection(self, settings: Any) -> None:
        try:
            from advisor.session.connection import check_connection

            line = check_connection(settings).summary()
        except Exception as exc:  # noqa: BLE001 - fault boundary: a broken install is reported, not raised
            line = f"✗ the test could not run: {type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._tested, line)

    def _tested(self, line: str) -> None:
        style = "bold red" if line.startswith("✗") else ("green" if line.startswith("✓") else "")
        self.query_one("#set-test-result", Static).update(Text(line, style=style))
        self.query_one("#test", Button).disabled = False
