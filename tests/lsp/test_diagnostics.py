"""Live diagnostics and formatting, through the protocol: a real `mapc lsp` on real pipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mapc.compiler.formatter import format_mapping
from mapc.compiler.frontend import parse
from mapc.compiler.source import Source
from tests.lsp.client import LspClient
from tests.lsp.conftest import MAPPING, write_project


def test_initialize_announces_the_features(project: Path) -> None:
    client = LspClient(cwd=project)
    try:
        capabilities = client.initialize(project)["capabilities"]
    finally:
        client.close()
    assert capabilities["documentFormattingProvider"]
    assert capabilities["textDocumentSync"]["openClose"]
    assert capabilities["textDocumentSync"]["change"] == 2  # incremental
    assert client.process.returncode == 0


def test_a_clean_mapping_with_its_project_catalog_has_no_diagnostics(
    lsp: LspClient, project: Path
) -> None:
    # Lifecycle_Stage__c exists only in the project catalog that `catalogs:` names.
    published = lsp.open(project / "editor_test.mapc", MAPPING)
    assert published["diagnostics"] == []


def test_an_edit_gets_diagnostics_with_code_range_message_and_hint(
    lsp: LspClient, project: Path
) -> None:
    path = project / "live.mapc"
    assert lsp.open(path, MAPPING)["diagnostics"] == []
    broken = MAPPING.replace(
        "email           <-> Email              : two way",
        "email           -> Email              : two way",
    )
    lsp.change(path, broken, version=2)
    published = lsp.diagnostics(path.as_uri(), 2)
    [found] = published["diagnostics"]
    assert found["code"] == "E413"
    assert found["source"] == "mapc"
    assert found["severity"] == 1
    assert found["message"] == "`->` and `two way` disagree"
    line = broken.splitlines().index("  email           -> Email              : two way")
    column = broken.splitlines()[line].index("two way")
    assert found["range"] == {
        "start": {"line": line, "character": column},
        "end": {"line": line, "character": column + len("two way")},
    }
    [related] = found["relatedInformation"]
    assert related["message"].startswith("`two way` goes with `<->`")
    assert related["location"]["uri"] == path.as_uri()
    assert found["codeDescription"]["href"].endswith(
        "diagnostics.md#e413-direction-and-rule-disagree"
    )
    # Fixing the line clears the diagnostics of the new version.
    lsp.change(path, MAPPING, version=3)
    assert lsp.diagnostics(path.as_uri(), 3)["diagnostics"] == []


def test_incremental_changes_are_applied_before_checking(lsp: LspClient, project: Path) -> None:
    path = project / "incremental.mapc"
    lsp.open(path, MAPPING)
    line = MAPPING.splitlines().index("  match none")
    lsp.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": path.as_uri(), "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": line, "character": 8},
                        "end": {"line": line, "character": 12},
                    },
                    "text": "nine",
                }
            ],
        },
    )
    [found] = lsp.diagnostics(path.as_uri(), 2)["diagnostics"]
    # `match nine`: the edit landed where it was meant to, inside the deals block.
    assert (found["code"], found["message"]) == ("E404", "deals cannot be matched this way")
    assert found["range"]["start"] == {"line": line, "character": 2}


def test_a_syntax_error_while_typing_is_reported_on_its_line(lsp: LspClient, project: Path) -> None:
    path = project / "typing.mapc"
    lsp.open(path, MAPPING)
    half_typed = MAPPING.replace("  match none\n", "  match none\n  dealstage <-\n")
    lsp.change(path, half_typed, version=2)
    [found] = lsp.diagnostics(path.as_uri(), 2)["diagnostics"]
    assert found["code"] == "E001"
    assert found["range"]["start"]["line"] == half_typed.splitlines().index("  dealstage <-")


def test_positions_count_utf16_code_units(lsp: LspClient, project: Path) -> None:
    # "😀" is one character to mapc and two UTF-16 code units to the editor.
    path = project / "emoji.mapc"
    text = MAPPING.replace(
        '  default Lead.Company = "[not provided]"',
        '  default Lead.Company = "😀" ; default Lead.Nope = "x"',
    )
    [found] = lsp.open(path, text)["diagnostics"]
    assert found["code"] == "E204"
    line = text.splitlines().index('  default Lead.Company = "😀" ; default Lead.Nope = "x"')
    character = text.splitlines()[line].index("Nope") + 1  # +1: the emoji's second unit
    assert found["range"]["start"] == {"line": line, "character": character}


def test_the_project_catalog_is_reread_when_it_changes(tmp_path: Path) -> None:
    path = write_project(tmp_path)
    client = LspClient(cwd=tmp_path)
    try:
        client.initialize(tmp_path)
        assert client.open(path, MAPPING)["diagnostics"] == []
        (tmp_path / "catalogs" / "salesforce.json").write_text(
            '{"system": "salesforce", "objects": {}}', encoding="utf-8"
        )
        client.notify("textDocument/didSave", {"textDocument": {"uri": path.as_uri()}})
        codes = {d["code"] for d in client.diagnostics(path.as_uri(), 1)["diagnostics"]}
        assert codes == {"E204"}  # Lifecycle_Stage__c is gone with the catalog entry
    finally:
        client.close()


def test_a_broken_project_catalog_is_e208(lsp: LspClient, project: Path) -> None:
    path = project / "broken_catalog.mapc"
    text = MAPPING.replace('catalogs: "catalogs"', 'catalogs: "no_such_dir"')
    [found] = lsp.open(path, text)["diagnostics"]
    assert found["code"] == "E208"


def test_closing_a_document_clears_its_diagnostics(lsp: LspClient, project: Path) -> None:
    path = project / "closing.mapc"
    assert lsp.open(path, "mapping x\n")["diagnostics"]
    lsp.notify("textDocument/didClose", {"textDocument": {"uri": path.as_uri()}})
    _, published = lsp.wait_for(
        "textDocument/publishDiagnostics", lambda p: p["uri"] == path.as_uri()
    )
    assert published["diagnostics"] == []


def test_a_burst_of_edits_is_checked_once_it_settles(project: Path) -> None:
    client = LspClient(cwd=project)
    try:
        client.initialize(project, {"debounceMs": 400})
        path = project / "burst.mapc"
        client.open(path, MAPPING)
        for version in range(2, 12):
            client.change(path, MAPPING + "#" * version + "\n", version)
        client.diagnostics(path.as_uri(), 11)
        versions = [
            m["params"]["version"]
            for m in client.history
            if m["method"] == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == path.as_uri()
        ]
    finally:
        client.close()
    # The open, at most the burst's first edit (checked at once), and the last.
    assert versions[0] == 1 and versions[-1] == 11
    assert len(versions) <= 3, versions


def test_formatting_returns_the_formatter_output(lsp: LspClient, project: Path) -> None:
    path = project / "unformatted.mapc"
    messy = MAPPING.replace("  match none\n", "match   none  # keep me\n").replace(
        "amount     -> Amount", "amount -> Amount"
    )
    lsp.open(path, messy)
    [edit] = lsp.request(
        "textDocument/formatting",
        {"textDocument": {"uri": path.as_uri()}, "options": {"tabSize": 2, "insertSpaces": True}},
    )
    lines = messy.split("\n")
    assert edit["range"] == {
        "start": {"line": 0, "character": 0},
        "end": {"line": len(lines) - 1, "character": len(lines[-1])},
    }
    source = Source("x.mapc", messy)
    parsed = parse(source)
    assert parsed.mapping is not None
    assert edit["newText"] == format_mapping(parsed.mapping, source)
    assert "  match none  # keep me\n" in edit["newText"]


def test_formatting_a_formatted_or_broken_file_changes_nothing(
    lsp: LspClient, project: Path
) -> None:
    params = {"options": {"tabSize": 2, "insertSpaces": True}}
    clean = project / "formatted.mapc"
    lsp.open(clean, MAPPING)
    assert (
        lsp.request("textDocument/formatting", {"textDocument": {"uri": clean.as_uri()}, **params})
        == []
    )
    broken = project / "unparsable.mapc"
    lsp.open(broken, MAPPING + "sync {\n")
    assert (
        lsp.request("textDocument/formatting", {"textDocument": {"uri": broken.as_uri()}, **params})
        is None
    )


def test_the_server_does_not_load_the_runtime(project: Path) -> None:
    # The server checks and formats; the connectors, sync engine and emulator stay unloaded.
    script = f"""
import sys
from pathlib import Path
from mapc.lsp.analysis import Catalogs, analyze
from mapc.lsp import server
from mapc.compiler.formatter import format_mapping
text = Path({str(project / "editor_test.mapc")!r}).read_text()
a = analyze("file:///x.mapc", 1, text, Path({str(project / "x.mapc")!r}), Catalogs(), "utf-16")
assert a.mapping is not None and not a.diagnostics, a.diagnostics
format_mapping(a.mapping, a.source)
server.build_server()
print("\\n".join(sorted(sys.modules)))
"""
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    runtime = [m for m in loaded if m.startswith("mapc.runtime.") and m != "mapc.runtime.kinds"]
    assert runtime == []
    for heavy in ("simple_salesforce", "hubspot", "sqlalchemy", "mapc.emulator", "jinja2"):
        assert heavy not in loaded
