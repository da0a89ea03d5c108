"""The hooks in .pre-commit-hooks.yaml, run by pre-commit in a temporary repository.

The hooks are copied under `repo: local` with `language: system` (the way a repository that
already has mapc installed uses them), so pre-commit installs nothing and needs no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.compiler.diff.helpers import BASE, ROOT, edit, project

pytest.importorskip("pre_commit")

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
IDS = ("mapc-check", "mapc-fmt", "mapc-compile-check")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=mapc", "-c", "user.email=mapc@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def local_config() -> str:
    hooks = []
    for hook in HOOKS:
        local = {k: v for k, v in hook.items() if k != "description"}
        local["language"] = "system"
        hooks.append(local)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the sample mapping, its generated adapter and the hooks."""
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "repo"
    bin_dir = base / "bin"
    bin_dir.mkdir()
    # `mapc` on PATH runs this interpreter's mapc, whatever installed it.
    wrapper = bin_dir / "mapc"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mapc "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    project(repo / "mappings", BASE)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".pre-commit-config.yaml").write_text(local_config(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mapc", "compile", "mappings"], cwd=repo, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "sample")
    return base


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "copy", symlinks=True)
    return tmp_path / "copy" / "repo"


def pre_commit(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` on every file, or (with `files`) on the staged files only."""
    env = {
        **os.environ,
        "PATH": f"{repo.parent / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "SKIP": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *(() if files else ("--all-files",))],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def status(output: str) -> dict[str, str]:
    """`mapc check......Passed` lines -> {"mapc check": "Passed"}."""
    found = {}
    for line in output.splitlines():
        name, dots, result = line.partition("...")
        if dots and result.strip(".").strip() in ("Passed", "Failed", "(no files to check)Skipped"):
            found[name.strip()] = result.strip(".").strip()
    return found


def test_hooks_file_exposes_the_three_hooks() -> None:
    assert tuple(h["id"] for h in HOOKS) == IDS
    by_id = {h["id"]: h for h in HOOKS}
    for hook in HOOKS:
        assert hook["entry"].startswith("mapc ")
    assert by_id["mapc-check"]["files"] == by_id["mapc-fmt"]["files"] == r"\.mapc$"
    # Catalogs and generated modules make generated/ stale as much as mappings do.
    assert by_id["mapc-compile-check"]["files"] == r"\.(mapc|json|py)$"
    assert by_id["mapc-check"]["pass_filenames"] is True
    assert by_id["mapc-compile-check"]["pass_filenames"] is False


def test_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hooks_pass_on_a_good_mapping(repo: Path) -> None:
    done = pre_commit(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert status(done.stdout) == {
        "mapc check": "Passed",
        "mapc fmt": "Passed",
        "mapc compile --check": "Passed",
    }


def test_hooks_fail_on_a_broken_mapping(repo: Path) -> None:
    path = repo / "mappings" / "hubspot_salesforce.mapc"
    path.write_text(edit(BASE, ("<-> Title ", "<-> Titel ")), encoding="utf-8")
    git(repo, "add", ".")
    done = pre_commit(repo)
    assert done.returncode == 1
    found = status(done.stdout)
    assert found["mapc check"] == "Failed"
    assert found["mapc compile --check"] == "Failed"
    assert "error[E204]" in done.stdout


def test_fmt_hook_fails_and_rewrites_an_unformatted_mapping(repo: Path) -> None:
    path = repo / "mappings" / "hubspot_salesforce.mapc"
    path.write_text(BASE.replace("  lastname         <->", "  lastname <->"), encoding="utf-8")
    git(repo, "add", ".")
    done = pre_commit(repo)
    assert done.returncode == 1
    found = status(done.stdout)
    assert found["mapc fmt"] == "Failed" and found["mapc check"] == "Passed"
    assert path.read_text(encoding="utf-8") == BASE


def test_compile_check_hook_runs_when_only_a_generated_module_changes(repo: Path) -> None:
    module = repo / "generated" / "hubspot_salesforce.py"
    module.write_text(module.read_text(encoding="utf-8") + "# hand-edited\n", encoding="utf-8")
    git(repo, "add", "generated/hubspot_salesforce.py")
    done = pre_commit(repo, "generated/hubspot_salesforce.py")
    assert done.returncode == 1, done.stdout
    assert status(done.stdout)["mapc compile --check"] == "Failed"
    assert "error[G001]" in done.stdout
