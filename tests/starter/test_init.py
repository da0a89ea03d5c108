"""`mapc init`: a project of its own that checks, compiles and tests clean, and whose CI and
pre-commit config install mapc from the requirement the project names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml

from mapc import __version__
from mapc.cli import main
from mapc.starter import installed_requirement

ROOT = Path(__file__).resolve().parents[2]
SPEC = "mapc @ git+https://git.example.com/acme/mapc@v0.1.0"
STARTER = sorted(
    p.relative_to(ROOT).as_posix()
    for pattern in ("*.mapc", "catalogs/*.json", "tests/*.yaml")
    for p in (ROOT / "mappings").glob(pattern)
)
FILES = {
    ".github/workflows/mapc.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "generated/hubspot_salesforce.py",
    "requirements.txt",
    *STARTER,
}


def files_in(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    directory = tmp_path / "crm-sync"
    assert main(["init", str(directory), "--requirement", SPEC]) == 0
    capsys.readouterr()
    return directory


def test_a_new_project_checks_compiles_and_tests_clean(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert files_in(project) == FILES
    # The starter is the connector's standard mapping, the one mapc ships and checks.
    assert "mappings/hubspot_salesforce.mapc" in STARTER
    for name in STARTER:
        assert (project / name).read_bytes() == (ROOT / name).read_bytes()
    monkeypatch.chdir(project)
    assert main(["check", "mappings"]) == 0
    assert main(["fmt", "--check", "mappings"]) == 0
    assert main(["compile", "--check", "mappings"]) == 0  # init generated it, up to date
    assert main(["compile", "mappings"]) == 0
    assert "unchanged: generated/hubspot_salesforce.py" in capsys.readouterr().out
    assert main(["test", "--junit", "reports/mapc-test.xml"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(" passed, 0 failed\n") and "warning" not in out
    assert (project / "reports" / "mapc-test.xml").is_file()


def test_nothing_is_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "existing"
    directory.mkdir()
    (directory / "README.md").write_text("ours\n", encoding="utf-8")
    (directory / "notes.txt").write_text("kept\n", encoding="utf-8")
    assert main(["init", str(directory), "--requirement", SPEC]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mapc init: {directory} already has README.md; nothing was written "
        "(--force overwrites them)\n"
    )
    assert files_in(directory) == {"README.md", "notes.txt"}
    assert main(["init", str(directory), "--requirement", SPEC, "--force"]) == 0
    assert files_in(directory) == FILES | {"notes.txt"}
    assert (directory / "README.md").read_text(encoding="utf-8") != "ours\n"
    assert (directory / "notes.txt").read_text(encoding="utf-8") == "kept\n"


def test_init_into_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err == f"mapc init: {tmp_path / 'file'} is a file, not a directory\n"
    assert main(["init", str(tmp_path / "p"), "--requirement", "requests==2"]) == 2
    assert "--requirement must be a pip requirement for mapc" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_ci_and_pre_commit_install_mapc_from_the_projects_requirement(project: Path) -> None:
    lines = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [SPEC]

    workflow = yaml.safe_load((project / ".github/workflows/mapc.yml").read_text("utf-8"))
    steps = workflow["jobs"]["mapc"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    assert "pip install -r requirements.txt" in runs
    assert "mapc check --format github mappings" in runs
    assert "mapc compile --check --format github mappings" in runs
    assert "mapc test --junit reports/mapc-test.xml mappings/tests" in runs
    assert not any("OWNER" in run or "pip install mapc" in run for run in runs)

    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text("utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    hooks = repo["hooks"]
    assert [h["id"] for h in hooks] == ["mapc-check", "mapc-fmt", "mapc-compile-check", "mapc-test"]
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["additional_dependencies"] == [SPEC]


def _as_system_hooks(config: dict[str, Any]) -> str:
    """The project's hooks as `language: system` (mapc from PATH): what pre-commit runs,
    less the environment it would build from the requirement (that needs the network)."""
    for hook in config["repos"][0]["hooks"]:
        hook["language"] = "system"
        del hook["additional_dependencies"]
    return yaml.safe_dump(config, sort_keys=False)


def test_the_pre_commit_hooks_pass_on_the_new_project_and_fail_on_a_broken_mapping(
    project: Path,
) -> None:
    pytest.importorskip("pre_commit")
    config_path = project / ".pre-commit-config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config_path.write_text(_as_system_hooks(config), encoding="utf-8")
    bin_dir = project.parent / "bin"
    bin_dir.mkdir()
    (bin_dir / "mapc").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mapc "$@"\n', "utf-8")
    (bin_dir / "mapc").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*args], cwd=project, env=env, capture_output=True, text=True, check=False
        )

    git = ("git", "-c", "user.name=mapc", "-c", "user.email=mapc@example.com")
    assert run(*git, "init", "-q", "-b", "main").returncode == 0
    assert run(*git, "add", ".").returncode == 0
    done = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Passed") == 4

    mapping = project / "mappings" / "hubspot_salesforce.mapc"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace("match email ignore case", "match email"), "utf-8")
    done = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert done.returncode == 1
    assert done.stdout.count("Failed") == 3  # check, compile --check, test; fmt passes
    assert "error[E404]" in done.stdout
    assert "generated/hubspot_salesforce.py is stale" in done.stdout


class _Distribution:
    def __init__(self, direct_url: dict[str, Any] | None) -> None:
        self.version = "0.1.0"
        self._text = None if direct_url is None else json.dumps(direct_url)

    def read_text(self, name: str) -> str | None:
        return self._text if name == "direct_url.json" else None


@pytest.mark.parametrize(
    ("direct_url", "spec", "local"),
    [
        (None, "mapc==0.1.0", False),
        (
            {
                "url": "https://user:s3cret@git.example.com/acme/mapc.git",
                "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": "v0.1.0"},
            },
            "mapc @ git+https://git.example.com/acme/mapc.git@abc123",
            False,
        ),
        (
            {"url": "https://files.example.com/mapc-0.1.0-py3-none-any.whl", "archive_info": {}},
            "mapc @ https://files.example.com/mapc-0.1.0-py3-none-any.whl",
            False,
        ),
        (
            {"url": "file:///src/mapc", "dir_info": {"editable": True}},
            "mapc @ file:///src/mapc",
            True,
        ),
    ],
)
def test_the_default_requirement_is_where_this_mapc_came_from(
    monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | None, spec: str, local: bool
) -> None:
    monkeypatch.setattr(metadata, "distribution", lambda name: _Distribution(direct_url))
    found = installed_requirement()
    assert (found.spec, found.local) == (spec, local)


def test_a_local_requirement_is_written_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        metadata,
        "distribution",
        lambda name: _Distribution({"url": "file:///src/mapc", "dir_info": {"editable": True}}),
    )
    assert main(["init", str(tmp_path / "p")]) == 0
    captured = capsys.readouterr()
    assert "mapc is installed from: mapc @ file:///src/mapc (requirements.txt)" in captured.out
    assert captured.err.startswith("warning: that is a path on this machine")
    assert (
        (tmp_path / "p" / "requirements.txt")
        .read_text("utf-8")
        .endswith("\nmapc @ file:///src/mapc\n")
    )


def test_docs_show_the_workflow_init_writes(project: Path) -> None:
    workflow = (project / ".github/workflows/mapc.yml").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"```yaml\n{workflow}```" in docs


def test_version_is_named_in_the_templates(project: Path) -> None:
    for name in ("README.md", "requirements.txt", ".pre-commit-config.yaml"):
        text = (project / name).read_text(encoding="utf-8")
        assert f"mapc {__version__}" in text
        assert "@MAPC_" not in text
