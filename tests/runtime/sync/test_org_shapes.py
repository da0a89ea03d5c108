"""R7 and the org's shape: the default mapping runs unchanged on an org with and on one
without person accounts, read from the org (`person_accounts: auto`)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mapc.cli import main
from mapc.runtime.adapter import PersonAccounts
from mapc.runtime.sync.behaviours.person_accounts import (
    NoPersonAccounts,
    never_created,
    org_fields,
    org_shape,
)
from tests.runtime.sync.conftest import SyncEnv, base_seed

ROOT = Path(__file__).resolve().parents[3]


def test_the_default_mapping_runs_on_both_org_shapes(shaped: SyncEnv) -> None:
    shaped.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {
                            "email": "solo@home.example",
                            "lastname": "Solo",
                            "lifecyclestage": "lead",
                        },
                        {
                            "email": "biz@firm.example",
                            "lastname": "Biz",
                            "company": "Firm Ltd",
                            "lifecyclestage": "lead",
                        },
                    ]
                }
            },
            "salesforce": {
                "records": {
                    "Lead": [{"LastName": "Lee", "Company": "Lee Co", "Email": "lee@lee.example"}]
                }
            },
        }
    )
    report = shaped.run()
    assert report.failed == 0, [a for a in report.actions if a.op == "error"]
    leads = {lead["Email"]: lead for lead in shaped.sf("Lead")}
    assert leads["biz@firm.example"]["Company"] == "Firm Ltd"
    # R7: with person accounts a lead HubSpot creates has no Company, so it can convert to a
    # person account; without them Salesforce requires one and gets the mapping's default.
    expected = None if shaped.person_accounts else "[not provided]"
    assert leads["solo@home.example"]["Company"] == expected
    contacts = shaped.hs_by_email()
    assert contacts["lee@lee.example"]["company"] == "Lee Co"
    assert not contacts["solo@home.example"].get("company")  # a placeholder is no company
    shaped.emulator.reset_calls()
    again = shaped.run()
    assert again.failed == 0 and shaped.write_count() == 0, shaped.writes()


@pytest.mark.parametrize("shaped", ["person-accounts"], indirect=True)
def test_a_person_account_org_still_syncs_person_accounts(shaped: SyncEnv) -> None:
    shaped.seed(
        {
            "salesforce": {
                "records": {
                    "Account": [
                        {
                            "FirstName": "Pat",
                            "LastName": "Person",
                            "PersonEmail": "pat@home.example",
                        }
                    ]
                }
            }
        }
    )
    assert shaped.run().failed == 0
    assert shaped.hs_by_email()["pat@home.example"]["lastname"] == "Person"
    assert [c["name"] for c in shaped.hs("companies", ("name",))] == ["Pat Person"]
    shaped.emulator.reset_calls()
    assert shaped.run().failed == 0 and shaped.write_count() == 0


@pytest.mark.parametrize("shaped", ["standard"], indirect=True)
def test_person_accounts_true_against_a_standard_org_is_one_sentence(shaped: SyncEnv) -> None:
    settings = replace(shaped.adapter.settings, person_accounts=PersonAccounts.ON)
    with pytest.raises(NoPersonAccounts) as raised:
        shaped.run(replace(shaped.adapter, settings=settings))
    message = str(raised.value)
    assert "`person_accounts: true`" in message and "no person accounts" in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert shaped.write_count() == 0


def test_mapc_run_with_person_accounts_true_on_a_standard_org_exits_2(
    emulator_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    emulator_env.seed(base_seed())
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    source = mappings / "hubspot_salesforce.mapc"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("person_accounts: auto", "person_accounts: true"), "utf-8")
    monkeypatch.setenv("MAPC_STATE", str(tmp_path / "state.db"))
    assert main(["compile", str(mappings), "-o", str(tmp_path / "generated")]) == 0
    capsys.readouterr()
    adapter = str(tmp_path / "generated" / "hubspot_salesforce.py")
    assert main(["run", adapter, "--init-state", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "person_accounts: true" in err and "Traceback" not in err
    assert "schema pull" not in err


class _Described:
    """A Salesforce org as far as its Account describe goes."""

    def __init__(self, *fields: str) -> None:
        self.fields = [{"name": name} for name in ("Id", "Name", *fields)]

    def describe(self, sobject: str) -> dict[str, Any]:
        assert sobject == "Account"
        return {"fields": self.fields}


ACCOUNT_READ = ["FirstName", "Name", "PersonEmail", "RecordTypeId"]


def _read(org: _Described, setting: PersonAccounts) -> list[str]:
    shape = org_shape(org, setting)  # type: ignore[arg-type]
    return org_fields("Account", ACCOUNT_READ, shape.person_accounts, shape.account_fields)


def test_a_standard_org_with_account_record_types_keeps_record_type_id() -> None:
    # Record types are not a person-account feature: a standard org that defines them has
    # RecordTypeId, and a mapping of it must not be dropped from the query.
    assert _read(_Described("RecordTypeId"), PersonAccounts.AUTO) == ["Name", "RecordTypeId"]


def test_a_standard_org_without_record_types_reads_no_record_type_id() -> None:
    assert _read(_Described(), PersonAccounts.AUTO) == ["Name"]


def test_a_person_account_org_reads_every_field() -> None:
    org = _Described("IsPersonAccount", "RecordTypeId", "FirstName", "PersonEmail")
    assert _read(org, PersonAccounts.AUTO) == ACCOUNT_READ


def test_without_a_describe_the_mapping_is_trusted_for_record_type_id() -> None:
    # `person_accounts: false` reads no describe: the person-only fields go, RecordTypeId
    # stays (the project's catalog, pulled from the org, said the org has it).
    assert org_fields("Account", ACCOUNT_READ, False, None) == ["Name", "RecordTypeId"]


def test_an_account_record_type_is_created_as_mapped_except_beside_person_accounts() -> None:
    # Beside person accounts the record type is what would make an Account a person
    # account, which only Salesforce creates (R7); in a standard org it is a mapped value.
    assert "RecordTypeId" in never_created("Account", True)
    assert "RecordTypeId" not in never_created("Account", False)
    assert "RecordTypeId" not in never_created("Case", True)
    assert {"IsPersonAccount", "PersonEmail"} <= never_created("Contact", False)
