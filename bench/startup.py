"""Cold start of the command line, paired in one run against `python -c pass`.

Run: python bench/startup.py [RUNS]
Starts each command RUNS times (default 15) in fresh interpreters, taking turns so that
load on the machine falls on all of them alike, and prints each median and its difference
from `python -c pass`: wall-clock time, and the CPU time (user + system) the process used,
which a machine busy with other work inflates less. Targets: `mapc --help` <= 60 ms and a cold `mapc check` of the
default mapping <= 100 ms beyond the bare interpreter.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "mappings"


def mapc_command() -> list[str]:
    # The console script is what a user runs; fall back to `-m mapc` without one.
    script = Path(sys.executable).with_name("mapc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mapc"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `command`."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    mapc = mapc_command()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "MAPC_CACHE_DIR": cache}
        # As installed: the first run writes bytecode the others load (an environment that
        # forbids writing it would have every run compile mapc's modules from source).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cases: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "mapc --help": [*mapc, "--help"],
            "mapc check mappings/ --no-cache": [*mapc, "check", "--no-cache", str(MAPPINGS)],
            "mapc check mappings/ (cached)": [*mapc, "check", str(MAPPINGS)],
        }
        for command in cases.values():  # warm the OS file cache, bytecode and mapc's cache
            timed(command, env)
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, command in cases.items():
                wall, cpu = timed(command, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    targets = {
        "mapc --help": 60.0,
        "mapc check mappings/ --no-cache": 100.0,
        "mapc check mappings/ (cached)": 100.0,
    }
    load = os.getloadavg()[0]
    print(f"{runs} runs each, medians in ms; {os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'':34} {'wall':>7} {'+wall':>7} {'cpu':>7} {'+cpu':>7}  target")
    base_wall = statistics.median(walls["python -c pass"]) * 1000
    base_cpu = statistics.median(cpus["python -c pass"]) * 1000
    for name in cases:
        wall = statistics.median(walls[name]) * 1000
        cpu = statistics.median(cpus[name]) * 1000
        target = f"+{targets[name]:.0f}" if name in targets else ""
        print(
            f"{name:34} {wall:7.1f} {wall - base_wall:+7.1f} {cpu:7.1f} {cpu - base_cpu:+7.1f}"
            f"  {target}"
        )


if __name__ == "__main__":
    main()
