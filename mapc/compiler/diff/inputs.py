"""What to compare: two files, two directories, or the working tree against a git revision.

Everything here returns `FilePair`s of sources (None on the side where the file is absent)
and raises `UsageError` for bad paths and bad revisions; nothing is parsed here.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from mapc.compiler.pipeline import SUFFIX, UsageError, display_name
from mapc.compiler.source import Source


@dataclass(frozen=True)
class FilePair:
    old: Source | None
    new: Source | None

    @property
    def name(self) -> str:
        source = self.new or self.old
        assert source is not None
        return source.name


def _read(path: Path, name: str | None = None) -> Source:
    shown = name or display_name(path)
    try:
        return Source.from_path(path, shown)
    except UnicodeDecodeError:
        raise UsageError(f"{shown}: the file is not UTF-8 text") from None
    except OSError as error:
        raise UsageError(f"{shown}: cannot read: {error.strerror or error}") from None


def _mapping_files(directory: Path) -> dict[str, Path]:
    """A directory's *.mapc files by name (not recursive, as `mapc check` reads them)."""
    return {p.name: p for p in sorted(directory.glob(f"*{SUFFIX}")) if p.is_file()}


def pairs_from_paths(old: Path, new: Path) -> list[FilePair]:
    """OLD NEW: two files, or two directories whose files pair by name."""
    for path in (old, new):
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    if old.is_file() and new.is_file():
        return [FilePair(_read(old), _read(new))]
    if old.is_dir() and new.is_dir():
        before, after = _mapping_files(old), _mapping_files(new)
        if not before and not after:
            raise UsageError(f"no {SUFFIX} files in {old} or {new}")
        return [
            FilePair(
                _read(before[name]) if name in before else None,
                _read(after[name]) if name in after else None,
            )
            for name in sorted(set(before) | set(after))
        ]
    raise UsageError(
        f"compare two files or two directories, not a file and a directory: {old} {new}"
    )


# -- git ----------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise UsageError(f"cannot run git: {error.strerror or error}") from None


def _git_root(cwd: Path) -> Path:
    done = _git(["rev-parse", "--show-toplevel"], cwd)
    if done.returncode != 0:
        raise UsageError(f"{cwd}: not inside a git repository (needed for --against)")
    return Path(done.stdout.decode().strip()).resolve()


def _verify_ref(ref: str, root: Path) -> None:
    if ref.startswith("-"):
        raise UsageError(f"{ref!r} is not a git revision")
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if done.returncode != 0:
        raise UsageError(
            f"{ref!r} is not a git revision here (with a shallow clone, fetch it "
            "first: actions/checkout needs fetch-depth: 0)"
        )


def _tree_files(ref: str, relative: str, root: Path) -> dict[str, str]:
    """The revision's *.mapc blobs in one directory (root-relative path -> name)."""
    spec = f"{relative}/" if relative not in ("", ".") else "."
    done = _git(["ls-tree", "-z", ref, "--", spec], root)
    if done.returncode != 0:
        return {}
    found: dict[str, str] = {}
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        if meta.split()[1] == "blob" and path.endswith(SUFFIX):
            found[Path(path).name] = path
    return found


def _blob(ref: str, path: str, root: Path, name: str) -> Source | None:
    done = _git(["show", f"{ref}:{path}"], root)
    if done.returncode != 0:
        return None
    try:
        return Source(name, done.stdout.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UsageError(f"{ref}:{path}: the file is not UTF-8 text") from None


def pairs_against(ref: str, paths: list[Path], cwd: Path | None = None) -> list[FilePair]:
    """The working tree's mapping files under `paths` against the same files at `ref`."""
    here = (cwd or Path.cwd()).resolve()
    root = _git_root(here)
    _verify_ref(ref, root)
    result: dict[str, FilePair] = {}
    for given in paths:
        path = (here / given).resolve()
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{given}: outside the git repository {root}") from None
        if path.is_dir() or (not path.exists() and _tree_files(ref, relative, root)):
            old_files = _tree_files(ref, relative, root)
            new_files = _mapping_files(path) if path.is_dir() else {}
            for name in sorted(set(old_files) | set(new_files)):
                shown = display_name(path / name)
                old = _blob(ref, old_files[name], root, shown) if name in old_files else None
                new = _read(new_files[name], shown) if name in new_files else None
                result[shown] = FilePair(old, new)
        else:
            shown = display_name(path)
            old = _blob(ref, relative, root, shown)
            new = _read(path, shown) if path.is_file() else None
            if old is None and new is None:
                raise UsageError(f"{given}: no such file in the working tree or at {ref}")
            result[shown] = FilePair(old, new)
    if not result:
        raise UsageError(
            f"no {SUFFIX} files in {', '.join(str(p) for p in paths)} (here or at {ref})"
        )
    return [result[name] for name in sorted(result)]
