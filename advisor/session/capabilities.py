"""What a model can do, asked of its server where the server can say, else taken from the settings.

- Context window: llama.cpp (and xllamacpp) report the window they run with at `/props`
  (`n_ctx`) and in `/v1/models` (`meta.n_ctx`); vLLM reports `max_model_len`, LM Studio
  `max_context_length`, OpenRouter and others `context_length` or `context_window`.
- Tool calling: llama.cpp says so in `/props` (`chat_template_caps.supports_tool_calls`), Ollama
  in a model's `capabilities`; an endpoint that says nothing is tried, and a refusal turns
  tools off for the session (see agent.py).

Nothing here assumes a size cut-off: the prompt's budget follows the window (context.py).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

#: Keys under which servers report a model's context window, in the order they are trusted.
CONTEXT_KEYS = ("n_ctx", "max_model_len", "max_context_length", "context_length", "context_window")
PROBE_TIMEOUT_S = 3.0

ToolSupport = Literal["yes", "no", "unknown"]


@dataclass(frozen=True)
class ModelProfile:
    context_tokens: int
    context_source: str  # "server" or "settings"
    tools: ToolSupport = "unknown"

    def describe(self) -> str:
        tools = {"yes": "tool calls", "no": "no tool calls", "unknown": "tool calls untested"}[self.tools]
        return f"context {self.context_tokens} tokens ({self.context_source}); {tools}"


def _get(url: str, api_key: str | None, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8", "replace"))


def _find_context(data: Any, model: str | None) -> int | None:
    """The first context window found in a /props or /models document (for `model` if listed)."""
    if isinstance(data, dict):
        entries = data.get("data")
        if isinstance(entries, list):
            chosen = [e for e in entries if isinstance(e, dict) and model and e.get("id") == model] or entries[:1]
            for entry in chosen:
                found = _find_context(entry, None)
                if found:
                    return found
        for key in CONTEXT_KEYS:
            value = data.get(key)
            if isinstance(value, int) and value > 0:
                return value
        for nested in ("default_generation_settings", "meta", "top_provider"):
            found = _find_context(data.get(nested), None)
            if found:
                return found
    return None


def _find_tools(props: Any, models: Any) -> ToolSupport:
    if isinstance(props, dict):
        caps = props.get("chat_template_caps")
        if isinstance(caps, dict) and "supports_tool_calls" in caps:
            return "yes" if caps["supports_tool_calls"] else "no"
        settings = props.get("default_generation_settings")
        if isinstance(settings, dict) and settings.get("params", {}).get("chat_format") == "Content-only":
            return "no"  # llama.cpp without a tool-aware template
    if isinstance(models, dict):
        for entry in models.get("models") or []:
            caps = entry.get("capabilities") if isinstance(entry, dict) else None
            if isinstance(caps, list) and caps:
                return "yes" if "tools" in caps else "no"
    return "unknown"


def probe(base_url: str, *, model: str | None, api_key: str | None, fallback_context: int,
          timeout: float = PROBE_TIMEOUT_S) -> ModelProfile:
    """Ask the endpoint what it can do; any failure leaves the settings' values in force."""
    root = base_url.rstrip("/")
    server = root[: -len("/v1")] if root.endswith("/v1") else root
    answers: dict[str, Any] = {}
    for name, url in (("props", server + "/props"), ("models", root + "/models")):
        try:
            answers[name] = _get(url, api_key, timeout)
        except (OSError, urllib.error.URLError, ValueError):
            answers[name] = None
    context = _find_context(answers["props"], model) or _find_context(answers["models"], model)
    return ModelProfile(
        context_tokens=context or fallback_context,
        context_source="server" if context else "settings",
        tools=_find_tools(answers["props"], answers["models"]),
    )
