"""Shared helpers for the CI tests: the sample mapping, edits of it, running the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mapc.cli import main
from mapc.compiler.diff import Change, compare_mappings
from mapc.compiler.frontend import parse
from mapc.compiler.source import Source

ROOT = Path(__file__).resolve().parents[3]
# A copy of the default mapping and its catalogs, the tests' own: the edits and positions
# below hold whatever becomes of mappings/, which is the starter `mapc init` ships.
SAMPLE = Path(__file__).resolve().parent / "sample" / "hubspot_salesforce.mapc"
BASE = SAMPLE.read_text(encoding="utf-8")


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply literal replacements, each of which must match exactly once."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def cut(text: str, start: str, end: str) -> str:
    """Remove from the line starting with `start` up to (not including) `end`."""
    match = re.search(re.escape(start) + r".*?(?=" + re.escape(end) + ")", text, re.S)
    assert match, f"{start!r}..{end!r} not found"
    return text[: match.start()] + text[match.end() :]


def diff_texts(old: str, new: str) -> list[Change]:
    before = parse(Source("old.mapc", old))
    after = parse(Source("new.mapc", new))
    assert before.mapping is not None and not before.diagnostics, before.diagnostics
    assert after.mapping is not None and not after.diagnostics, after.diagnostics
    return compare_mappings(before.mapping, after.mapping)


def project(directory: Path, text: str = BASE, name: str = "hubspot_salesforce.mapc") -> Path:
    """A mappings directory with the sample's project catalogs beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    catalogs = directory / "catalogs"
    if not catalogs.exists():
        shutil.copytree(SAMPLE.parent / "catalogs", catalogs)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
