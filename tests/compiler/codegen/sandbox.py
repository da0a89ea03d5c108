"""Import generated modules in a child process that fails on anything a module must not do.

Run as `python -m tests.compiler.codegen.sandbox`: it reads module paths (one JSON string
a line) on stdin, imports it from disk exactly as Python would (so an encoding declaration in the
file takes effect), calls each object's transforms on an empty record, and answers one
JSON line: the module's identity constants and adapter values, or the forbidden act. While
a module runs, an audit hook (PEP 578) refuses process creation, sockets, writes,
imports, and any compile or exec but the module's own: generated code only builds data.
`Sandbox` drives one such process for many modules, so a fuzz test pays its start once.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_FORBIDDEN_PREFIXES = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.kill",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.unlink",
    "os.chmod",
    "os.putenv",
    "os.startfile",
    "subprocess.",
    "socket.",
    "ctypes.",
    "shutil.",
    "builtins.input",
    "pty.",
    "webbrowser.",
    "urllib.",
    "http.",
    "sys._getframe",
    "sys.settrace",
    "sys.setprofile",
    "sys.addaudithook",
)


class Forbidden(Exception):
    """Raised from the audit hook: the module under test did something it must not."""


class _Guard:
    def __init__(self) -> None:
        self.armed = False
        self.allowed_file = ""
        self.allowed_reads: set[str] = set()
        self.events: list[str] = []

    def refuse(self, what: str) -> None:
        self.events.append(what)
        raise Forbidden(what)

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.armed:
            return
        if event.startswith(_FORBIDDEN_PREFIXES):
            self.refuse(event)
        elif event == "open":
            path, mode, flags = args
            writing = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                isinstance(flags, int) and flags & 0o3  # O_WRONLY | O_RDWR
            )
            if writing or str(path) not in self.allowed_reads:
                self.refuse(f"open {path!r} mode={mode!r}")
        elif event == "exec":
            code = args[0]
            if getattr(code, "co_filename", None) != self.allowed_file:
                self.refuse(f"exec of {getattr(code, 'co_filename', code)!r}")
        elif event == "compile":
            if args[1] != self.allowed_file:  # the loader compiles the file itself, once
                self.refuse(f"compile of {args[1]!r}")
        elif event == "import":
            self.refuse(f"import {args[0]!r}")


def _run_one(guard: _Guard, path: str) -> dict[str, Any]:
    name = f"sandboxed_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # The loader reads and compiles the file before the module's code runs: allow exactly
    # that file, then nothing else but the module's own code object.
    guard.allowed_file = path
    guard.allowed_reads = {path, importlib.util.cache_from_source(path)}
    guard.armed = True
    try:
        spec.loader.exec_module(module)
        # An import of an already-loaded module raises no event; it still binds a module.
        bound = [k for k, v in vars(module).items() if isinstance(v, ModuleType)]
        if bound:
            guard.refuse(f"import binding {bound}")
        adapter = module.ADAPTER
        for obj in adapter.objects:
            for sobject in obj.salesforce_objects:
                obj.to_salesforce(sobject, {})
                obj.to_hubspot(sobject, {})
            if obj.include is not None:
                obj.include({})
    except Forbidden as error:
        return {"forbidden": str(error)}
    except Exception as error:  # reported to the test, which fails on it
        if guard.events:
            return {"forbidden": guard.events[-1]}
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        guard.armed = False
    if guard.events:
        return {"forbidden": guard.events[-1]}
    return {
        "name": adapter.name,
        "source_path": adapter.source_path,
        "MAPPING_NAME": module.MAPPING_NAME,
        "SOURCE_PATH": module.SOURCE_PATH,
        "defaults": {
            obj.hubspot_object: {k: dict(v) for k, v in obj.create_defaults.items()}
            for obj in adapter.objects
        },
    }


def main() -> None:
    sys.dont_write_bytecode = True  # importing must not write a .pyc
    # What generated code imports, loaded before the guard is armed.
    import datetime  # noqa: F401
    import typing  # noqa: F401

    import mapc.runtime.adapter  # noqa: F401

    guard = _Guard()
    sys.addaudithook(guard)
    for line in sys.stdin:
        path = json.loads(line)
        guard.events.clear()
        result = _run_one(guard, path)
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


class Sandbox:
    """One sandbox process; `load(path)` imports a generated module there."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[3]
        self._process = subprocess.Popen(
            [sys.executable, "-X", "utf8=0", "-m", "tests.compiler.codegen.sandbox"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def load(self, path: Path) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(str(path.resolve())) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the sandbox died loading {path}")
        result: dict[str, Any] = json.loads(answer)
        return result

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)


if __name__ == "__main__":
    main()
