"""A content-hash cache of `mapc check` results, so an unchanged file is not checked again.

An entry is keyed on the file's text and name, where it lives, the mapc version and a
fingerprint of mapc's own code and shipped catalogs; it records the project catalog
directory the mapping used and that directory's content hash, and is used only while both
still match. Entries are written whole to a temporary file and renamed into place, so a
reader sees an old entry or a new one, never half of one; one that fails to read is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from mapc import __version__
from mapc.compiler.diagnostics import CODES, Diagnostic
from mapc.compiler.source import Source, Span

CACHE_ENV = "MAPC_CACHE_DIR"
DEFAULT_DIR = ".mapc_cache"
_FORMAT = "check-1"
_PACKAGE = Path(__file__).resolve().parents[1]
# The files whose change may change what `mapc check` says: mapc's code, its grammar and
# shipped catalogs (an editable install changes them without a new version number).
_CODE_SUFFIXES = (".py", ".lark", ".json")
_GRAMMAR = _PACKAGE.parent / "grammar" / "mapc.lark"


def default_directory() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_DIR)


class CheckCache:
    """Check results on disk under `directory`; every failure to read or write is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._entries = directory / _FORMAT
        self._ready = False

    def key(self, source: Source, base_dir: Path) -> str:
        digest = hashlib.sha256()
        for part in (
            __version__,
            code_fingerprint(),
            source.name,
            str(base_dir.resolve()),
            os.getcwd(),  # diagnostics name catalog files relative to it
        ):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(source.text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> tuple[Diagnostic, ...] | None:
        try:
            with open(self._entries / key, encoding="utf-8") as entry:
                data = json.load(entry)
            if any(directory_fingerprint(d) != f for d, f in data["catalogs"].items()):
                return None
            return tuple(_diagnostic(d) for d in data["diagnostics"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent, unreadable or not an entry this version wrote

    def put(
        self, key: str, diagnostics: tuple[Diagnostic, ...], catalog_dirs: tuple[Path, ...]
    ) -> None:
        data = {
            "catalogs": {str(d): directory_fingerprint(str(d)) for d in catalog_dirs},
            "diagnostics": [_diagnostic_json(d) for d in diagnostics],
        }
        try:
            self._prepare()
            fd, temporary = tempfile.mkstemp(dir=self._entries, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, separators=(",", ":"))
                os.replace(temporary, self._entries / key)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only or full disk costs speed, never the check itself

    def _prepare(self) -> None:
        if self._ready:
            return
        self._entries.mkdir(parents=True, exist_ok=True)
        # As other tools' caches: kept out of version control and out of backups.
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by mapc.\n*\n", encoding="utf-8")
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by mapc.\n",
                encoding="utf-8",
            )
        self._ready = True


@cache
def code_fingerprint() -> str:
    """Names, sizes and modification times of mapc's code, grammar and shipped catalogs."""
    digest = hashlib.sha256()
    paths = [_GRAMMAR] if _GRAMMAR.is_file() else []
    for directory, subdirectories, files in os.walk(_PACKAGE):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        paths.extend(Path(directory, f) for f in sorted(files) if f.endswith(_CODE_SUFFIXES))
    for path in paths:
        status = path.stat()
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@cache
def directory_fingerprint(directory: str) -> str:
    """The content hash of a project catalog directory's files ("absent" when there is none)."""
    root = Path(directory)
    if not root.is_dir():
        return "absent"
    digest = hashlib.sha256()
    for path in sorted(p for p in root.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _diagnostic_json(d: Diagnostic) -> list[Any]:
    s = d.span
    return [d.code, d.message, [s.file, s.line, s.column, s.end_line, s.end_column], d.hint]


def _diagnostic(data: list[Any]) -> Diagnostic:
    code, message, (file, line, column, end_line, end_column), hint = data
    if code not in CODES or not isinstance(message, str):
        raise ValueError("not a diagnostic")
    return Diagnostic(code, message, Span(file, line, column, end_line, end_column), hint)
