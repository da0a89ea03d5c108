"""The check cache: unchanged files answered from it, identically; any change re-checks."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from mapc import cli
from mapc.compiler import pipeline
from mapc.compiler.cache import CheckCache, directory_fingerprint
from mapc.compiler.pipeline import CheckResult, check_paths
from mapc.compiler.source import Source

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAPPING = ROOT / "mappings" / "hubspot_salesforce.mapc"
BROKEN = """mapping broken

sync contacts <-> Lead, Contact {
  match email ignore case
  emial <-> Email : two way
  lastname <-> LastName : prefer salesforce unless blank
  default Lead.Company = "[not provided]"
  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out
}
"""
PROJECT_CATALOG = {
    "system": "hubspot",
    "objects": {
        "contacts": {
            "fields": {
                "favourite_colour": {"label": "Colour", "type": "text", "native_type": "string"}
            }
        }
    },
}
USES_CATALOG = """mapping custom
settings {
  catalogs: "catalog"
}

sync contacts <-> Lead, Contact {
  match email ignore case
  email <-> Email : two way
  lastname <-> LastName : prefer salesforce unless blank
  default Lead.Company = "[not provided]"
  favourite_colour <-> Description : two way
  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out
}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three mappings (clean, broken, one reading a project catalog), checked from inside."""
    (tmp_path / "mappings").mkdir()
    shutil.copy(DEFAULT_MAPPING, tmp_path / "mappings" / "a_default.mapc")
    shutil.copytree(DEFAULT_MAPPING.parent / "catalogs", tmp_path / "mappings" / "catalogs")
    (tmp_path / "mappings" / "b_broken.mapc").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "mappings" / "catalog").mkdir()
    _write_catalog(tmp_path, PROJECT_CATALOG)
    (tmp_path / "mappings" / "c_custom.mapc").write_text(USES_CATALOG, encoding="utf-8")
    for path in (tmp_path / "mappings").glob("*.mapc"):
        _age(path)
    monkeypatch.chdir(tmp_path)
    directory_fingerprint.cache_clear()
    return tmp_path


def _age(path: Path) -> None:
    """Written an hour ago: old enough for the cache to trust its size and time."""
    then = time.time() - 3600
    os.utime(path, (then, then))


def _write_catalog(project: Path, catalog: object) -> None:
    path = project / "mappings" / "catalog" / "hubspot.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")


def _check(project: Path) -> list[CheckResult]:
    # As a new process would: nothing remembered of the catalogs read before.
    directory_fingerprint.cache_clear()
    pipeline._catalog.cache_clear()
    return check_paths([Path("mappings")], cache=CheckCache(project / ".mapc_cache"))


def _answers(results: list[CheckResult]) -> list[tuple[str, object]]:
    return [(r.path.name, r.diagnostics) for r in results]


def test_a_second_check_answers_every_unchanged_file_from_the_cache(project: Path) -> None:
    uncached = check_paths([Path("mappings")])
    first = _check(project)
    second = _check(project)
    assert [r.cached for r in first] == [False, False, False]
    assert [r.cached for r in second] == [True, True, True]
    assert _answers(second) == _answers(first) == _answers(uncached)
    assert [r.ok for r in second] == [True, False, True]
    assert any(d.code == "E203" for d in second[1].diagnostics)
    # An untouched file is not read, unless its diagnostics are to be shown from its text.
    assert [r.source is not None for r in second] == [False, True, False]


def test_a_file_changed_moments_ago_is_read_again(project: Path) -> None:
    # Its modification time may not move on the next change (coarse file system clocks),
    # so it is recognised by its content, never by its size and time alone.
    default = project / "mappings" / "a_default.mapc"
    default.write_text(default.read_text() + "\n", encoding="utf-8")
    _check(project)
    again = _check(project)
    assert again[0].cached and again[0].source is not None
    assert again[2].cached and again[2].source is None


def test_changing_one_file_rechecks_that_file_only(project: Path) -> None:
    _check(project)
    broken = project / "mappings" / "b_broken.mapc"
    broken.write_text(BROKEN.replace("emial", "email"), encoding="utf-8")
    results = _check(project)
    assert [r.cached for r in results] == [True, False, True]
    assert results[1].ok


def test_changing_a_project_catalog_rechecks_the_mappings_that_read_it(project: Path) -> None:
    _check(project)
    renamed = json.loads(json.dumps(PROJECT_CATALOG).replace("favourite_colour", "colour"))
    _write_catalog(project, renamed)
    results = _check(project)
    assert [r.cached for r in results] == [True, True, False]
    assert [d.code for d in results[2].diagnostics] == ["E203"]
    # Removing the directory is a change too, and so is putting it back.
    shutil.rmtree(project / "mappings" / "catalog")
    assert [d.code for d in _check(project)[2].diagnostics] == ["E208"]
    (project / "mappings" / "catalog").mkdir()
    _write_catalog(project, PROJECT_CATALOG)
    again = _check(project)
    assert not again[2].cached and again[2].diagnostics == ()


def test_a_new_mapc_version_rechecks(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check(project)
    monkeypatch.setattr("mapc.compiler.cache.__version__", "99.0.0")
    assert [r.cached for r in _check(project)] == [False, False, False]


def _index(project: Path) -> Path:
    return project / ".mapc_cache" / "check-2.json"


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b'{"entries": {"k": []}}', b"[]", b"\xff\xfe"],
    ids=["empty", "not json", "wrong entry", "wrong shape", "not utf-8"],
)
def test_a_damaged_index_is_a_miss_and_is_rewritten(project: Path, damage: bytes) -> None:
    first = _check(project)
    _index(project).write_bytes(damage)
    second = _check(project)
    assert [r.cached for r in second] == [False, False, False]
    assert _answers(second) == _answers(first)
    assert [r.cached for r in _check(project)] == [True, True, True]


def test_an_entry_with_a_code_this_version_does_not_know_is_a_miss(project: Path) -> None:
    _check(project)
    index = json.loads(_index(project).read_text())
    for entry in index["entries"].values():
        entry["diagnostics"] = [["E999", "gone", ["x.mapc", 1, 1, 1, 2], None]]
    _index(project).write_text(json.dumps(index))
    assert [r.cached for r in _check(project)] == [False, False, False]


def test_an_unusable_cache_directory_only_costs_speed(project: Path) -> None:
    (project / "blocked").write_text("a file where the cache directory would go")
    results = check_paths([Path("mappings")], cache=CheckCache(project / "blocked"))
    again = check_paths([Path("mappings")], cache=CheckCache(project / "blocked"))
    assert [r.cached for r in again] == [False, False, False]
    assert _answers(again) == _answers(results)


def test_concurrent_writers_leave_a_whole_index(project: Path) -> None:
    [result] = check_paths([Path("mappings/b_broken.mapc")])
    assert result.source is not None
    caches = [CheckCache(project / ".mapc_cache") for _ in range(8)]
    keys = []
    for n, cache in enumerate(caches):
        source = Source(f"copy{n}.mapc", result.source.text)
        keys.append(cache.key(source, Path("mappings")))
        cache.put(keys[-1], source, result.diagnostics, (), Path("mappings"), None)
    threads = [threading.Thread(target=cache.save) for cache in caches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = CheckCache(project / ".mapc_cache")
    found = [reader.get(key) for key in keys]
    assert any(found)  # the last rename wins whole; the others may be lost, never mixed
    assert all(f is None or f == result.diagnostics for f in found)
    assert [p.name for p in (project / ".mapc_cache").iterdir() if p.suffix == ".tmp"] == []


def test_a_rechecked_file_replaces_its_old_entry(project: Path) -> None:
    _check(project)
    broken = project / "mappings" / "b_broken.mapc"
    for n in range(3):
        broken.write_text(BROKEN + f"# edit {n}\n", encoding="utf-8")
        _check(project)
    assert len(json.loads(_index(project).read_text())["entries"]) == 3


def test_the_cache_keeps_itself_out_of_version_control(project: Path) -> None:
    _check(project)
    assert (project / ".mapc_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (project / ".mapc_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: ")


def test_the_command_caches_unless_told_not_to(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAPC_CACHE_DIR", str(project / "elsewhere"))
    assert cli.main(["check", "--no-cache", "mappings"]) == 1
    uncached = capsys.readouterr().out
    assert not (project / "elsewhere").exists()
    assert cli.main(["check", "mappings"]) == 1
    assert cli.main(["check", "mappings"]) == 1
    cached = capsys.readouterr().out
    assert len(json.loads((project / "elsewhere" / "check-2.json").read_text())["entries"]) == 3
    assert cached == uncached * 2


def test_a_same_size_rewrite_with_its_old_time_restored_is_checked_again(project: Path) -> None:
    # `cp -p`, `touch -r` or a checkout can restore the modification time after a rewrite
    # of the same size; the change time still moves (as git's index notices).
    _check(project)
    broken = project / "mappings" / "b_broken.mapc"
    before = broken.stat()
    fixed = BROKEN.replace("emial", "email")
    assert len(fixed) == len(BROKEN)
    broken.write_text(fixed, encoding="utf-8")
    os.utime(broken, ns=(before.st_atime_ns, before.st_mtime_ns))
    results = _check(project)
    assert not results[1].cached and results[1].ok


def test_a_file_name_no_encoding_can_write_costs_only_the_cache(project: Path) -> None:
    odd = project / "mappings" / os.fsdecode(b"odd\xff.mapc")
    shutil.copy(project / "mappings" / "b_broken.mapc", odd)
    _age(odd)
    results = {r.path.name: r for r in _check(project)}
    codes = [d.code for d in results[odd.name].diagnostics]
    assert codes and codes == [d.code for d in results["b_broken.mapc"].diagnostics]
    again = {r.path.name: r for r in _check(project)}
    assert [d.code for d in again[odd.name].diagnostics] == codes
