"""Is a generated adapter current? It records its mapping's path and sha256; compare them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapc.compiler.source import Source
from mapc.runtime.adapter import Adapter

__all__ = ["Freshness", "freshness"]

_PROJECT_MARKERS = ("pyproject.toml", ".git")


@dataclass(frozen=True)
class Freshness:
    """`stale` when the mapping changed since the adapter was generated; `unknown` says why
    it could not be told (the mapping is not where the adapter says)."""

    adapter: Path
    source: Path | None
    stale: bool = False
    unknown: str = ""

    def describe(self) -> str:
        adapter = _shown(self.adapter).as_posix()
        if self.stale:
            return f"{adapter} is stale: {self.source_shown} changed since it was generated"
        return f"{adapter}: {self.unknown}"

    @property
    def source_shown(self) -> str:
        return self.source.as_posix() if self.source is not None else "its mapping"


def _candidates(adapter_path: Path, source_path: str) -> list[Path]:
    """Where the mapping may be: `mapc compile` writes SOURCE_PATH relative to the project
    (the nearest folder with pyproject.toml or .git), else as given on its command line."""
    resolved = adapter_path.resolve()
    roots = [p for p in resolved.parents if any((p / m).exists() for m in _PROJECT_MARKERS)]
    return [root / source_path for root in (*roots[:1], resolved.parent.parent, Path.cwd())]


def freshness(adapter_path: Path, adapter: Adapter) -> Freshness:
    if not adapter.source_sha256 or not adapter.source_path:
        return Freshness(adapter_path, None, unknown="it records no source mapping")
    relative = Path(adapter.source_path)
    if relative.is_absolute() or ".." in relative.parts:
        return Freshness(adapter_path, None, unknown=f"{adapter.source_path}: not a project path")
    for candidate in _candidates(adapter_path, adapter.source_path):
        if candidate.is_file():
            try:
                text_sha = Source.from_path(candidate).sha256
            except (OSError, UnicodeDecodeError) as error:
                return Freshness(adapter_path, candidate, unknown=f"{candidate}: {error}")
            shown = _shown(candidate)
            return Freshness(adapter_path, shown, stale=text_sha != adapter.source_sha256)
    return Freshness(
        adapter_path,
        None,
        unknown=f"its mapping {adapter.source_path} is not there, so whether it is current "
        "cannot be told",
    )


def _shown(path: Path) -> Path:
    """`path` relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
