"""`mapc test`: the shipped fixtures pass; a failing case fails the run with a diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapc.cli import main
from tests.compiler.codegen.regen import ROOT

ADAPTER = (ROOT / "generated" / "hubspot_salesforce.py").as_posix()


def test_shipped_fixtures_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(ROOT / "mappings" / "tests")]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "FAIL" not in out


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(f"adapter: {ADAPTER}\ncases:\n{body}")
    return path


def test_a_failing_case_exits_1_and_shows_the_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """
  - name: passes
    include: {object: contacts, hubspot: {lifecyclestage: lead}}
    expect: true
  - name: wrong on purpose
    to_hubspot:
      object: contacts
      salesforce_object: Contact
      salesforce: {Email: a@example.com, HasOptedOutOfEmail: false}
    expect_subset: {hs_email_optout: "false"}
""",
    )
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "PASS  passes" in out
    assert "FAIL  wrong on purpose" in out
    assert "hs_email_optout: expected 'false', got '(not written)'" in out
    assert "1 passed, 1 failed" in out


def test_an_exception_in_a_case_is_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """
  - name: no such object
    include: {object: products, hubspot: {}}
    expect: true
""",
    )
    assert main(["test", str(path)]) == 1
    assert "raised LookupError" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [
        "cases: []\n",
        "adapter: nowhere.py\ncases: [{name: x, inspect: settings, expect: 1}]\n",
        "adapter: [\n",
        "adapter: .\ncases: [{name: x, inspect: settings, expect: 1}]\n",
        "adapter: " + "[" * 20000 + "\n",
        "adapter: bad.yaml\ncases: [{name: x, inspect: settings, expect: 1}]\n",
        f"adapter: {ADAPTER}\ncases: {{name: x}}\n",
        f"adapter: {ADAPTER}\n",
    ],
)
def test_malformed_fixtures_exit_2(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["test", str(path)]) == 2
    assert "mapc test:" in capsys.readouterr().err


def test_a_malformed_case_fails_with_the_reason_and_the_others_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """
  - name: misspelt action
    to_salesforse: {object: contacts, salesforce_object: Lead, hubspot: {}}
    expect_subset: {}
  - name: misspelt expectation
    include: {object: contacts, hubspot: {lifecyclestage: lead}}
    expected: true
  - name: passes
    include: {object: contacts, hubspot: {lifecyclestage: lead}}
    expect: true
  - {name: odd keys, 1: y, null: z, inspect: name, expect: 1}
  - {name: no expectation, inspect: settings}
  - {name: no action, expect: 1}
  - {name: two actions, inspect: settings, include: {}, expect: 1}
  - {inspect: settings, expect: 1}
  - just a string
  - {name: passes, inspect: name, expect: hubspot_salesforce}
""",
    )
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "PASS  passes\n" in out
    assert (
        "FAIL  misspelt action\n          malformed case: unknown key `to_salesforse` "
        "(did you mean `to_salesforce`?)\n" in out
    )
    assert "FAIL  misspelt expectation\n" in out
    assert "unknown key `expected` (did you mean `expect`?)" in out
    assert "unknown keys 1, None; the keys of a case are name, to_salesforce," in out
    assert "FAIL  no expectation\n          malformed case: nothing to check" in out
    assert "FAIL  no action\n          malformed case: no action: a case needs exactly one" in out
    assert "FAIL  two actions\n          malformed case: 2 actions (include, inspect)" in out
    assert "FAIL  case 8\n          malformed case: needs a `name`" in out
    assert "FAIL  case 9\n          malformed case: a case is a mapping" in out
    assert "another case has the same name" in out
    assert "1 passed, 9 failed" in out


def test_a_fixture_that_is_not_utf8_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"adapter: x.py\ncases: [\xff]\n")
    assert main(["test", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mapc test: {path}: ") and "UTF-8" in err


def test_a_boolean_only_matches_a_boolean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """
  - name: one is not true
    include: {object: contacts, hubspot: {lifecyclestage: lead}}
    expect: 1
  - name: zero is not false
    to_salesforce:
      object: contacts
      salesforce_object: Lead
      hubspot: {email: a@example.com, hs_email_optout: "true"}
    expect_subset: {HasOptedOutOfEmail: 1}
  - name: nor inside a whole result
    inspect: settings
    expect: {create_hubspot_contacts: leads_and_contacts, shared_org: 0, person_accounts: 1}
""",
    )
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "0 passed, 3 failed" in out
    assert "HasOptedOutOfEmail: expected 1, got True" in out


def alias_bomb(levels: int = 9) -> str:
    """A "billion laughs": each level repeats the one before nine times by alias, so 1.4 KB
    stands for 9**9 strings once anything walks it (on main, `mapc test` reached 2 GB)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    cases = f"""
  - name: bomb
    include: {{object: contacts, hubspot: {{lifecyclestage: *l{levels - 1}}}}}
    expect: true
"""
    return "\n".join(lines) + f"\nadapter: {ADAPTER}\ncases:{cases}"


def test_a_yaml_alias_bomb_is_refused_before_anything_expands(tmp_path: Path) -> None:
    from mapc.compiler.mappingtests.fixtures import FixtureError, load_fixture

    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert len(path.read_bytes()) < 1500
    with pytest.raises(FixtureError, match=r"bomb\.yaml:2:\d+: YAML aliases \(\*l0\) are not"):
        load_fixture(path)


def test_an_alias_in_a_fixture_is_a_clear_error_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        """
  - name: first
    include: &same {object: contacts, hubspot: {lifecyclestage: lead}}
    expect: true
  - name: second
    include: *same
    expect: true
""",
    )
    assert main(["test", str(path)]) == 2
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "case.yaml:8:14: YAML aliases (*same) are not allowed in fixtures" in output
    assert "Traceback" not in output
