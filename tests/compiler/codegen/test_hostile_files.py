"""Hostile file and folder names, and mapping text, compiled and imported in a sandbox.

A generated module's first two lines are where Python reads an encoding declaration
(PEP 263): a mapping named `coding:utf-7 x.mapc` once made Python decode the module as
UTF-7, under which a default value such as `+ACI-...` closed its own string and ran code.
These tests compile real mapping files end to end and import each generated module in a
child process that refuses any act but building data (tests/compiler/codegen/sandbox.py).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapc.cli import main
from mapc.compiler.codegen.render import module_filename
from tests.compiler.codegen.hostile import HOSTILE, hostile_plan
from tests.compiler.codegen.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()


def utf7(text: str) -> str:
    """`text` as UTF-7 with every character but letters, digits and spaces base64-shifted:
    plain ASCII that a UTF-8 reader leaves alone and a UTF-7 reader turns into `text`."""
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char == " "):
            out.append(char)
        else:
            shifted = base64.b64encode(char.encode("utf-16-be")).decode().rstrip("=")
            out.append(f"+{shifted}-")
    return "".join(out)


def mapping_text(name: str, company: str, last_name: str = "[not provided]") -> str:
    return f"""mapping {name}

settings {{
  create_hubspot_contacts: never
}}

sync contacts <-> Lead {{
  match email ignore case
  include where firstname != {json.dumps(last_name)}

  email           <-> Email              : two way
  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out

  default Lead.LastName = {json.dumps(last_name)}
  default Lead.Company = {json.dumps(company)}
}}
"""


def compile_project(root: Path, relative: str, text: str) -> Path:
    """Write `text` at `root/relative` in a project, `mapc compile` it; the module's path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    source = root / relative
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    out = root / "generated"
    assert main(["compile", str(source.parent), "-o", str(out)]) == 0
    assert main(["compile", "--check", str(source.parent), "-o", str(out)]) == 0
    return out / module_filename(relative)


def _payload(marker: Path) -> str:
    # Closes the hoisted `_L = [` string and list, runs code, reopens a list for the rest.
    return utf7(f'"]\nimport os;os.system("touch {marker}")\nx = ["')


@pytest.mark.parametrize(
    "relative",
    [
        "mappings/coding:utf-7 x.mapc",
        "coding=utf-7/x.mapc",
        "mappings/-*- coding: utf-7 -*-.mapc",
        "# vim: set fileencoding=utf-7 :/x.mapc",
        "a\tcoding:utf-7/coding=utf-7.mapc",
    ],
)
def test_an_encoding_declaration_in_a_path_runs_nothing(
    tmp_path: Path, sandbox: Sandbox, relative: str
) -> None:
    marker = tmp_path / "pwned"
    company = _payload(marker)
    module = compile_project(tmp_path / "project", relative, mapping_text("acme", company))
    data = module.read_bytes()
    assert b"coding" not in b"\n".join(data.split(b"\n")[:2])
    # A plain import, as `mapc run` would do it: nothing runs, the value is as written.
    script = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('m', sys.argv[1])\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "print(m.ADAPTER.objects[0].create_defaults['Lead']['Company'])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(module)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert not marker.exists()
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip("\n") == company
    loaded = sandbox.load(module)
    assert "forbidden" not in loaded and "error" not in loaded, loaded
    assert loaded["SOURCE_PATH"] == relative
    assert loaded["defaults"]["contacts"]["Lead"]["Company"] == company


def test_an_ascii_declaration_with_non_ascii_values_still_loads(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    text = mapping_text("`coding:ascii é`", "Société Générale 中文")
    module = compile_project(tmp_path, "mappings/coding:ascii.mapc", text)
    loaded = sandbox.load(module)
    assert loaded.get("name") == "coding:ascii é", loaded
    assert loaded["defaults"]["contacts"]["Lead"]["Company"] == "Société Générale 中文"


def test_the_hostile_plan_at_a_hostile_path_loads_in_the_sandbox(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    from mapc.compiler.codegen import generate
    from mapc.compiler.writer import write_files

    files = generate(hostile_plan(), source_path="coding:utf-7/coding=latin-1 x.mapc")
    ((path, _changed),) = write_files(files, tmp_path)
    loaded = sandbox.load(path)
    assert loaded.get("name") == HOSTILE[7], loaded
    assert loaded["defaults"]["contacts"]["Lead"] == {f"default {n}": n for n in HOSTILE}


def test_the_sandbox_catches_code_that_runs(tmp_path: Path, sandbox: Sandbox) -> None:
    """The sandbox itself: each of these acts is reported, so a clean report means something."""
    acts = [
        "import os\nos.system('true')\n",
        "x = eval('1')\n",
        f"open({str(tmp_path / 'w')!r}, 'w')\n",
        "import json\n",
        "import socket\n",
        "__import__('subprocess').run(['true'])\n",
        "# coding: utf-7\nx = '+ACI-'\n",
    ]
    for index, body in enumerate(acts):
        path = tmp_path / f"act_{index}.py"
        path.write_text(body)
        assert "forbidden" in sandbox.load(path), body


# -- fuzz: names and values of every kind, end to end -----------------------------------

_PIECES = st.sampled_from(
    [
        "coding:",
        "coding=",
        "utf-7",
        "latin-1",
        "ascii",
        "-*-",
        "+ACI-",
        "+AF0-",
        "+AAo-",
        "#",
        '"',
        "'",
        "\\",
        "{{",
        "%}",
        "\u2028",
        "\x0c",
        "é",
        "中",
        " ",
        "import os",
        ";",
    ]
)


def _texts(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(_PIECES, st.text(alphabet, max_size=4)), max_size=8).map(
        lambda parts: "".join(parts)[:max_size]
    )


# File and folder names: no "/" or NUL, not "." or "..", no surrogates (not encodable).
_PATH_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")
_path_names = _texts(_PATH_CHARS, 40).filter(lambda s: s.strip() not in ("", ".", ".."))
# Mapping text (strings are JSON in the language, so any character is writable).
_VALUES = _texts(st.characters(blacklist_categories=("Cs",)), 40)
_NAMES = _texts(st.characters(blacklist_categories=("Cs",), blacklist_characters="`\r\n"), 30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    folder=_path_names,
    stem=_path_names,
    name=_NAMES.filter(lambda s: s.strip() != ""),
    company=_VALUES,
    last_name=_VALUES,
)
def test_fuzzed_names_and_values_compile_to_modules_that_only_build_data(
    sandbox: Sandbox, folder: str, stem: str, name: str, company: str, last_name: str
) -> None:
    relative = f"{folder}/{stem}.mapc"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = mapping_text(f"`{name}`", company or "x", last_name or "y")
        module = compile_project(root, relative, text)
        loaded = sandbox.load(module)
    assert "forbidden" not in loaded and "error" not in loaded, loaded
    assert loaded["name"] == name.strip() or loaded["name"] == name
    assert loaded["SOURCE_PATH"] == relative
    lead = loaded["defaults"]["contacts"]["Lead"]
    assert lead == {"LastName": last_name or "y", "Company": company or "x"}


def test_the_generator_compiles_the_bytes_it_writes() -> None:
    """A header that declares another encoding is refused before anything is written,
    though the same text compiles as a str (which ignores the declaration)."""
    from mapc.compiler.codegen.render import GeneratedFile, _self_check

    source = '# coding: utf-7\nx = "+ACI-"\n'
    compile(source, "x.py", "exec")  # what the self-check used to do: passes
    with pytest.raises(SyntaxError, match="encoding declaration"):
        _self_check(GeneratedFile("x.py", source))
    with pytest.raises(SyntaxError):
        _self_check(GeneratedFile("x.py", 'x = "\\N{NO SUCH NAME}"\n'))
