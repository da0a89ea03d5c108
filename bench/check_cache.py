"""A second `mapc check` of 100 unchanged files, against one bare parse of one of them.

Run: python bench/check_cache.py [FILES]
Copies the default mapping (with its project catalog) FILES times (default 100) and checks
the directory three ways in this process, best of several rounds each: with no cache, a
second time with the cache warm (the per-process memos of fingerprints cleared first, as a
new process would start), and after one file changed (that file checked again). Against
them: one bare Lark LALR parse (with positions) of one of the files. The process-level
figure (`mapc check` run twice in fresh interpreters, wall-clock) comes last; the others
are CPU time of this process (time.process_time), which a busy machine inflates less.
Target: the warm second check of every file faster than the one bare parse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mapc.compiler import pipeline
from mapc.compiler.cache import CheckCache, code_fingerprint, directory_fingerprint
from mapc.compiler.grammar import lark_parser
from mapc.compiler.pipeline import check_paths

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "mappings" / "hubspot_salesforce.mapc"


def best_of(runs: int, action: Callable[[], object], before: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        before()
        start = time.process_time()
        action()
        timings.append(time.process_time() - start)
    return min(timings)


def fresh_process_memos() -> None:
    code_fingerprint.cache_clear()
    directory_fingerprint.cache_clear()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    text = DEFAULT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        mappings = project / "mappings"
        mappings.mkdir()
        shutil.copytree(DEFAULT.parent / "catalogs", mappings / "catalogs")
        files = [mappings / f"m{n:03}.mapc" for n in range(count)]
        for path in files:
            path.write_text(text, encoding="utf-8")
        os.chdir(project)
        cache_dir = project / ".mapc_cache"
        parser = lark_parser()
        check_paths([mappings])  # catalogs and parser loaded, as in any later run

        def warm() -> object:
            results = check_paths([mappings], cache=CheckCache(cache_dir))
            assert all(r.cached for r in results)
            return results

        def one_changed() -> object:
            results = check_paths([mappings], cache=CheckCache(cache_dir))
            assert sum(not r.cached for r in results) == 1
            return results

        edits = iter(range(1_000_000))

        def change_one() -> None:
            fresh_process_memos()
            files[0].write_text(text + f"# edit {next(edits)}\n", encoding="utf-8")

        def no_cache_prepared() -> None:
            fresh_process_memos()

        uncached = best_of(3, lambda: check_paths([mappings]), no_cache_prepared)
        check_paths([mappings], cache=CheckCache(cache_dir))  # fill the cache
        # The two compared take turns, so that load from elsewhere falls on both alike.
        bare_times, cached_times = [], []
        for _ in range(15):
            bare_times.append(best_of(1, lambda: parser.parse(text), lambda: None))
            cached_times.append(best_of(1, warm, fresh_process_memos))
        bare, cached = min(bare_times), min(cached_times)
        changed = best_of(5, one_changed, change_one)
        pipeline._catalog.cache_clear()
        lines = len(text.splitlines())
        print(f"{count} files of {lines} lines (the default mapping)")
        print(f"one bare Lark parse of one file:        {bare * 1000:8.2f} ms")
        print(f"check of all, no cache:                 {uncached * 1000:8.2f} ms")
        print(
            f"second check of all, cache warm:        {cached * 1000:8.2f} ms"
            f"   ({cached / bare:.2f} x the bare parse; target < 1)"
        )
        print(f"check of all after one file changed:    {changed * 1000:8.2f} ms")
        command = [str(Path(sys.executable).with_name("mapc")), "check", str(mappings)]
        env = {**os.environ, "MAPC_CACHE_DIR": str(project / ".process_cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        walls = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
            walls.append(time.perf_counter() - start)
        print(
            f"`mapc check` process, first / second:   {walls[0] * 1000:8.0f} / "
            f"{walls[1] * 1000:.0f} ms"
        )
        os.chdir(ROOT)


if __name__ == "__main__":
    main()
