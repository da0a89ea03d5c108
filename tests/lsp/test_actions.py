"""Quick fixes through the protocol, and `mapc check --fix` on files: one set of fixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mapc.cli import main
from mapc.compiler.fixes import apply_edits
from tests.lsp.client import LspClient
from tests.lsp.conftest import MAPPING, write_project

BROKEN = (
    MAPPING.replace(
        "  email           <-> Email              : two way",
        "  email            -> Email              : two way",
    )
    .replace(
        "  company         <-> Lead.Company       : prefer salesforce unless blank",
        "  company         <-> Account.Company    : prefer salesforce unless blank",
    )
    .replace('  evangelist             -> "Evangelist"\n', "")
    .replace('  other                  -> "Other"\n', "")
)


def actions(lsp: LspClient, path: Path, line: int, only: str = "quickfix") -> Any:
    context: dict[str, Any] = {"diagnostics": [], "only": [only]}
    return lsp.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": path.as_uri()},
            "range": {
                "start": {"line": line, "character": 0},
                "end": {"line": line, "character": 200},
            },
            "context": context,
        },
    )


def apply(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits (this text is ASCII: characters are UTF-16 units)."""
    from mapc.compiler.fixes import Edit
    from mapc.compiler.source import Span

    return apply_edits(
        text,
        [
            Edit(
                Span(
                    file="x",
                    line=e["range"]["start"]["line"] + 1,
                    column=e["range"]["start"]["character"] + 1,
                    end_line=e["range"]["end"]["line"] + 1,
                    end_column=e["range"]["end"]["character"] + 1,
                ),
                e["newText"],
            )
            for e in edits
        ],
    )


def test_quick_fixes_for_the_arrow_the_object_and_the_value_map(
    lsp: LspClient, project: Path
) -> None:
    path = project / "fixable.mapc"
    codes = sorted(d["code"] for d in lsp.open(path, BROKEN)["diagnostics"])
    assert codes == ["E206", "E413", "E501"]
    lines = BROKEN.split("\n")

    arrow = actions(lsp, path, lines.index("  email            -> Email              : two way"))
    assert [(a["title"], a.get("isPreferred")) for a in arrow] == [
        ("Change the arrow to `<->`", True),
        ("Change the rule to `always hubspot`", False),
    ]
    assert arrow[0]["kind"] == "quickfix"
    assert arrow[0]["diagnostics"][0]["code"] == "E413"
    fixed = apply(BROKEN, arrow[0]["edit"]["changes"][path.as_uri()])
    assert "  email           <-> Email              : two way" in fixed  # alignment kept

    wrong = actions(
        lsp,
        path,
        lines.index("  company         <-> Account.Company    : prefer salesforce unless blank"),
    )
    [only] = wrong
    assert (only["title"], only["isPreferred"]) == ("Change `Account` to `Lead`", True)

    missing = actions(lsp, path, lines.index("values lifecycle_stages {"))
    [entries] = missing
    assert entries["title"] == "Add 2 missing entries to `lifecycle_stages`"
    fixed = apply(BROKEN, entries["edit"]["changes"][path.as_uri()])
    assert (
        '  evangelist             -> "Evangelist"\n  other                  -> "Other"\n}' in fixed
    )


def test_fix_all_applies_every_safe_fix(lsp: LspClient, project: Path) -> None:
    path = project / "fix_all.mapc"
    lsp.open(path, BROKEN)
    [action] = actions(lsp, path, 0, only="source.fixAll")
    assert action["kind"] == "source.fixAll.mapc"
    fixed = apply(BROKEN, action["edit"]["changes"][path.as_uri()])
    lsp.change(path, fixed, version=2)
    assert lsp.diagnostics(path.as_uri(), 2)["diagnostics"] == []


def test_an_ambiguous_fix_is_offered_but_not_preferred(lsp: LspClient, project: Path) -> None:
    path = project / "ambiguous.mapc"
    text = MAPPING.replace(
        "  email           <-> Email              : two way",
        "  email           <-> Email              : one way",
    )
    lsp.open(path, text)
    found = actions(
        lsp, path, text.split("\n").index("  email           <-> Email              : one way")
    )
    assert [(a["title"], a["isPreferred"]) for a in found] == [
        ("Change the arrow to `->`", False),
        ("Change the arrow to `<-`", False),
        ("Change the rule to `two way`", False),
    ]


def test_check_fix_applies_the_same_fixes_to_the_file(tmp_path: Path, capsys: Any) -> None:
    path = write_project(tmp_path)
    path.write_text(BROKEN, encoding="utf-8")
    assert main(["check", "--no-cache", str(path)]) == 1
    capsys.readouterr()
    assert main(["check", "--fix", str(path)]) == 0
    fixed = path.read_text(encoding="utf-8")
    assert fixed == MAPPING  # the arrow, the object and both entries, laid out as before
    err = capsys.readouterr().err
    assert "fixed E413: Change the arrow to `<->`" in err
    assert "fixed E206: Change `Account` to `Lead`" in err
    assert "fixed E501: Add 2 missing entries to `lifecycle_stages`" in err


def test_check_fix_leaves_what_needs_a_person(tmp_path: Path, capsys: Any) -> None:
    path = write_project(tmp_path)
    text = MAPPING.replace(
        "  email           <-> Email              : two way",
        "  email           <-> Email              : one way",
    )
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--fix", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == text
    assert "E413" in capsys.readouterr().out
