"""`create_salesforce_as`: which Salesforce object a new HubSpot contact becomes, through
the compiled mapping, against the emulator; a further run writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.runtime.sync.compiled import DEFAULT_MAPPING, compiled
from tests.runtime.sync.conftest import SyncEnv
from tests.runtime.sync.test_deal_associations import quiet


def mapping_creating(tmp_path: Path, value: str) -> Path:
    """The default mapping with `create_salesforce_as: VALUE`, beside its catalogs."""
    shutil.copytree(DEFAULT_MAPPING.parent / "catalogs", tmp_path / "catalogs")
    text = DEFAULT_MAPPING.read_text(encoding="utf-8")
    assert "create_salesforce_as: leads" in text
    path = tmp_path / "hubspot_salesforce.mapc"
    path.write_text(text.replace("create_salesforce_as: leads", f"create_salesforce_as: {value}"))
    return path


def seed_new_contact(sync: SyncEnv) -> None:
    sync.seed(
        {
            "hubspot": {
                "records": {
                    "contacts": [
                        {"email": "new@new.example", "firstname": "Nia", "lastname": "New"}
                    ]
                }
            }
        }
    )


def test_new_hubspot_contacts_become_salesforce_contacts_when_set(
    shaped: SyncEnv, tmp_path: Path
) -> None:
    sync = shaped
    sync.adapter = compiled(mapping_creating(tmp_path, "contacts"))
    seed_new_contact(sync)
    report = sync.run()
    assert not report.failed, report.actions
    assert sync.sf("Lead", fields="Id") == []
    (contact,) = sync.sf("Contact", fields="Id, Email, FirstName, LastName")
    assert (contact["Email"], contact["LastName"]) == ("new@new.example", "New")
    (hs,) = sync.hs("contacts", ("email",))
    (link,) = sync.state.links_by_hubspot("contacts", [hs["id"]]).values()
    assert (link.sf_object, link.sf_id) == ("Contact", contact["Id"])
    quiet(sync)


def test_the_default_mapping_keeps_creating_leads(shaped: SyncEnv) -> None:
    sync = shaped
    seed_new_contact(sync)
    report = sync.run()
    assert not report.failed, report.actions
    assert sync.sf("Contact", fields="Id") == []
    (lead,) = sync.sf("Lead", fields="Id, Email")
    assert lead["Email"] == "new@new.example"
    quiet(sync)
