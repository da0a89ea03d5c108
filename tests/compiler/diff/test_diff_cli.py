"""`mapc diff` end to end: files, directories, git revisions, formats and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.compiler.diff.helpers import BASE, edit, run_cli

BREAKING = edit(BASE, ("match email ignore case", "match email"))
SAFE = edit(BASE, ("  jobtitle ", "  mobilephone <-> MobilePhone : two way\n  jobtitle "))
ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),"
    r"endColumn=(\d+),title=([A-Z]\d{3})[^:]*::(.+)$"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "old.mapc", BASE)
    write(tmp_path / "breaking.mapc", BREAKING)
    write(tmp_path / "safe.mapc", SAFE)
    return tmp_path


def test_breaking_change_exits_1(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "old.mapc", "breaking.mapc")
    assert code == 1
    assert "breaking.mapc:18:3: breaking[B201]" in out
    assert "1 breaking, 0 safe change in 1 file" in out


def test_allow_breaking_exits_0(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "--allow-breaking", "old.mapc", "breaking.mapc")
    assert code == 0 and "B201" in out


def test_safe_change_exits_0(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "old.mapc", "safe.mapc")
    assert code == 0
    assert "safe[S301]" in out


def test_no_change(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "old.mapc", "old.mapc")
    assert (code, out) == (0, "compared 1 file: no changes\n")


def test_github_annotations_carry_file_line_and_column(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "diff", "--format", "github", "old.mapc", "breaking.mapc")
    assert code == 1
    (line,) = out.splitlines()
    match = ANNOTATION.match(line)
    assert match, line
    command, file, row, col, *_, title, _message = match.groups()
    assert (command, file, row, col, title) == ("error", "breaking.mapc", "18", "3", "B201")
    assert BREAKING.splitlines()[int(row) - 1][int(col) - 1 :].startswith("match email")


def test_github_levels(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "diff", "--format", "github", "old.mapc", "safe.mapc")
    assert out.startswith("::notice file=safe.mapc,line=")
    _, out, _ = run_cli(
        capsys, "diff", "--format", "github", "--allow-breaking", "old.mapc", "breaking.mapc"
    )
    assert out.startswith("::warning file=breaking.mapc,line=18,col=3,")


def test_json(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "--format", "json", "old.mapc", "breaking.mapc")
    document = json.loads(out)
    assert code == 1
    assert document["breaking"] is True and document["breaking_count"] == 1
    (change,) = document["changes"]
    assert change["code"] == "B201" and change["kind"] == "breaking"
    assert (change["file"], change["line"], change["column"]) == ("breaking.mapc", 18, 3)
    assert change["old"]["file"] == "old.mapc"


def test_directories_pair_files_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "v1" / "a.mapc", BASE)
    write(tmp_path / "v1" / "gone.mapc", BASE)
    write(tmp_path / "v2" / "a.mapc", SAFE)
    write(tmp_path / "v2" / "new.mapc", BASE)
    code, out, _ = run_cli(capsys, "diff", "--format", "json", "v1", "v2")
    document = json.loads(out)
    found = {(c["file"], c["code"]) for c in document["changes"]}
    assert found == {("v2/a.mapc", "S301"), ("v1/gone.mapc", "B002"), ("v2/new.mapc", "S001")}
    assert code == 1 and document["files"] == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "old.mapc"],
        ["diff", "old.mapc", "missing.mapc"],
        ["diff", "old.mapc", "."],
    ],
    ids=["one-path", "missing", "file-and-directory"],
)
def test_usage_errors_exit_2(
    files: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and err.startswith("mapc diff: ") and out == ""


def test_syntax_error_exits_2_with_diagnostics(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(files / "broken.mapc", BASE.replace("match email ignore case", "match email ignore"))
    code, out, err = run_cli(capsys, "diff", "--format", "github", "old.mapc", "broken.mapc")
    assert code == 2
    assert out.startswith("::error file=broken.mapc,line=18,")
    assert "cannot be compared" in err


# -- git ----------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=mapc", "-c", "user.email=mapc@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits: the sample, then a breaking change to it."""
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "mappings" / "hubspot_salesforce.mapc", BASE)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "sample")
    write(tmp_path / "mappings" / "hubspot_salesforce.mapc", BREAKING)
    git(tmp_path, "commit", "-q", "-am", "drop ignore case")
    return tmp_path


def test_against_previous_commit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "diff", "--against", "HEAD~1", "--format", "github")
    assert code == 1
    assert out.startswith("::error file=mappings/hubspot_salesforce.mapc,line=18,col=3,endLine=18,")
    assert "title=B201" in out


def test_against_head_with_explicit_paths(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "diff", "--against", "HEAD", "mappings")[0] == 0
    code, out, _ = run_cli(
        capsys, "diff", "--against", "HEAD~1", "mappings/hubspot_salesforce.mapc"
    )
    assert code == 1 and "B201" in out


def test_against_sees_added_and_deleted_files(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "mappings" / "hubspot_salesforce.mapc").unlink()
    write(repo / "mappings" / "second.mapc", BASE)
    code, out, _ = run_cli(capsys, "diff", "--against", "HEAD", "--format", "json")
    found = {(c["file"], c["code"]) for c in json.loads(out)["changes"]}
    assert found == {
        ("mappings/hubspot_salesforce.mapc", "B002"),
        ("mappings/second.mapc", "S001"),
    }
    assert code == 1


def test_against_formatting_only_is_no_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "mappings" / "hubspot_salesforce.mapc"
    path.write_text("# a new comment\n" + BREAKING.replace("  ", "    "), encoding="utf-8")
    code, out, _ = run_cli(capsys, "diff", "--against", "HEAD")
    assert (code, out) == (0, "compared 1 file: no changes\n")


def test_against_bad_revision_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "diff", "--against", "no-such-branch")
    assert code == 2 and "not a git revision" in err


def test_against_outside_a_repository_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path / "a.mapc", BASE)
    code, _, err = run_cli(capsys, "diff", "--against", "HEAD", "a.mapc")
    assert code == 2 and "not inside a git repository" in err


def test_against_a_broken_old_version_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "mappings" / "hubspot_salesforce.mapc"
    path.write_text(BASE.replace("match email ignore case", "match email ignore"), "utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    path.write_text(BASE, encoding="utf-8")
    code, out, _ = run_cli(capsys, "diff", "--against", "HEAD")
    assert code == 2
    assert "error[E001]" in out and "(in the old version)" in out
    assert " | " not in out  # no excerpt from the new file under the old file's error
