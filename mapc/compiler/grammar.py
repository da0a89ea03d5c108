"""The grammar file, and the LALR parser built from it once per process.

The parser's tables come from `lark_standalone.py`, Lark's stand-alone parser generated
from grammar/mapc.lark (`python -m mapc.compiler.standalone`): loading it costs a fraction
of importing Lark and loading the grammar, which a cold `mapc check` would otherwise pay.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from mapc.compiler.lark_standalone import (
    Lark,
    LarkError,
    Token,
    Tree,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
    file_parser,
)

__all__ = [
    "Lark",
    "LarkError",
    "Token",
    "Tree",
    "UnexpectedCharacters",
    "UnexpectedInput",
    "UnexpectedToken",
    "grammar_text",
    "lark_parser",
    "start_collecting_comments",
    "stop_collecting_comments",
]

# The wheel carries the grammar inside the package (pyproject force-include); a source
# checkout or an editable install reads it from the top-level grammar/ directory.
_PACKAGED = Path(__file__).resolve().parents[1] / "_grammar" / "mapc.lark"
_CHECKOUT = Path(__file__).resolve().parents[2] / "grammar" / "mapc.lark"

# Comments are ignored by the parser but the formatter must keep them: the lexer hands
# each one to this per-thread sink as it goes by.
_comment_sink = threading.local()


def grammar_text() -> str:
    path = _PACKAGED if _PACKAGED.is_file() else _CHECKOUT
    return path.read_text(encoding="utf-8")


def _collect_comment(token: Token) -> Token:
    sink: list[Token] | None = getattr(_comment_sink, "tokens", None)
    if sink is not None:
        sink.append(token)
    return token


@cache
def lark_parser() -> Lark:
    lark: Lark = file_parser(lexer_callbacks={"COMMENT": _collect_comment})
    return lark


def start_collecting_comments() -> list[Token]:
    tokens: list[Token] = []
    _comment_sink.tokens = tokens
    return tokens


def stop_collecting_comments() -> None:
    _comment_sink.tokens = None
