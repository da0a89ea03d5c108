"""The check cache: unchanged files answered from it, identically; any change re-checks."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from mapc import cli
from mapc.compiler import pipeline
from mapc.compiler.cache import CheckCache, directory_fingerprint
from mapc.compiler.pipeline import CheckResult, check_paths

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
    monkeypatch.chdir(tmp_path)
    directory_fingerprint.cache_clear()
    return tmp_path


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
    assert all(r.source is not None for r in second)  # the text renders excerpts from it


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


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b'{"catalogs": {}, "diagnostics": [["E999", 1, [], null]]}', b"[]"],
    ids=["empty", "not json", "unknown code", "wrong shape"],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(project: Path, damage: bytes) -> None:
    first = _check(project)
    entries = sorted((project / ".mapc_cache" / "check-1").iterdir())
    assert len(entries) == 3
    for entry in entries:
        entry.write_bytes(damage)
    second = _check(project)
    assert [r.cached for r in second] == [False, False, False]
    assert _answers(second) == _answers(first)
    assert [r.cached for r in _check(project)] == [True, True, True]


def test_an_unusable_cache_directory_only_costs_speed(project: Path) -> None:
    (project / "blocked").write_text("a file where the cache directory would go")
    cache = CheckCache(project / "blocked")
    results = check_paths([Path("mappings")], cache=cache)
    again = check_paths([Path("mappings")], cache=cache)
    assert [r.cached for r in again] == [False, False, False]
    assert _answers(again) == _answers(results)


def test_concurrent_writers_leave_one_whole_entry(project: Path) -> None:
    cache = CheckCache(project / ".mapc_cache")
    [result] = check_paths([Path("mappings/b_broken.mapc")])
    assert result.source is not None
    key = cache.key(result.source, Path("mappings"))
    threads = [
        threading.Thread(target=cache.put, args=(key, result.diagnostics, ())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get(key) == result.diagnostics
    assert [p.name for p in (project / ".mapc_cache" / "check-1").iterdir()] == [key]


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
    assert len(list((project / "elsewhere" / "check-1").iterdir())) == 3
    assert cached == uncached * 2
