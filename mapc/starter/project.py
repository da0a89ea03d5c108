"""The files of a new mapping project, and writing them without clobbering anything."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from mapc import __version__
from mapc.errors import MapcError

__all__ = [
    "ProjectFile",
    "StarterError",
    "collisions",
    "generated_files",
    "generated_paths",
    "project_files",
    "write_project",
]

# The wheel carries the default mapping inside the package (pyproject force-include); a
# source checkout or an editable install reads the top-level mappings/ directory, so the
# starter is always the default mapping that mapc's own checks keep clean.
_PACKAGED = ("_starter", "mappings")
_CHECKOUT = Path(__file__).resolve().parents[2] / "mappings"
# Template names without their leading dot, so that nothing in mapc's own repository
# (git, GitHub, pre-commit) mistakes them for its own configuration.
_RENAMED = {
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github": ".github",
}
_MAPPING_FILES = ("*.mapc", "catalogs/*.json", "tests/*.yaml")


class StarterError(MapcError):
    """The starter mapping does not compile (a broken mapc checkout, never a user's doing)."""


@dataclass(frozen=True)
class ProjectFile:
    path: PurePosixPath
    """Relative to the project directory."""
    content: bytes


def _walk(folder: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, bytes]]:
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name == "__pycache__":
            continue
        name = PurePosixPath(prefix, _RENAMED.get(item.name, item.name))
        if item.is_dir():
            yield from _walk(item, name)
        else:
            yield name, item.read_bytes()


def _starter_mappings() -> list[ProjectFile]:
    packaged = resources.files("mapc").joinpath(*_PACKAGED)
    root = Path(str(packaged)) if packaged.is_dir() else _CHECKOUT
    return [
        ProjectFile(PurePosixPath("mappings", path.relative_to(root).as_posix()), path.read_bytes())
        for pattern in _MAPPING_FILES
        for path in sorted(root.glob(pattern))
    ]


def project_files(requirement: str) -> list[ProjectFile]:
    """Every file of a new project but the generated adapters, which need the mappings
    written first (`mapc init` compiles them in place)."""
    values = {
        "@MAPC_VERSION@": __version__,
        "@MAPC_REQUIREMENT_YAML@": json.dumps(requirement),  # a YAML double-quoted string
        "@MAPC_REQUIREMENT@": requirement,
    }
    files = _starter_mappings()
    template = resources.files("mapc.starter").joinpath("template")
    for path, raw in _walk(template, PurePosixPath()):
        text = raw.decode("utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        files.append(ProjectFile(path, text.encode("utf-8")))
    return files


def collisions(directory: Path, paths: Sequence[PurePosixPath]) -> list[PurePosixPath]:
    return [p for p in paths if (directory / p).exists() or (directory / p).is_symlink()]


def write_project(directory: Path, files: Sequence[ProjectFile]) -> None:
    """Write `files` under `directory` (created as needed); OSError when it cannot."""
    for file in files:
        target = directory / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():  # --force replaces the link, never the file it points at
            target.unlink()
        target.write_bytes(file.content)


def generated_paths(files: Sequence[ProjectFile]) -> list[PurePosixPath]:
    """Where `generated_files` will write, known before the mappings are."""
    from mapc.compiler.codegen.render import module_filename

    return [
        PurePosixPath("generated", module_filename(f.path.name))
        for f in files
        if f.path.parent == PurePosixPath("mappings") and f.path.suffix == ".mapc"
    ]


def _source_path(directory: Path, mapping: Path) -> str:
    """The path `mapc compile` will record for `mapping`: relative to the project (the
    nearest folder with pyproject.toml or .git), else to the new project's own folder,
    which is what it records when run there, before and after `git init`."""
    resolved = mapping.resolve()
    for parent in resolved.parents:
        if (parent / "pyproject.toml").is_file() or (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return resolved.relative_to(directory.resolve()).as_posix()


def generated_files(directory: Path) -> list[ProjectFile]:
    """The adapters of the mappings written under `directory`, as `mapc compile` makes them."""
    from mapc.compiler.codegen import generate
    from mapc.compiler.pipeline import check_paths

    files: list[ProjectFile] = []
    for result in check_paths([directory / "mappings"]):
        if result.plan is None or not result.ok:
            first = next((d for d in result.diagnostics if d.is_error), None)
            raise StarterError(
                f"the starter mapping {result.path.name} has errors"
                + (f" ({first.code} {first.message})" if first is not None else "")
            )
        for file in generate(result.plan, _source_path(directory, result.path)):
            files.append(ProjectFile(PurePosixPath("generated", file.path), file.source.encode()))
    return files
