"""How many CPU threads the local model (and the embedder) get: measured from the machine (its
physical cores, the CPU quota of a container, the load other work puts on it) unless set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ThreadChoice:
    """How many CPU threads the local model gets, and what that was chosen from."""

    threads: int
    physical_cores: int
    load: float  # the 1-minute load average when it was chosen
    reason: str


def physical_cores() -> int:
    """Cores this process may run on, counting hyper-threads of one core once, within any
    cgroup CPU quota (a container)."""
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = set(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    try:
        cpu = physical = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "processor":
                cpu = value
            elif key == "physical id":
                physical = value
            elif key == "core id" and cpu.isdigit() and int(cpu) in allowed:
                cores.add((physical, value))
    except OSError:
        pass
    count = len(cores) or len(allowed) or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            count = min(count, max(1, round(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return count


def choose_threads(setting: int | None, cores: int | None = None, load: float | None = None) -> ThreadChoice:
    """Threads for llama.cpp: `local.threads` when set; else one per physical core that other
    work leaves free (1-minute load average), at least one. Its threads wait for each other at
    every step, so one that loses its core stalls them all: on a busy 2-core machine 2 threads
    made 1.6 tokens per CPU-second, 1 thread 52.7 (issue 14; `bench/bench_model.py --threads`)."""
    cores = physical_cores() if cores is None else cores
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = 0.0
    if setting:
        return ThreadChoice(setting, cores, load, "local.threads")
    free = max(1, min(cores, int(cores - load + 0.5)))
    return ThreadChoice(free, cores, load, f"{cores} physical cores, load {load:.2f}")
