"""Text -> Lark tree, with syntax errors turned into diagnostics.

The parser recovers to report more than the first error: after an error it blanks the
offending statement (a whole block when the statement opens one), keeping every other
character in place so positions stay true, and parses again.
"""

from __future__ import annotations

import re

import msgspec.structs
from msgspec import Struct

from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.grammar import (
    Token,
    Tree,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    lark_parser,
    start_collecting_comments,
    stop_collecting_comments,
)
from mapc.compiler.source import Source, Span

MAX_SYNTAX_ERRORS = 20

_RULE_WORDS = {"two", "prefer", "always", "one", "do", "standard", "values", "owner"}
_ARROWS = {"BOTH_WAYS", "TO_SALESFORCE", "TO_HUBSPOT"}
_TERMINAL_NAMES = {
    "NAME": "a name",
    "QUOTED_NAME": "a `quoted name`",
    "STRING": "a string",
    "NUMBER": "a number",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "_NL": "the end of the line",
    "BOTH_WAYS": "`<->`",
    "TO_SALESFORCE": "`->`",
    "TO_HUBSPOT": "`<-`",
    "COMPARATOR": "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
    "$END": "the end of the file",
}


class ParseResult(Struct, frozen=True):
    tree: Tree[Token] | None
    comments: tuple[Token, ...]
    diagnostics: tuple[Diagnostic, ...]


def parse_source(source: Source, *, comments: bool = True) -> ParseResult:
    """Parse, recovering to report more errors; `comments=False` keeps no comment tokens
    (only the formatter needs them, and on a large file they weigh)."""
    parser = lark_parser()
    text = source.text
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[int, int]] = set()
    while True:
        collected = start_collecting_comments() if comments else []
        try:
            tree = parser.parse(text)
        except UnexpectedInput as error:
            diagnostic = _diagnose(source, text, error)
            position = (diagnostic.span.line, diagnostic.span.column)
            if position not in seen:
                diagnostics.append(diagnostic)
                seen.add(position)
            blanked = _blank_statement(text, diagnostic.span.line, diagnostic.span.column)
            if (
                blanked is None
                or blanked == text
                or diagnostic.code == "E005"
                or len(diagnostics) >= MAX_SYNTAX_ERRORS
            ):
                return ParseResult(None, (), tuple(diagnostics))
            text = blanked
            continue
        finally:
            stop_collecting_comments()
        if diagnostics:
            return ParseResult(None, (), tuple(diagnostics))
        return ParseResult(tree, tuple(collected), ())


def _diagnose(source: Source, text: str, error: UnexpectedInput) -> Diagnostic:
    if isinstance(error, UnexpectedCharacters):
        return _unexpected_character(source, text, error)
    assert isinstance(error, UnexpectedToken)
    return _unexpected_token(source, text, error)


def _unexpected_character(source: Source, text: str, error: UnexpectedCharacters) -> Diagnostic:
    line, column = error.line, error.column
    position = error.pos_in_stream or 0
    char = text[position] if position < len(text) else ""
    line_text = text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else ""
    if char == '"':
        span = Span(
            file=source.name, line=line, column=column, end_line=line, end_column=len(line_text) + 1
        )
        return Diagnostic(
            "E003",
            "unterminated string",
            span,
            'close the string with `"` on the same line; write a quote inside it as `\\"`',
        )
    if text.startswith("=>", position) or text.startswith("<=>", position):
        arrow = "<=>" if text.startswith("<=>", position) else "=>"
        span = Span(
            file=source.name,
            line=line,
            column=column,
            end_line=line,
            end_column=column + len(arrow),
        )
        return Diagnostic(
            "E007",
            f"unknown arrow `{arrow}`",
            span,
            "use `<->` (both ways), `->` (HubSpot to Salesforce) or `<-` (Salesforce to HubSpot)",
        )
    if char in _TYPOGRAPHIC_QUOTES:
        return Diagnostic(
            "E002",
            f"typographic quote {char!r}",
            Span.point(source.name, line, column),
            'strings take straight double quotes: "like this" (an editor or word processor may have curled them)',
        )
    shown = repr(char) if char.strip() else f"{char!r} (whitespace)"
    return Diagnostic(
        "E002",
        f"unexpected character {shown}",
        Span.point(source.name, line, column),
        "names are letters, digits and `_`; quote any other name with backticks, e.g. `my-field`",
    )


def _unexpected_token(source: Source, text: str, error: UnexpectedToken) -> Diagnostic:
    token = error.token
    expected = set(error.expected) | set(getattr(error, "accepts", set()) or set())
    if token.type == "$END":
        return Diagnostic(
            "E005",
            "unexpected end of file",
            source.end_span(),
            _unclosed_hint(text) or "the file ends in the middle of a statement",
        )
    span = _token_span(source, token)
    found = _describe_token(token)
    if token.type in _STATEMENT_KEYWORDS and "RBRACE" in expected:
        # A statement keyword inside a block: the block above was never closed. Say so
        # here, once, rather than a cascade of "unexpected" on every statement after it.
        opened = _unclosed_line(text, before_line=token.line or 1)
        where = f"the block opened on line {opened}" if opened else "a block"
        return Diagnostic(
            "E005",
            f"{where} is not closed before `{token.value}`",
            span,
            "add `}` at the end of that block",
        )
    word = _word_at(source, token)
    cut_off = word != str(token.value) and word.split("_")[0] in _RULE_WORDS
    if cut_off or (expected & _RULE_KEYWORDS and token.type == "NAME"):
        # `always_hubspot`: the lexer took the keyword `always` off the front of a word.
        return _unknown_rule(source, token, word)
    if token.type == "NAME" and str(token.value).lower() in {"null", "none", "nil", "empty"}:
        return Diagnostic(
            "E001",
            f"unexpected {found}: there is no null value",
            span,
            "test for a missing value with `is blank` (or `is not blank`)",
        )
    if token.type == "HUBSPOT" and "SALESFORCE" in expected:
        return Diagnostic(
            "E001",
            "there is no `prefer hubspot unless blank` rule",
            span,
            "HubSpot's value winning is `always hubspot`, with the arrow `->`",
        )
    if expected & _ARROWS and not {token.type} & _ARROWS:
        if token.value in {"=", "=>", "<=>", "<>"} or token.type in {"COMPARATOR", "EQUAL"}:
            # The lexer splits `=>` and `<=>`; name and underline what was written.
            written = _arrow_at(source, token) or str(token.value)
            span = msgspec.structs.replace(span, end_column=span.column + len(written))
            return Diagnostic(
                "E007",
                f"unknown arrow `{written}`",
                span,
                "use `<->` (both ways), `->` (HubSpot to Salesforce) or `<-` (Salesforce to HubSpot)",
            )
    if "COLON" in expected and str(token.value) in _RULE_WORDS:
        line = source.line_text(token.line or 1)
        at = (token.column or 1) - 1
        fixed = f"{line[:at].rstrip()} : {line[at:].strip()}".strip()
        return Diagnostic(
            "E006",
            f"missing `:` before the field rule {found}",
            span,
            f"a colon separates the fields from the rule: `{fixed}`",
        )
    if "_NL" in expected and token.type not in {"_NL", "$END"}:
        return Diagnostic(
            "E008",
            f"expected the end of the statement, found {found}",
            span,
            "each statement ends at the end of its line (or at `;`); start the next one on a new line",
        )
    wanted = ", ".join(sorted(_describe_terminal(t) for t in expected)) or "nothing"
    return Diagnostic(
        "E001",
        f"unexpected {found}",
        span,
        f"expected {wanted}",
    )


_TYPOGRAPHIC_QUOTES = set("\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb\u2039\u203a")
_ARROW_LIKE = re.compile(r"[<=>!-]+")


def _arrow_at(source: Source, token: Token) -> str | None:
    line = source.line_text(token.line or 1)
    match = _ARROW_LIKE.match(line, (token.column or 1) - 1)
    return match.group(0) if match else None


def _token_span(source: Source, token: Token) -> Span:
    line = token.line or 1
    column = token.column or 1
    if token.type == "_NL":
        return Span.point(source.name, line, column)
    end_column = token.end_column if token.end_line == line and token.end_column else column + 1
    return Span(file=source.name, line=line, column=column, end_line=line, end_column=end_column)


def _describe_token(token: Token) -> str:
    if token.type == "_NL":
        return "end of line" if token.value != ";" else "`;`"
    if token.type in {"NAME", "QUOTED_NAME"}:
        return f"name `{token.value}`" if token.type == "NAME" else f"name {token.value}"
    if token.type == "STRING":
        return f"string {token.value}"
    if token.type == "NUMBER":
        return f"number {token.value}"
    return f"`{token.value}`"


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    pattern = lark_parser().get_terminal(name).pattern
    return f"`{pattern.value}`" if pattern.type == "str" else name.lower()


_STATEMENT_KEYWORDS = {"MAPPING", "SETTINGS", "SYNC", "VALUES", "EVENTS"}
_RULE_KEYWORDS = {"TWO", "PREFER", "ALWAYS", "ONE", "DO", "STANDARD", "VALUES", "OWNER"}
_RULE_PHRASES = (
    "two way",
    "prefer salesforce unless blank",
    "always salesforce",
    "always hubspot",
    "one way",
    "do not sync",
    "owner",
    "standard opt_out",
)


def _word_at(source: Source, token: Token) -> str:
    """The whole word the token sits in (a keyword may be cut off the front of a name)."""
    line = source.line_text(token.line or 1)
    start = end = (token.column or 1) - 1
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    return line[start:end]


def _unknown_rule(source: Source, token: Token, word: str) -> Diagnostic:
    import difflib

    line_number = token.line or 1
    line = source.line_text(line_number)
    column = line.find(word, max(0, (token.column or 1) - 1 - len(word))) + 1
    spaced = word.replace("_", " ")
    close = difflib.get_close_matches(spaced, _RULE_PHRASES, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"the rules are: {', '.join(_RULE_PHRASES)}"
    span = Span(
        file=source.name,
        line=line_number,
        column=column,
        end_line=line_number,
        end_column=column + len(word),
    )
    return Diagnostic("E001", f"unknown rule `{word}`", span, hint)


def _unclosed_line(text: str, before_line: int) -> int | None:
    stack: list[int] = []
    for number, line in enumerate(text.splitlines()[: before_line - 1], start=1):
        for char in code_part(line):
            if char == "{":
                stack.append(number)
            elif char == "}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _unclosed_hint(text: str) -> str | None:
    stack: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for char in code_part(line):
            if char == "{":
                stack.append(number)
            elif char == "}" and stack:
                stack.pop()
    if stack:
        return f"the block opened with `{{` on line {stack[-1]} is never closed: add `}}`"
    return None


def code_part(line: str) -> str:
    """The line without strings, quoted names and its comment, for counting braces and
    `;` (the parser's recovery and the language server's outline both read lines so)."""
    out = []
    quote: str | None = None
    escaped = False
    for char in line:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in '"`':
            quote = char
            out.append(" ")
        elif char == "#":
            break
        else:
            out.append(char)
    return "".join(out)


def _blank_statement(text: str, line: int, column: int) -> str | None:
    """Blank the statement at `line` (through its closing brace if it opens a block).

    When the error follows a block's closing `}` on the same line, only what comes after
    the brace is blanked, so the block itself survives.
    """
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return None
    current = lines[line - 1]
    prefix = code_part(current[: column - 1])
    start = column - 1 if prefix.count("}") > prefix.count("{") else 0
    last = line
    depth = code_part(current[start:]).count("{") - code_part(current[start:]).count("}")
    while depth > 0 and last < len(lines):
        last += 1
        code = code_part(lines[last - 1])
        depth += code.count("{") - code.count("}")
    if depth < 0 and start == 0:
        # The line closes a block: keep the brace so the enclosing structure survives.
        lines[line - 1] = "".join(c if c in "}\r" else " " for c in current)
        return "\n".join(lines)
    lines[line - 1] = current[:start] + _blank(current[start:])
    for index in range(line, last):
        lines[index] = _blank(lines[index])
    return "\n".join(lines)


def _blank(text: str) -> str:
    return "".join("\r" if c == "\r" else " " for c in text)
