"""`mapc init DIR`: a mapping project of its own, ready to commit, check and run in CI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create a mapping project: a starter mapping, tests, CI and pre-commit config",
        description="Create a mapping project in DIR (created if needed): mappings/ with "
        "the standard connector mapping, its project catalogs and unit tests, generated/ "
        "with its adapter, requirements.txt naming this mapc, a GitHub Actions workflow and "
        "a pre-commit config that install mapc from it, a README and a .gitignore. "
        "Nothing is overwritten without --force. Exit 0 when written, 2 when DIR already "
        "has one of the files or cannot be written.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument(
        "--force", action="store_true", help="overwrite the files the project already has"
    )
    parser.add_argument(
        "--requirement",
        metavar="SPEC",
        help="how CI and pre-commit install mapc, as a pip requirement "
        "(e.g. 'mapc==0.1.0' from your package index, or 'mapc @ git+https://HOST/mapc@TAG'); "
        "default: where this mapc was installed from",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mapc.starter import (
        Requirement,
        StarterError,
        collisions,
        generated_files,
        generated_paths,
        installed_requirement,
        project_files,
        write_project,
    )

    directory: Path = args.directory
    if args.requirement is not None:
        spec = " ".join(str(args.requirement).split())
        if not spec.lower().startswith("mapc") or "\n" in str(args.requirement):
            print(
                "mapc init: --requirement must be a pip requirement for mapc, "
                "e.g. 'mapc==0.1.0' or 'mapc @ git+https://HOST/mapc@TAG'",
                file=sys.stderr,
            )
            return 2
        requirement = Requirement(spec, spec.split("@", 1)[-1].strip().startswith("file:"))
    else:
        requirement = installed_requirement()
    if directory.exists() and not directory.is_dir():
        print(f"mapc init: {directory} is a file, not a directory", file=sys.stderr)
        return 2
    files = project_files(requirement.spec)
    taken = collisions(directory, [f.path for f in files] + generated_paths(files))
    if taken and not args.force:
        shown = ", ".join(p.as_posix() for p in taken[:5]) + (", ..." if len(taken) > 5 else "")
        print(
            f"mapc init: {directory} already has {shown}; nothing was written "
            "(--force overwrites them)",
            file=sys.stderr,
        )
        return 2
    try:
        write_project(directory, files)
        adapters = generated_files(directory)
        write_project(directory, adapters)
    except StarterError as error:
        print(f"mapc init: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"mapc init: cannot write {directory}: {error}", file=sys.stderr)
        return 2
    for file in [*files, *adapters]:
        print(f"wrote: {(directory / file.path).as_posix()}")
    print(f"mapc is installed from: {requirement.spec} (requirements.txt)")
    if requirement.local:
        print(
            "warning: that is a path on this machine, which CI and colleagues cannot "
            "install from; run `mapc init` again with --force and --requirement naming "
            "your package index's or repository's mapc, or edit requirements.txt and "
            ".pre-commit-config.yaml",
            file=sys.stderr,
        )
    print(
        f"next: cd {directory.as_posix()} && git init && mapc check mappings && mapc test "
        "(README.md has the rest)"
    )
    return 0
