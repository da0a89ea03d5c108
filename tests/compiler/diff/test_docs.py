"""The change codes and report-layer codes are documented, and the docs' workflow is whole."""

from __future__ import annotations

import re

import yaml

from mapc.compiler.diagnostics import CODES
from mapc.compiler.diff import KINDS
from mapc.compiler.report import REPORT_CODES, heading_anchor
from tests.compiler.diff.helpers import ROOT

DIFF_DOC = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def test_every_change_code_has_a_section() -> None:
    for code, kind in KINDS.items():
        assert f'<a id="{code.lower()}"></a>' in DIFF_DOC, code
        heading = f"#### {code}: {kind.title} ({'breaking' if kind.breaking else 'safe'})"
        assert heading in DIFF_DOC, heading
        assert f"| [{code}](#{code.lower()}) | {kind.title} |" in DIFF_DOC, code
    documented = set(re.findall(r'<a id="([bs]\d{3})"></a>', DIFF_DOC))
    assert documented == {c.lower() for c in KINDS}


def test_report_codes_are_documented() -> None:
    for code, info in REPORT_CODES.items():
        assert f'<a id="{code.lower()}"></a>\n### {code}: {info.title}' in CI_DOC


def test_the_workflow_is_valid_yaml_with_every_step() -> None:
    block = re.search(r"```yaml\n(# CI for the mappings.*?)```", CI_DOC, re.S)
    assert block
    workflow = yaml.safe_load(block.group(1))
    steps = workflow["jobs"]["mapc"]["steps"]
    text = "\n".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in steps)
    for needed in (
        "actions/checkout@",
        "actions/setup-python@",
        "pip install -r requirements.txt",
        "mapc check --format github",
        "mapc fmt --check",
        "mapc compile --check",
        "mapc test",
        'mapc diff --against "origin/${{ github.base_ref }}" --format github',
        "github/codeql-action/upload-sarif@",
    ):
        assert needed in text, needed
    assert steps[0]["with"]["fetch-depth"] == 0
    # Each SARIF file the workflow writes is uploaded, under a category of its own.
    written = set(re.findall(r"> (sarif/\S+\.sarif)", text))
    uploads = [s["with"] for s in steps if "upload-sarif" in str(s.get("uses", ""))]
    assert written == {"sarif/check.sarif", "sarif/fmt.sarif", "sarif/compile.sarif"}
    assert {u["sarif_file"] for u in uploads} == written
    assert len({u["category"] for u in uploads}) == len(uploads)


def test_sarif_help_links_reach_the_diagnostics_pages() -> None:
    page = ROOT / "docs" / "diagnostics.md"
    if not page.exists():  # written alongside; the link shape is checked when it is there
        return
    headings = re.findall(r"^### ([EW]\d{3} .*)$", page.read_text(encoding="utf-8"), re.M)
    anchors = {h.split()[0]: heading_anchor(h) for h in headings}
    for code, info in CODES.items():
        if code in anchors:
            assert anchors[code] == heading_anchor(f"{code} {info.title}"), code
