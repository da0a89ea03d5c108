"""Finds the grammar file and builds the Lark LALR parser once per process."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token

# The wheel carries the grammar inside the package (pyproject force-include); a source
# checkout or an editable install reads it from the top-level grammar/ directory.
_PACKAGED = ("_grammar", "mapc.lark")
_CHECKOUT = Path(__file__).resolve().parents[2] / "grammar" / "mapc.lark"

# Comments are ignored by the parser but the formatter must keep them: the lexer hands
# each one to this per-thread sink as it goes by.
_comment_sink = threading.local()


def grammar_text() -> str:
    packaged = resources.files("mapc").joinpath(*_PACKAGED)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return _CHECKOUT.read_text(encoding="utf-8")


def _collect_comment(token: Token) -> Token:
    sink: list[Token] | None = getattr(_comment_sink, "tokens", None)
    if sink is not None:
        sink.append(token)
    return token


@cache
def lark_parser() -> Lark:
    # cache=True keeps the analysed LALR tables in the temp directory keyed by the
    # grammar's hash, so a cold `mapc check` does not rebuild them.
    return Lark(
        grammar_text(),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
        lexer_callbacks={"COMMENT": _collect_comment},
    )


def start_collecting_comments() -> list[Token]:
    tokens: list[Token] = []
    _comment_sink.tokens = tokens
    return tokens


def stop_collecting_comments() -> None:
    _comment_sink.tokens = None
