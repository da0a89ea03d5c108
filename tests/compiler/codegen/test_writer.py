"""mapc.compiler.writer: generated files get ordinary permissions, and a rewrite keeps a file's own."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapc.compiler.codegen import GeneratedFile
from mapc.compiler.writer import write_files

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_usual_mode_not_mkstemps_0600(tmp_path: Path, umask: None) -> None:
    [(path, changed)] = write_files([GeneratedFile("acme.py", "x = 1\n")], tmp_path)
    assert changed and path.read_text() == "x = 1\n"
    assert mode(path) == 0o644
    os.umask(0o027)
    [(other, _)] = write_files([GeneratedFile("other.py", "y = 2\n")], tmp_path)
    assert mode(other) == 0o640
    assert os.umask(0o022) == 0o027  # the umask is left as it was


def test_a_rewritten_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "acme.py"
    target.write_text("old = 1\n")
    target.chmod(0o664)
    [(_, changed)] = write_files([GeneratedFile("acme.py", "new = 1\n")], tmp_path)
    assert changed and target.read_text() == "new = 1\n"
    assert mode(target) == 0o664
    assert [p.name for p in tmp_path.iterdir()] == ["acme.py"]  # no temporary file left
