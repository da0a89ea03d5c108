"""The front end as one call: files -> checked plans and diagnostics. No printing here."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from mapc.compiler.diagnostics import Diagnostic, has_errors
from mapc.compiler.source import Source, Span
from mapc.errors import MapcError

if TYPE_CHECKING:
    from mapc.compiler import ir
    from mapc.compiler.cache import CheckCache
    from mapc.compiler.catalog import Catalog
    from mapc.compiler.plan import Plan

# The IR, parser, checker and catalogs (lark, pydantic) are imported when a file is
# checked, not with this module: a check answered from the cache needs none of them.

SUFFIX = ".mapc"


class UsageError(MapcError):
    """A problem with the command, not with a mapping (exit code 2)."""


class CheckResult(Struct, frozen=True):
    path: Path
    source: Source | None
    mapping: ir.MappingFile | None
    plan: Plan | None
    diagnostics: tuple[Diagnostic, ...]
    cached: bool = False
    """Answered from the check cache: the diagnostics only, no mapping and no plan (and no
    source when the file was not read: untouched, and with nothing to show)."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def display_name(path: Path, cwd: str | None = None) -> str:
    """The path as diagnostics and generated headers show it: relative when possible.

    `cwd`, the working directory, saves asking the system for it for each of many files.
    """
    start = cwd or os.getcwd()
    try:
        shown = os.path.relpath(os.path.join(start, path), start)
    except ValueError:  # another drive on Windows
        shown = str(path)
    if shown.startswith(".."):
        shown = str(path)
    return shown if os.sep == "/" else Path(shown).as_posix()


def find_mappings(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories expanded to their *.mapc files (not recursive), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # What path.glob("*.mapc") would find, without a stat per file (the directory
            # entry knows its type); in one directory, ordering by name is by path.
            with os.scandir(path) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(SUFFIX) and e.is_file())
            found.extend(path / name for name in names)
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    if not found:
        raise UsageError(f"no {SUFFIX} files in {', '.join(str(p) for p in paths)}")
    return found


def check_paths(paths: Sequence[Path], *, cache: CheckCache | None = None) -> list[CheckResult]:
    cwd = os.getcwd()
    results = [check_file(path, cache=cache, cwd=cwd) for path in find_mappings(paths)]
    if cache is not None:
        cache.save()
    return results


def check_file(
    path: Path, *, cache: CheckCache | None = None, cwd: str | None = None
) -> CheckResult:
    """Check one file; with a cache, an unchanged file's diagnostics come from it (and new
    results go to it: `cache.save()` writes them; `check_paths` does so itself)."""
    name = display_name(path, cwd)
    base_dir = path.parent
    status = None
    if cache is not None:
        status = cache.status(path)
        untouched = cache.unchanged(name, base_dir, status)
        found = _cached(cache, untouched, path, name) if untouched else None
        if found is not None:
            return found
    try:
        source = Source.from_path(path, name)
    except UnicodeDecodeError as error:
        span = Span.point(name, 1, 1)
        diagnostic = Diagnostic(
            "E009",
            f"the file is not UTF-8 text (byte {error.start} cannot be decoded)",
            span,
            "save the file as UTF-8",
        )
        return CheckResult(path, None, None, None, (diagnostic,))
    except OSError as error:
        raise UsageError(f"{name}: cannot read: {error.strerror or error}") from None
    if cache is None:
        return check_source(source, base_dir=base_dir)
    key = cache.key(source, base_dir)
    diagnostics = cache.get(key)
    if diagnostics is not None:
        return CheckResult(Path(source.name), source, None, None, diagnostics, cached=True)
    result = check_source(source, base_dir=base_dir)
    dirs = _catalog_dirs(result.mapping, base_dir)
    cache.put(key, source, result.diagnostics, dirs, base_dir, status)
    return result


def _cached(cache: CheckCache, key: str, path: Path, name: str) -> CheckResult | None:
    """An untouched file's result; its text is read only to show its diagnostics."""
    diagnostics = cache.get(key)
    if diagnostics is None:
        return None
    source = None
    if diagnostics:
        try:
            source = Source.from_path(path, name)
        except (OSError, UnicodeDecodeError):
            return None  # changed after all: check it the usual way
    return CheckResult(Path(name), source, None, None, diagnostics, cached=True)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while the front end runs.

    Parsing and building allocate hundreds of thousands of small acyclic objects; each
    generation-0 overflow would walk the growing tree, which on a 10,000-line file cost
    four times the parse. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_source(
    source: Source, catalog: Catalog | None = None, base_dir: Path | None = None
) -> CheckResult:
    with _without_cyclic_gc():
        return _check_source(source, catalog, base_dir)


def _check_source(source: Source, catalog: Catalog | None, base_dir: Path | None) -> CheckResult:
    from mapc.compiler.check import check
    from mapc.compiler.frontend import parse

    path = Path(source.name)
    parsed = parse(source, keep_comments=False)
    if parsed.mapping is None:
        return CheckResult(path, source, None, None, parsed.diagnostics)
    diagnostics = list(parsed.diagnostics)
    if catalog is None:
        catalog, catalog_diagnostic = _project_catalog(parsed.mapping, base_dir or Path.cwd())
        if catalog_diagnostic is not None:
            return CheckResult(
                path, source, parsed.mapping, None, (*diagnostics, catalog_diagnostic)
            )
    plan, found = check(source, parsed.mapping, catalog)
    diagnostics.extend(found)
    unique = tuple(dict.fromkeys(sorted(diagnostics, key=Diagnostic.sort_key)))
    return CheckResult(
        path, source, parsed.mapping, plan if not has_errors(unique) else None, unique
    )


def _catalog_setting(mapping: ir.MappingFile) -> ir.Setting | None:
    from mapc.compiler import ir

    return next(
        (
            s
            for block in mapping.of_type(ir.SettingsBlock)
            for s in block.settings
            if s.key.value == "catalogs"
            and isinstance(s.value, ir.Literal)
            and isinstance(s.value.value, str)
        ),
        None,
    )


def _catalog_dirs(mapping: ir.MappingFile | None, base_dir: Path) -> tuple[Path, ...]:
    """The project catalog directory a mapping reads, if any: its checks depend on it."""
    setting = _catalog_setting(mapping) if mapping is not None else None
    if setting is None:
        return ()
    try:
        return ((base_dir / str(setting.value.value)).resolve(),)
    except (ValueError, OSError):
        return ()


def _project_catalog(mapping: ir.MappingFile, base_dir: Path) -> tuple[Catalog, Diagnostic | None]:
    from mapc.compiler.catalog import CatalogError

    setting = _catalog_setting(mapping)
    if setting is None:
        return _catalog(()), None
    try:
        directory = (base_dir / str(setting.value.value)).resolve()
        return _catalog((str(directory),)), None
    except (ValueError, OSError) as error:  # e.g. a NUL byte in the name
        return _catalog(()), Diagnostic(
            "E208",
            f"project catalog directory {setting.value.value!r} cannot be used: {error}",
            setting.value.span,
            "name an existing directory, relative to the mapping file",
        )
    except CatalogError as error:
        hint = "fix the catalog file, or regenerate it with `mapc schema pull`"
        if error.line is None and not Path(error.path).exists():
            hint = "create the directory, or fix the path (it is relative to the mapping file)"
        where = str(error.path)
        if error.line is not None:
            where += f":{error.line}" + (f":{error.column}" if error.column is not None else "")
        return _catalog(()), Diagnostic(
            "E208",
            f"project catalog {display_name(Path(where))}: {error.message}",
            setting.value.span,
            hint,
        )


@cache
def _catalog(directories: tuple[str, ...]) -> Catalog:
    from mapc.compiler.catalog import load_catalog

    return load_catalog([Path(d) for d in directories])
