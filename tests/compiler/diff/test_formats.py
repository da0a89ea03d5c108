"""Machine-readable output of check, compile --check, fmt --check and diff; SARIF validity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from mapc.compiler.report import FORMATS
from tests.compiler.diff.helpers import BASE, edit, project, run_cli

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
FORMATS_CHECKED = jsonschema.FormatChecker()


@FORMATS_CHECKED.checks("uri")
def _absolute_uri(value: object) -> bool:
    """SARIF's `uri` is an absolute URI (jsonschema checks it only with extra packages)."""
    parts = urlsplit(str(value))
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in str(value)


@FORMATS_CHECKED.checks("uri-reference")
def _uri_reference(value: object) -> bool:
    return " " not in str(value) and "\\" not in str(value)


VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=FORMATS_CHECKED)
BROKEN = edit(BASE, ("  jobtitle         <-> Title ", "  jobtitle         <-> Titel "))
UNFORMATTED = edit(BASE, ("  lastname         <-> LastName", "  lastname <->   LastName"))


def sarif(out: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(out)
    VALIDATOR.validate(document)
    return document


def only_result(document: dict[str, Any]) -> dict[str, Any]:
    (run,) = document["runs"]
    (result,) = run["results"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert result["ruleId"] in rules
    rule = rules[result["ruleId"]]
    assert f"#{result['ruleId'].lower()}" in rule["helpUri"]
    assert rule["shortDescription"]["text"] and rule["name"]
    assert run["tool"]["driver"]["name"] == "mapc"
    return result


def location(result: dict[str, Any]) -> tuple[str, int, int]:
    physical = result["locations"][0]["physicalLocation"]
    region = physical["region"]
    assert region["endLine"] >= region["startLine"]
    return physical["artifactLocation"]["uri"], region["startLine"], region["startColumn"]


@pytest.fixture
def mappings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    project(tmp_path / "good", BASE)
    project(tmp_path / "broken", BROKEN)
    project(tmp_path / "unformatted", UNFORMATTED)
    return tmp_path


def test_the_vendored_schema_is_a_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_format_checks_are_live() -> None:
    bad = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x", "informationUri": "docs/"}}}],
    }
    assert not VALIDATOR.is_valid(bad)


def test_sarif_is_a_format() -> None:
    assert FORMATS == ("text", "json", "github", "sarif")


def test_check_sarif(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--format", "sarif", "broken")
    assert code == 1
    result = only_result(sarif(out))
    assert result["ruleId"] == "E204" and result["level"] == "error"
    assert location(result) == ("broken/hubspot_salesforce.mapc", 26, 24)


def test_check_sarif_clean(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--format", "sarif", "good")
    assert code == 0
    assert sarif(out)["runs"][0]["results"] == []


def test_check_github(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--format", "github", "broken")
    assert code == 1
    assert out.startswith(
        "::error file=broken/hubspot_salesforce.mapc,line=26,col=24,endLine=26,endColumn=29,"
        "title=E204 "
    )


def test_compile_check_sarif(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "sarif", "broken")
    assert code == 1
    assert only_result(sarif(out))["ruleId"] == "E204"


def test_diff_sarif(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(mappings / "changed", edit(BASE, ("match email ignore case", "match email")))
    code, out, _ = run_cli(
        capsys,
        "diff",
        "--format",
        "sarif",
        "good/hubspot_salesforce.mapc",
        "changed/hubspot_salesforce.mapc",
    )
    assert code == 1
    result = only_result(sarif(out))
    assert (result["ruleId"], result["level"]) == ("B201", "error")
    assert location(result) == ("changed/hubspot_salesforce.mapc", 18, 3)
    assert "diff.md#b201" in sarif(out)["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"]


def test_diff_sarif_safe_is_a_note(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(mappings / "grown", BASE + '\nvalues spare {\n  a -> "A"\n}\n')
    code, out, _ = run_cli(
        capsys,
        "diff",
        "--format",
        "sarif",
        "good/hubspot_salesforce.mapc",
        "grown/hubspot_salesforce.mapc",
    )
    assert code == 0
    assert only_result(sarif(out))["level"] == "note"


# -- mapc fmt --check ---------------------------------------------------------------------


def test_fmt_check_text(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fmt", "--check", "unformatted")
    assert code == 1
    assert out.startswith("unformatted/hubspot_salesforce.mapc:24:1: error[F001]: ")
    assert "first difference on line 24" in out


def test_fmt_check_clean(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fmt", "--check", "good")
    assert (code, out) == (0, "1 file already formatted\n")
    code, out, _ = run_cli(capsys, "fmt", "--check", "--format", "json", "good")
    assert code == 0 and json.loads(out)["diagnostics"] == []


def test_fmt_check_json(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fmt", "--check", "--format", "json", "unformatted")
    document = json.loads(out)
    assert code == 1 and document["valid"] is False
    (diagnostic,) = document["diagnostics"]
    assert diagnostic["code"] == "F001" and diagnostic["title"] == "file is not formatted"
    assert (diagnostic["file"], diagnostic["line"], diagnostic["column"]) == (
        "unformatted/hubspot_salesforce.mapc",
        24,
        1,
    )


def test_fmt_check_github(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fmt", "--check", "--format", "github", "unformatted")
    assert code == 1
    assert out.startswith(
        "::error file=unformatted/hubspot_salesforce.mapc,line=24,col=1,endLine=24,"
    )
    assert "title=F001 file is not formatted::" in out


def test_fmt_check_sarif(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fmt", "--check", "--format", "sarif", "unformatted")
    assert code == 1
    result = only_result(sarif(out))
    assert result["ruleId"] == "F001"
    assert location(result) == ("unformatted/hubspot_salesforce.mapc", 24, 1)


def test_fmt_check_leaves_files_alone(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "fmt", "--check", "unformatted")
    path = mappings / "unformatted" / "hubspot_salesforce.mapc"
    assert path.read_text(encoding="utf-8") == UNFORMATTED
    assert run_cli(capsys, "fmt", "unformatted")[0] == 0
    assert path.read_text(encoding="utf-8") == BASE


def test_fmt_check_syntax_error(mappings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(mappings / "syntax", BASE.replace("match email ignore case", "match email ignore"))
    code, out, _ = run_cli(capsys, "fmt", "--check", "--format", "json", "syntax")
    assert code == 1
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == ["E001"]


# -- mapc compile --check: each missing, stale or orphaned module is a G001 finding -------


@pytest.fixture
def stale(mappings: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """`good` compiled into generated/, then edited so the module is stale at line 4 (its sha256)."""
    assert run_cli(capsys, "compile", "good")[0] == 0
    path = mappings / "good" / "hubspot_salesforce.mapc"
    path.write_text(edit(BASE, ("jobtitle         <->", "jobtitle <->")), encoding="utf-8")
    return mappings


def test_compile_check_clean_in_every_format(
    stale: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "compile", "good")[0] == 0
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "json", "good")
    assert code == 0 and json.loads(out)["diagnostics"] == []
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "sarif", "good")
    assert code == 0 and sarif(out)["runs"][0]["results"] == []
    assert run_cli(capsys, "compile", "--check", "--format", "github", "good")[:2] == (0, "")


def test_compile_check_stale_text(stale: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "compile", "--check", "good")
    assert code == 1
    assert out.startswith(
        "generated/hubspot_salesforce.py:4:1: error[G001]: generated/hubspot_salesforce.py "
        "is out of date: it differs from what good/hubspot_salesforce.mapc generates now"
    )
    assert "  = help: run `mapc compile good` and commit the result" in out
    assert "-# Source sha256:" in out  # the diff still follows in text


def test_compile_check_stale_json(stale: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "compile", "--check", "--format", "json", "good")
    document = json.loads(out)  # stdout is one JSON document, nothing else
    assert code == 1 and document["valid"] is False and document["error_count"] == 1
    (diagnostic,) = document["diagnostics"]
    assert diagnostic["code"] == "G001"
    assert diagnostic["title"] == "generated file missing or out of date"
    assert (diagnostic["file"], diagnostic["line"], diagnostic["column"]) == (
        "generated/hubspot_salesforce.py",
        4,
        1,
    )
    assert "stale" not in err and "out of date" not in err


def test_compile_check_stale_github(stale: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "github", "good")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(
        "::error file=generated/hubspot_salesforce.py,line=4,col=1,endLine=4,endColumn=82,"
        "title=G001 generated file missing or out of date::"
    )


def test_compile_check_stale_sarif(stale: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "sarif", "good")
    assert code == 1
    result = only_result(sarif(out))
    assert (result["ruleId"], result["level"]) == ("G001", "error")
    assert location(result) == ("generated/hubspot_salesforce.py", 4, 1)
    assert "docs/ci.md#g001" in sarif(out)["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"]


def test_compile_check_missing_and_orphaned_sarif(
    mappings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mappings / "out").mkdir()
    (mappings / "out" / "gone.py").write_text("# Code generated by mapc 0.0.1 from x\n")
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "sarif", "good", "-o", "out")
    assert code == 1
    (run,) = sarif(out)["runs"]
    found = {location(r) for r in run["results"]}
    assert {r["ruleId"] for r in run["results"]} == {"G001"}
    # The missing module is reported at its mapping's `mapping` line; the orphan at line 1.
    assert found == {("good/hubspot_salesforce.mapc", 3, 1), ("out/gone.py", 1, 1)}
    messages = sorted(r["message"]["text"] for r in run["results"])
    assert "run `mapc compile good -o out`" in messages[1]
    assert messages[0].startswith("out/gone.py was generated by mapc")


def test_compile_check_keeps_checker_warnings_beside_g001(
    mappings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = edit(BASE, ("shared_org: false", "shared_org: true"))
    project(mappings / "warned", shared)
    code, out, _ = run_cli(capsys, "compile", "--check", "--format", "json", "warned")
    document = json.loads(out)
    assert code == 1
    assert sorted(d["code"][0] for d in document["diagnostics"]) == ["G", "W"]
