"""Settings: sources and their order, secrets never shown, `advisor config` round trips."""

from __future__ import annotations

import json

import pytest

from advisor.settings import Settings


def test_env_overrides_config_file_and_nested_delimiter(advisor_env, monkeypatch, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[model]\nname = "from-file"\nbase_url = "http://127.0.0.1:9/v1"\n')
    monkeypatch.setenv("ADVISOR_MODEL__NAME", "from-env")
    s = Settings()
    assert s.model.name == "from-env"
    assert s.model.base_url == "http://127.0.0.1:9/v1"
    assert Settings(home=tmp_path / "x").home == tmp_path / "x"


def test_default_home_is_xdg_data_dir(advisor_env, monkeypatch, tmp_path):
    monkeypatch.delenv("ADVISOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert Settings().home == tmp_path / "data" / "advisor"


def test_chroma_url_shortcut_and_openai_key_fallback(advisor_env, monkeypatch):
    monkeypatch.setenv("ADVISOR_CHROMA_URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    s = Settings()
    assert s.knowledge.chroma_url == "http://127.0.0.1:8123"
    assert s.model.api_key.get_secret_value() == "sk-test-0123456789"


def test_chroma_url_is_one_setting_with_an_env_alias(advisor_env, monkeypatch, tmp_path):
    from pathlib import Path

    assert "chroma_url" not in Settings.model_fields  # only knowledge.chroma_url
    cfg = Path(advisor_env["ADVISOR_CONFIG"])
    cfg.write_text('[knowledge]\nchroma_url = "http://from-file:1"\n')
    assert Settings().knowledge.chroma_url == "http://from-file:1"
    monkeypatch.setenv("ADVISOR_CHROMA_URL", "http://alias:2")  # the alias beats the file
    assert Settings().knowledge.chroma_url == "http://alias:2"
    monkeypatch.setenv("ADVISOR_KNOWLEDGE__CHROMA_URL", "http://full:3")  # the full name beats the alias
    assert Settings().knowledge.chroma_url == "http://full:3"
    assert Settings(knowledge={"chroma_url": "http://arg:4"}).knowledge.chroma_url == "http://arg:4"
    monkeypatch.delenv("ADVISOR_KNOWLEDGE__CHROMA_URL")
    assert Settings(knowledge={"top_k": 3}).knowledge.chroma_url == "http://alias:2"  # merged, not replaced
    monkeypatch.delenv("ADVISOR_CHROMA_URL")
    cfg.write_text('chroma_url = "http://old-file:5"\n[knowledge]\ntop_k = 7\n')  # before [knowledge] had it
    s = Settings()
    assert (s.knowledge.chroma_url, s.knowledge.top_k) == ("http://old-file:5", 7)


def test_config_show_masks_the_key(cli):
    secret = "sk-live-SECRET-abcdef123456"
    r = cli("config", "show", env={"OPENAI_API_KEY": secret})
    assert r.code == 0
    assert secret not in r.out and "SECRET" not in r.out
    assert "model.api_key" in r.out
    data = json.loads(cli("config", "show", "--json", env={"ADVISOR_MODEL__API_KEY": secret}).out)
    assert data["model"]["api_key"].startswith("set (") and secret not in json.dumps(data)


def test_config_set_writes_toml_and_refuses_bad_values(cli, advisor_env):
    assert cli("config", "set", "model.provider", "local").code == 0
    assert cli("config", "set", "knowledge.top_k", "8").code == 0
    data = json.loads(cli("config", "show", "--json").out)
    assert data["model"]["provider"] == "local" and data["knowledge"]["top_k"] == 8
    from pathlib import Path

    cfg = Path(advisor_env["ADVISOR_CONFIG"])
    assert cli("config", "set", "ui.auto_index", "false").code == 0
    assert cli("config", "set", "model.name", "1234").code == 0
    written = cfg.read_text()  # typed as TOML, so the file reads as the user meant it
    assert "top_k = 8\n" in written and "auto_index = false\n" in written
    assert 'provider = "local"\n' in written and 'name = "1234"\n' in written
    before = cfg.read_text()
    bad = cli("config", "set", "model.temperature", "9")
    assert bad.code != 0 and "Traceback" not in bad.err and "temperature" in bad.err
    assert cli("config", "set", "model.nonsense", "1").code != 0
    assert cfg.read_text() == before
    assert cli("config", "unset", "model.provider").code == 0
    assert json.loads(cli("config", "show", "--json").out)["model"]["provider"] == "auto"


def test_broken_config_file_is_one_line(cli, advisor_env):
    from pathlib import Path

    Path(advisor_env["ADVISOR_CONFIG"]).write_text("[model\nname = ")
    r = cli("journal", "list")
    assert r.code != 0 and "not valid TOML" in r.err and "Traceback" not in r.err


def test_config_set_and_unset_keep_the_users_comments_and_layout(cli, advisor_env):
    import stat
    import tomllib
    from pathlib import Path

    cfg = Path(advisor_env["ADVISOR_CONFIG"])
    cfg.write_text(
        "# my advisor settings\n"
        "\n"
        "[ui]\n"
        "theme = \"nord\"    # easier on the eyes at night\n"
        "\n"
        "[model]\n"
        "# the lab's vLLM box\n"
        "base_url   =   \"http://127.0.0.1:8000/v1\"\n"
        "name = \"qwen\"  # small but honest\n"
    )
    assert cli("config", "set", "model.provider", "openai").code == 0
    assert cli("config", "set", "knowledge.top_k", "8").code == 0
    text = cfg.read_text()
    for kept in ("# my advisor settings\n", 'theme = "nord"    # easier on the eyes at night\n',
                 "# the lab's vLLM box\n", 'base_url   =   "http://127.0.0.1:8000/v1"\n',
                 'name = "qwen"  # small but honest\n'):
        assert kept in text
    assert text.index("[ui]") < text.index("[model]") < text.index('provider = "openai"') < text.index("[knowledge]")
    assert tomllib.loads(text) == {
        "ui": {"theme": "nord"},
        "model": {"base_url": "http://127.0.0.1:8000/v1", "name": "qwen", "provider": "openai"},
        "knowledge": {"top_k": 8},
    }
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    bad = cli("config", "set", "knowledge.top_k", "many")
    assert bad.code != 0 and "top_k" in bad.err and cfg.read_text() == text  # refused before writing

    assert cli("config", "unset", "model.name").code == 0
    assert cli("config", "unset", "knowledge.top_k").code == 0
    text = cfg.read_text()
    assert "# the lab's vLLM box\n" in text and "# easier on the eyes at night" in text
    assert "qwen" not in text and "[knowledge]" not in text  # an emptied section of ours goes too
    assert tomllib.loads(text) == {
        "ui": {"theme": "nord"},
        "model": {"base_url": "http://127.0.0.1:8000/v1", "provider": "openai"},
    }
    assert cli("config", "unset", "model.base_url").code == 0
    assert cli("config", "unset", "model.provider").code == 0
    text = cfg.read_text()
    assert "[model]\n# the lab's vLLM box\n" in text  # the comment keeps its section
    assert tomllib.loads(text) == {"ui": {"theme": "nord"}, "model": {}}


@pytest.mark.parametrize("env_home, config_home", [
    (None, None), ("{tmp}/from-env", None), (None, "{tmp}/from-config"), ("{tmp}/from-env", "{tmp}/from-config"),
    ("~/tilde-env", None), (None, "~/tilde-config"),
])
def test_the_data_directory_found_without_the_settings_is_the_settings_one(
        advisor_env, monkeypatch, tmp_path, env_home, config_home):
    """`advisor journal ...` finds ADVISOR_HOME without building the settings: the same place."""
    from pathlib import Path

    from advisor.paths import configured_home
    from advisor.settings import load_settings

    monkeypatch.delenv("ADVISOR_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    if env_home:
        monkeypatch.setenv("advisor_home" if "env" in env_home else "ADVISOR_HOME", env_home.format(tmp=tmp_path))
    if config_home:
        Path(advisor_env["ADVISOR_CONFIG"]).write_text(f'home = "{config_home.format(tmp=tmp_path)}"\n')
    assert configured_home() == load_settings().home
