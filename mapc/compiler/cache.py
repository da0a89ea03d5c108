"""A content-hash cache of `mapc check` results, so an unchanged file is not checked again.

An entry is keyed on the file's text and name, where it lives, the mapc version and a
fingerprint of mapc's code and shipped catalogs; it records the content hash of the
project catalog directory the mapping used, and is used only while that still matches.
As git's index does, the cache also remembers each file's size, modification time and
inode with the hash of the text they had, so an untouched file is not even read (a file
changed within two seconds of being checked is not remembered so: its time may not move).
All entries sit in one index file, read once per run: a run merges its new entries into
the latest index and renames a complete new file into place, so a reader sees an old index
or a new one, never half of one. Concurrent runs may drop each other's new entries (a later
miss, never a wrong answer); an index that fails to decode is an empty one.
"""

from __future__ import annotations

import hashlib
import os
import time
from functools import cache
from pathlib import Path

import msgspec

from mapc import __version__
from mapc.compiler.diagnostics import CODES, Diagnostic
from mapc.compiler.source import Source, Span

CACHE_ENV = "MAPC_CACHE_DIR"
DEFAULT_DIR = ".mapc_cache"
_INDEX = "check-2.json"
_PACKAGE = Path(__file__).resolve().parents[1]
# A source checkout (an editable install) has the grammar beside the package: there mapc's
# code changes without a new version number, so its files are part of the key.
_CHECKOUT_GRAMMAR = _PACKAGE.parent / "grammar" / "mapc.lark"
_CODE = ("compiler", "catalogs", "runtime/adapter.py", "__init__.py")
# Parts of the compiler that work from a checked plan or on other inputs and never decide a
# diagnostic of `mapc check`: leaving them out keeps the fingerprint quick to take.
_NOT_CHECKING = frozenset({"__pycache__", "codegen", "diff", "mappingtests"})


class _Entry(msgspec.Struct, frozen=True):
    path: str
    catalogs: dict[str, str]
    """Project catalog directory -> its content hash when the file was checked."""
    diagnostics: list[tuple[str, str, tuple[str, int, int, int, int], str | None]]


class _Index(msgspec.Struct):
    entries: dict[str, _Entry]
    files: dict[str, tuple[int, int, int, int, str]] = {}
    """File (key prefix and name) -> size, modification and change times, inode, and its
    entry's key (the change time, as git's index keeps it, catches a rewrite that restored
    the modification time)."""


Status = tuple[int, int, int, int]
_RACY_NS = 2_000_000_000


_decoder = msgspec.json.Decoder(_Index)


def default_directory() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_DIR)


class CheckCache:
    """Check results on disk under `directory`; every failure to read or write is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index: _Index | None = None
        self._new: dict[str, _Entry] = {}
        self._new_files: dict[str, tuple[int, int, int, int, str]] = {}
        self._prefixes: dict[Path, str] = {}

    def _prefix(self, base_dir: Path) -> str:
        prefix = self._prefixes.get(base_dir)
        if prefix is None:
            # The working directory: diagnostics name catalog files relative to it.
            parts = (__version__, code_fingerprint(), os.getcwd(), str(base_dir.resolve()))
            prefix = self._prefixes[base_dir] = "\0".join(parts) + "\0"
        return prefix

    def key(self, source: Source, base_dir: Path) -> str:
        head = (self._prefix(base_dir) + source.name + "\0").encode("utf-8", "surrogatepass")
        return hashlib.sha256(head + source.text.encode("utf-8", "surrogatepass")).hexdigest()

    @staticmethod
    def status(path: Path) -> Status | None:
        """What says a file is untouched; taken before reading it, so a change while it is
        read shows next time."""
        try:
            found = os.stat(path)
        except OSError:
            return None
        return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino

    def unchanged(self, name: str, base_dir: Path, status: Status | None) -> str | None:
        """The entry key of a file untouched since it was checked, without reading it."""
        if status is None:
            return None
        file = self._prefix(base_dir) + name
        known = self._new_files.get(file) or self._load().files.get(file)
        if known is None or known[:4] != status:
            return None
        return known[4]

    def get(self, key: str) -> tuple[Diagnostic, ...] | None:
        entry = self._new.get(key) or self._load().entries.get(key)
        if entry is None:
            return None
        if any(directory_fingerprint(d) != f for d, f in entry.catalogs.items()):
            return None
        diagnostics = []
        for code, message, span, hint in entry.diagnostics:
            if code not in CODES:
                return None  # not a diagnostic this version knows: check again
            diagnostics.append(Diagnostic(code, message, Span(*span), hint))
        return tuple(diagnostics)

    def put(
        self,
        key: str,
        source: Source,
        diagnostics: tuple[Diagnostic, ...],
        catalog_dirs: tuple[Path, ...],
        base_dir: Path,
        status: Status | None,
    ) -> None:
        self._new[key] = _Entry(
            path=source.name,
            catalogs={str(d): directory_fingerprint(str(d)) for d in catalog_dirs},
            diagnostics=[_diagnostic_row(d) for d in diagnostics],
        )
        if status is not None and time.time_ns() - status[1] > _RACY_NS:
            self._new_files[self._prefix(base_dir) + source.name] = (*status, key)

    def save(self) -> None:
        """Merge this run's entries into the index on disk (nothing to do when none)."""
        if not self._new:
            return
        try:
            # The latest index, not the one read at the start: another run may have
            # saved since. Entries for a file this run checked again are replaced.
            latest = self._read()
            rechecked = {e.path for e in self._new.values()}
            entries = {k: e for k, e in latest.entries.items() if e.path not in rechecked}
            entries.update(self._new)
            files = {f: s for f, s in latest.files.items() if s[4] in entries}
            files.update(self._new_files)
            self._write(msgspec.json.encode(_Index(entries, files)))
        except (OSError, ValueError):
            # A read-only or full disk, or a file name no encoding can write (undecodable
            # bytes), costs speed, never the check itself.
            pass
        self._new.clear()
        self._new_files.clear()

    def _load(self) -> _Index:
        if self._index is None:
            self._index = self._read()
        return self._index

    def _read(self) -> _Index:
        try:
            return _decoder.decode((self.directory / _INDEX).read_bytes())
        except (OSError, msgspec.DecodeError):
            return _Index({})

    def _write(self, data: bytes) -> None:
        import tempfile

        self._prepare()
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, self.directory / _INDEX)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
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


def _diagnostic_row(d: Diagnostic) -> tuple[str, str, tuple[str, int, int, int, int], str | None]:
    s = d.span
    return (d.code, d.message, (s.file, s.line, s.column, s.end_line, s.end_column), d.hint)


@cache
def code_fingerprint() -> str:
    """What, besides the version, decides mapc's answers: shipped catalogs, and in a source
    checkout the compiler's code and grammar (names, sizes and modification times)."""
    paths: list[str] = []
    if _CHECKOUT_GRAMMAR.is_file():
        paths.append(str(_CHECKOUT_GRAMMAR))
        for part in _CODE:
            _collect(str(_PACKAGE / part), paths)
    else:
        _collect(str(_PACKAGE / "catalogs"), paths)
    digest = hashlib.sha256()
    for path in paths:
        status = os.stat(path)
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _collect(path: str, into: list[str]) -> None:
    if not os.path.isdir(path):
        into.append(path)
        return
    with os.scandir(path) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir():
                if entry.name not in _NOT_CHECKING:
                    _collect(entry.path, into)
            elif entry.name.endswith((".py", ".json", ".lark")):
                into.append(entry.path)


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
