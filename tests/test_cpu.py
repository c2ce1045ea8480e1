"""CPU threads for the local model and the embedder (issue 14): one per physical core that other
work leaves free, at least one, unless `local.threads` says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from support import make_settings

from advisor.cpu import choose_threads, physical_cores


def test_threads_follow_the_free_cores_and_the_setting_wins():
    assert choose_threads(None, cores=2, load=0.1).threads == 2  # an idle 2-core machine: both
    assert choose_threads(None, cores=2, load=1.2).threads == 1  # another job on one core
    assert choose_threads(None, cores=2, load=9.0).threads == 1  # overloaded: still one, never 0
    assert choose_threads(None, cores=8, load=2.6).threads == 5
    busy = choose_threads(None, cores=2, load=1.2)
    assert busy.reason == "2 physical cores, load 1.20"
    chosen = choose_threads(3, cores=2, load=9.0)
    assert (chosen.threads, chosen.reason) == (3, "local.threads")


def test_physical_cores_are_within_what_this_process_may_use():
    cores = physical_cores()
    assert 1 <= cores <= len(os.sched_getaffinity(0))


def test_the_local_model_is_started_with_the_chosen_threads(monkeypatch, tmp_path: Path):
    """The choice reaches llama.cpp's parameters (both the generation and the prompt batch)."""
    import xllamacpp

    from advisor.session.llm import LocalServer

    seen = {}

    class Server:
        listening_address = "127.0.0.1:9"

        def __init__(self, params):
            seen["threads"] = (params.cpuparams.n_threads, params.cpuparams_batch.n_threads)

    monkeypatch.setattr(xllamacpp, "Server", Server)
    monkeypatch.setattr("advisor.session.llm.choose_threads", lambda setting: choose_threads(setting, 2, 1.4))
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")  # never read: the server above is a stand-in
    settings = make_settings(tmp_path / "home", local={"model_path": gguf})
    server = LocalServer(settings)
    assert server.start() == "http://127.0.0.1:9/v1"
    assert seen["threads"] == (1, 1)
    settings.local.threads = 2
    server = LocalServer(settings)
    server.start()
    assert seen["threads"] == (2, 2) and server.threads is not None and server.threads.reason == "local.threads"
