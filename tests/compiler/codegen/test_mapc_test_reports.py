"""`mapc test --junit` writes a report CI can read; a stale adapter is refused."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mapc.cli import main

CASES = Path(__file__).resolve().parents[1] / "cases"

FIXTURE = """\
adapter: ../../generated/minimal.py
cases:
  - name: the mapping's name
    inspect: name
    expect: minimal
  - name: wrong on purpose
    include: {object: contacts, hubspot: {}}
    expect: false
  - name: "no such object <&>"
    include: {object: tickets, hubspot: {}}
    expect: true
  - name: malformed
    inspect: name
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of its own: a mapping, its generated adapter and a fixture."""
    (tmp_path / "mappings" / "tests").mkdir(parents=True)
    shutil.copy(CASES / "ok_minimal.mapc", tmp_path / "mappings" / "minimal.mapc")
    (tmp_path / "mappings" / "tests" / "minimal.yaml").write_text(FIXTURE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["compile", "mappings"]) == 0
    return tmp_path


def test_junit_has_a_testcase_per_case_and_failures_carry_the_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = project / "reports" / "mapc.xml"
    assert main(["test", "--junit", str(report)]) == 1
    capsys.readouterr()
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "2")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "mappings/tests/minimal.yaml"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "2")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "the mapping's name",
        "wrong on purpose",
        "no such object <&>",
        "malformed",
    ]
    assert all(c.get("classname") == "mappings.tests.minimal" for c in cases)
    assert all(float(c.get("time", "-1")) >= 0 for c in cases)
    passed, wrong, raised, malformed = cases
    assert list(passed) == []
    (failure,) = wrong.findall("failure")
    assert failure.get("message") == "expected False, got True"
    assert failure.text == "expected False, got True"
    (error,) = raised.findall("error")
    assert (error.get("message") or "").startswith("raised LookupError: no sync block for")
    (error,) = malformed.findall("error")
    assert (error.get("message") or "").startswith("malformed case: nothing to check")


def test_a_passing_run_writes_a_clean_report(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = project / "mappings" / "tests" / "minimal.yaml"
    fixture.write_text(FIXTURE.split("  - name: wrong")[0], encoding="utf-8")
    assert main(["test", "-q", "--junit", "out.xml"]) == 0
    root = ET.parse(project / "out.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
    assert capsys.readouterr().out == "1 passed, 0 failed\n"


def test_a_stale_adapter_is_refused_until_recompiled(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = project / "mappings" / "minimal.mapc"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert main(["test", "--junit", "out.xml"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "mapc test: generated/minimal.py is stale: mappings/minimal.mapc changed since it was "
        "generated; regenerate it with `mapc compile` (or pass --allow-stale to test it as it "
        "is)\n"
    )
    assert not (project / "out.xml").exists()

    assert main(["test", "--allow-stale"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "warning: generated/minimal.py is stale: mappings/minimal.mapc changed since it was "
        "generated\n"
    )
    assert "1 passed, 3 failed" in out

    assert main(["compile", "mappings"]) == 0
    capsys.readouterr()
    assert main(["test"]) == 1
    assert "warning" not in capsys.readouterr().out


def test_an_adapter_whose_mapping_is_gone_runs_with_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "mappings" / "minimal.mapc").unlink()
    assert main(["test"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "warning: generated/minimal.py: its mapping mappings/minimal.mapc is not there, so "
        "whether it is current cannot be told\n"
    )


def test_an_unwritable_report_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "taken").write_text("a file, not a folder", encoding="utf-8")
    assert main(["test", "--junit", "taken/out.xml"]) == 2
    assert capsys.readouterr().err.startswith("mapc test: taken/out.xml: cannot write")
