"""JUnit XML for CI: one testsuite per fixture file, one testcase per case."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SuiteReport", "write_junit"]


@dataclass(frozen=True)
class CaseReport:
    name: str
    seconds: float
    problems: tuple[str, ...]
    """Empty when the case passed; else why it failed, the first line being the gist."""
    kind: str = "failure"
    """`failure` for a wrong result, `error` when the adapter raised or the case is
    malformed (JUnit's two ways to fail)."""


@dataclass
class SuiteReport:
    fixture: Path
    cases: list[CaseReport]


# Characters XML 1.0 cannot hold at all (ElementTree would write them, and no parser would
# read the file back): a case name or an exception message may carry one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _classname(fixture: Path) -> str:
    # Test reporters group testcases by class name; the fixture's path without its suffix
    # reads as a dotted name and keeps two fixtures of the same stem apart.
    return ".".join(fixture.with_suffix("").parts).lstrip(".") or fixture.stem


def write_junit(path: Path, suites: Sequence[SuiteReport]) -> None:
    """Write the report to `path` (its folder is created); OSError when it cannot be."""
    root = ET.Element("testsuites", name="mapc test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    for suite in suites:
        counts = {
            "tests": len(suite.cases),
            "failures": sum(1 for c in suite.cases if c.problems and c.kind == "failure"),
            "errors": sum(1 for c in suite.cases if c.problems and c.kind == "error"),
        }
        seconds = sum(c.seconds for c in suite.cases)
        element = ET.SubElement(
            root,
            "testsuite",
            name=_xml(suite.fixture.as_posix()),
            tests=str(counts["tests"]),
            failures=str(counts["failures"]),
            errors=str(counts["errors"]),
            skipped="0",
            time=f"{seconds:.6f}",
        )
        for case in suite.cases:
            testcase = ET.SubElement(
                element,
                "testcase",
                name=_xml(case.name),
                classname=_classname(suite.fixture),
                file=_xml(suite.fixture.as_posix()),
                time=f"{case.seconds:.6f}",
            )
            if case.problems:
                outcome = ET.SubElement(testcase, case.kind, message=_xml(case.problems[0]))
                outcome.set("type", "MappingTestError" if case.kind == "error" else "Mismatch")
                outcome.text = _xml("\n".join(case.problems))
        for key in totals:
            totals[key] += counts[key]
        total_time += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.6f}")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
