"""The TextMate grammar and the VS Code extension: valid, consistent, and tokenizing mapc."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EDITORS = ROOT / "editors"
GRAMMAR = json.loads((EDITORS / "mapc.tmLanguage.json").read_text(encoding="utf-8"))

SAMPLE = """\
mapping demo   # a comment with <-> inside
sync contacts <-> Lead, Contact {
  company <-> Lead.Company : prefer salesforce unless blank
  include where score >= 42 and flag == true
  default Lead.Company = "a # not a comment \\" \\u00e9"
}
"""


def _patterns(patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Patterns with includes resolved from the repository, in order."""
    out: list[dict[str, Any]] = []
    for pattern in patterns:
        if "include" in pattern:
            out.extend(_patterns([GRAMMAR["repository"][pattern["include"].lstrip("#")]]))
        elif "patterns" in pattern and "match" not in pattern and "begin" not in pattern:
            out.extend(_patterns(pattern["patterns"]))
        else:
            out.append(pattern)
    return out


def tokenize(line: str) -> list[tuple[str, str]]:
    """(text, scope) pairs, TextMate's way: at each point the leftmost match, first listed
    on a tie; begin/end rules run to their end (on this line)."""
    patterns = _patterns(GRAMMAR["patterns"])
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(line):
        best: tuple[int, int, re.Match[str], dict[str, Any]] | None = None
        for order, pattern in enumerate(patterns):
            regex = re.compile(pattern.get("match") or pattern["begin"], re.MULTILINE)
            found = regex.search(line, position)
            if found and found.end() > found.start():
                key = (found.start(), order)
                if best is None or key < (best[0], best[1]):
                    best = (found.start(), order, found, pattern)
        if best is None:
            break
        _, _, found, pattern = best
        if "begin" in pattern:
            end = re.compile(pattern["end"], re.MULTILINE)
            cursor = found.end()
            while True:
                inner = [re.compile(p["match"]).match(line, cursor) for p in pattern["patterns"]]
                hit = next((m for m in inner if m and m.end() > m.start()), None)
                if hit:
                    cursor = hit.end()
                    continue
                closing = end.match(line, cursor)
                if closing:
                    cursor = closing.end()
                    break
                cursor += 1
            tokens.append((line[found.start() : cursor], pattern["name"]))
            position = cursor
            continue
        if "captures" in pattern:
            for group, capture in sorted(pattern["captures"].items()):
                tokens.append((found.group(int(group)), capture["name"]))
        else:
            tokens.append((found.group(0), pattern["name"]))
        position = found.end()
    return tokens


def scopes(text: str) -> dict[str, str]:
    return {token: scope for line in text.splitlines() for token, scope in tokenize(line.strip())}


def test_the_grammar_is_valid_and_every_regex_compiles() -> None:
    assert GRAMMAR["scopeName"] == "source.mapc"
    assert "mapc" in GRAMMAR["fileTypes"]
    for pattern in _patterns(GRAMMAR["patterns"]):
        assert "name" in pattern or "captures" in pattern
        re.compile(pattern.get("match") or pattern["begin"])
        assert pattern.get("name", "").endswith(".mapc") or all(
            c["name"].endswith(".mapc") for c in pattern["captures"].values()
        )


def test_the_grammar_tokenizes_a_mapping() -> None:
    found = scopes(SAMPLE)
    assert found["mapping"] == "keyword.declaration.mapc"
    assert found["sync"] == "keyword.declaration.mapc"
    assert found["# a comment with <-> inside"] == "comment.line.number-sign.mapc"
    assert found["<->"] == "keyword.operator.arrow.mapc"
    assert found["prefer salesforce unless blank"] == "keyword.other.rule.mapc"
    assert found["Lead"] == "entity.name.type.object.mapc"
    assert found["Company"] == "variable.other.property.mapc"
    assert found["include where"] == "keyword.control.mapc"
    assert found[">="] == "keyword.operator.comparison.mapc"
    assert found["42"] == "constant.numeric.mapc"
    assert found["true"] == "constant.language.boolean.mapc"
    assert found['"a # not a comment \\" \\u00e9"'] == "string.quoted.double.mapc"
    assert found["{"] == "punctuation.section.block.begin.mapc"


def test_the_vscode_extension_contributes_the_language_grammar_and_server() -> None:
    extension = EDITORS / "vscode"
    manifest = json.loads((extension / "package.json").read_text(encoding="utf-8"))
    [language] = manifest["contributes"]["languages"]
    assert language["id"] == "mapc" and language["extensions"] == [".mapc"]
    json.loads((extension / language["configuration"]).read_text(encoding="utf-8"))
    [grammar] = manifest["contributes"]["grammars"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"]
    # The extension ships its own copy of the grammar (a package holds only its folder).
    assert json.loads((extension / grammar["path"]).read_text(encoding="utf-8")) == GRAMMAR
    main = (extension / manifest["main"]).read_text(encoding="utf-8")
    assert '["mapc", "lsp"]' in main and "LanguageClient" in main
    assert manifest["activationEvents"] == ["onLanguage:mapc"]
    assert "vscode-languageclient" in manifest["dependencies"]
