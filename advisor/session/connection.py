"""Try the configured model once: one short request through the same client a session uses, and
what came back (the model's name, its context window, the latency) or the exact failure.

Used by the terminal UI's settings screen ("Test connection"), before the user relies on a model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from advisor.errors import ModelError
from advisor.session.llm import ModelClient, describe, redact

if TYPE_CHECKING:
    from advisor.settings import Settings

PROBE = "Reply with the one word: ready."
PROBE_TOKENS = 8
PROBE_TIMEOUT_S = 30.0
#: where OpenAI-compatible servers put a model's context window in their /models entry
CONTEXT_FIELDS = ("max_model_len", "context_length", "context_window", "max_context_length")


@dataclass(frozen=True)
class ConnectionReport:
    """What one short request to the model showed."""

    ok: bool
    provider: str
    model: str = ""  # the model that answered, as the endpoint names it
    context_tokens: int | None = None
    context_reported: bool = False  # True: the endpoint said so; False: it is advisor's setting
    latency_s: float = 0.0
    error: str = ""

    def summary(self) -> str:
        """One line for people."""
        if self.provider == "guide":
            return "Guide mode has no model to test: passages and questions need none."
        if not self.ok:
            return f"✗ {self.error}"
        if self.context_tokens is None:
            context = "context window not reported"
        else:
            source = "reported by the endpoint" if self.context_reported else "from settings; not reported"
            context = f"context window {self.context_tokens:,} tokens ({source})"
        return f"✓ {self.model} answered in {self.latency_s:.2f} s · {context}"


def check_connection(settings: Settings) -> ConnectionReport:
    """Send one short request to the model `settings` name; never raises for a model fault."""
    info = describe(settings)
    if info.provider == "guide":
        return ConnectionReport(ok=True, provider="guide")
    quick = settings.model_copy(update={"model": settings.model.model_copy(
        update={"timeout_s": min(settings.model.timeout_s, PROBE_TIMEOUT_S), "max_retries": 0})})
    client = ModelClient(quick)
    try:
        from langchain_core.messages import HumanMessage

        try:
            chat = client.chat()  # the local provider starts its server here
            started = time.perf_counter()
            reply = chat.invoke([HumanMessage(PROBE)], max_tokens=PROBE_TOKENS)
            latency = time.perf_counter() - started
        except ModelError as exc:
            return ConnectionReport(ok=False, provider=info.provider, error=exc.message)
        except Exception as exc:  # noqa: BLE001 - every fault is reported, with what the endpoint said
            root = _root_cause(exc)
            cause = redact(f"{type(root).__name__}: {root}", settings)
            return ConnectionReport(ok=False, provider=info.provider,
                                    error=f"{client.error(exc, hint=False).message} [{cause}]")
        metadata = getattr(reply, "response_metadata", {}) or {}
        model = _short_name(str(metadata.get("model_name") or metadata.get("model") or info.label))
        reported = _reported_context(client, settings, model)
        configured = settings.local.context_tokens if info.provider == "local" else settings.model.context_tokens
        return ConnectionReport(ok=True, provider=info.provider, model=model,
                                context_tokens=reported or configured, context_reported=reported is not None,
                                latency_s=latency)
    finally:
        client.close()


def _reported_context(client: ModelClient, settings: Settings, model: str) -> int | None:
    """The context window the endpoint's /models entry gives for the model, if any (vLLM, LM
    Studio and OpenRouter use one of CONTEXT_FIELDS; llama.cpp's server `meta.n_ctx`)."""
    try:
        import openai

        base_url = client.base_url
        key = settings.model.api_key.get_secret_value() if settings.model.api_key else "not-needed"
        listing = openai.OpenAI(base_url=base_url, api_key=key, timeout=10, max_retries=0).models.list()
        entries = [m.model_dump() for m in listing.data]
    except Exception:  # noqa: BLE001 - the listing is a courtesy: many endpoints do not offer it
        return None
    for entry in sorted(entries, key=lambda e: _short_name(str(e.get("id", ""))) != model):
        values: list[Any] = [entry.get(name) for name in CONTEXT_FIELDS]
        meta = entry.get("meta")
        if isinstance(meta, dict):
            values.append(meta.get("n_ctx"))
        for value in values:
            if isinstance(value, int) and value > 0:
                return value
    return None


def _root_cause(exc: BaseException) -> BaseException:
    """The first fault in the chain (a refused connection under the client's own error)."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc


def _short_name(name: str) -> str:
    """A model named by its file path (llama.cpp's server does that) is shown by its file name."""
    return PurePath(name).name if "/" in name else name
