"""One open document, parsed and checked: what every request of the server reads."""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from pathlib import Path

from mapc.compiler import ir
from mapc.compiler.catalog import Catalog, CatalogError, load_catalog
from mapc.compiler.check import check
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.fixes import catalog_directory
from mapc.compiler.frontend import Parsed, parse
from mapc.compiler.pipeline import check_source
from mapc.compiler.source import Source
from mapc.lsp.incremental import reparse
from mapc.lsp.positions import LineIndex


@dataclass(frozen=True)
class Analysis:
    uri: str
    version: int | None
    source: Source
    index: LineIndex
    parsed: Parsed
    catalog: Catalog
    """The catalogs names resolve against (the shipped ones when the project's is broken)."""
    diagnostics: tuple[Diagnostic, ...]

    @property
    def mapping(self) -> ir.MappingFile | None:
        return self.parsed.mapping

    @property
    def formattable(self) -> bool:
        return self.mapping is not None and not any(d.is_error for d in self.parsed.diagnostics)


class Catalogs:
    """Project catalogs by directory, reloaded when one of their files changes on disk."""

    def __init__(self) -> None:
        self._loaded: dict[Path, tuple[tuple[int, ...], Catalog]] = {}

    def get(self, directory: Path | None) -> Catalog | None:
        """The catalogs for a project directory (None: the shipped ones); None if broken."""
        if directory is None:
            return load_catalog()
        signature = tuple(_mtime(directory / f"{s}.json") for s in ("hubspot", "salesforce"))
        cached = self._loaded.get(directory)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            catalog = load_catalog([directory])
        except CatalogError:
            return None
        self._loaded[directory] = (signature, catalog)
        return catalog


_CATALOGS_SETTING = re.compile(r'^\s*catalogs\s*:\s*"([^"\\]*)"', re.MULTILINE)


def _catalogs_setting(source: Source, base_dir: Path) -> Path | None:
    match = _CATALOGS_SETTING.search(source.text)
    if match is None:
        return None
    try:
        return (base_dir / match.group(1)).resolve()
    except (OSError, ValueError):
        return None


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def analyze(
    uri: str,
    version: int | None,
    text: str,
    path: Path | None,
    catalogs: Catalogs,
    encoding: str,
    previous: Analysis | None = None,
) -> Analysis:
    """Parse and check `text`, as `mapc check` would the file at `path`.

    Given the document's `previous` analysis, a one-line edit re-parses that line only.
    """
    name = path.name if path is not None else uri
    base_dir = path.parent if path is not None else Path.cwd()
    # A byte-order mark becomes a space: the editor counts it, so positions stay true.
    source = Source(name, text.replace("\ufeff", " ", 1) if text.startswith("\ufeff") else text)
    enabled = gc.isenabled()
    gc.disable()  # as the pipeline does: the front end makes many small acyclic objects
    try:
        parsed = (reparse(previous.parsed, source) if previous is not None else None) or parse(
            source
        )
        catalog = load_catalog()
        diagnostics = list(parsed.diagnostics)
        if parsed.mapping is not None:
            project = catalogs.get(catalog_directory(parsed.mapping, base_dir))
            if project is None:
                # A broken project catalog: the pipeline says what is wrong with it (E208).
                diagnostics = list(check_source(source, base_dir=base_dir).diagnostics)
            else:
                catalog = project
                diagnostics.extend(check(source, parsed.mapping, catalog)[1])
        else:
            # Mid-edit the file may not parse: completion and hover still want the project's
            # catalog, so read the setting from the text.
            catalog = catalogs.get(_catalogs_setting(source, base_dir)) or catalog
    finally:
        if enabled:
            gc.enable()
    unique = tuple(dict.fromkeys(sorted(diagnostics, key=Diagnostic.sort_key)))
    return Analysis(uri, version, source, LineIndex(source.text, encoding), parsed, catalog, unique)
