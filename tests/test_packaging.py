"""The wheel carries everything `mapc check` needs: a non-editable install works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mapc-*.whl")
    return built


def test_wheel_contains_grammar_catalogs_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mapc/_grammar/mapc.lark" in names
    assert "mapc/catalogs/hubspot.json" in names
    assert "mapc/catalogs/salesforce.json" in names
    assert "mapc/py.typed" in names
    # what `mapc init` writes: the default mapping with its catalogs and tests, the template
    for name in (
        "mapc/_starter/mappings/hubspot_salesforce.mapc",
        "mapc/_starter/mappings/catalogs/salesforce.json",
        "mapc/_starter/mappings/tests/hubspot_salesforce.yaml",
        "mapc/starter/template/github/workflows/mapc.yml",
        "mapc/starter/template/pre-commit-config.yaml",
        "mapc/starter/template/README.md",
    ):
        assert name in names, name
    license_files = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert license_files, sorted(n for n in names if ".dist-info/" in n)


def test_wheel_metadata_is_ready_to_publish(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    metadata = archive.read(name).decode("utf-8")
    for field in ("License-Expression: MIT", "Author: the mapc developers", "Keywords: "):
        assert field in metadata, field
    assert "Classifier: Typing :: Typed" in metadata
    assert "Requires-Python: >=3.11" in metadata


def test_installed_wheel_checks_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    mapping = elsewhere / "m.mapc"
    mapping.write_text(
        (ROOT / "tests/compiler/cases/ok_minimal.mapc").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    # The unpacked wheel comes first on the path, ahead of any editable install of this
    # checkout, and the checkout's grammar/ is nowhere near.
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import mapc, mapc.compiler.grammar as g; print(mapc.__file__); print(g.grammar_text()[:20])",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.startswith(str(site))
    result = subprocess.run(
        [sys.executable, "-m", "mapc", "check", "m.mapc"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_generated_modules_type_check_against_the_installed_wheel(
    wheel: Path, tmp_path: Path
) -> None:
    """A project's own `mypy --strict` on its generated module finds mapc through the
    installed package's py.typed marker (PEP 561); without it mapc is untyped there."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # What `pip install` does with a pure wheel; generated modules need no dependency.
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", purelib]
    subprocess.run(
        [*pip, str(wheel)],
        check=True,
        capture_output=True,
    )
    project = tmp_path / "project"
    project.mkdir()
    for name, source in (
        ("adapter_default.py", ROOT / "generated" / "hubspot_salesforce.py"),
        ("adapter_hostile.py", ROOT / "tests/compiler/codegen/cases/hostile/expected.py"),
    ):
        (project / name).write_bytes(source.read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--python-executable", str(python), "adapter_default.py", "adapter_hostile.py"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
    assert "mapc/py.typed" in set(zipfile.ZipFile(wheel).namelist())


def test_installed_wheel_creates_a_project_that_checks_clean(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    made = subprocess.run(
        [sys.executable, "-m", "mapc", "init", "p", "--requirement", "mapc==0.1.0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    for argv in (["check", "mappings"], ["compile", "--check", "mappings"], ["test"]):
        done = subprocess.run(
            [sys.executable, "-m", "mapc", *argv],
            cwd=tmp_path / "p",
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (argv, done.stdout + done.stderr)
