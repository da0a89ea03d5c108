"""One `mapc lsp` process for the LSP tests, over a project of its own in a temp directory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp.client import LspClient

MAPPING = """\
mapping editor_test

settings {
  catalogs: "catalogs"
}

sync contacts <-> Lead, Contact {
  match email ignore case
  email           <-> Email              : two way
  lastname        <-> LastName           : prefer salesforce unless blank
  company         <-> Lead.Company       : prefer salesforce unless blank
  lifecyclestage   -> Lifecycle_Stage__c : one way, values lifecycle_stages
  hs_email_optout <-> HasOptedOutOfEmail : standard opt_out
  default Lead.Company = "[not provided]"
}

values lifecycle_stages {
  subscriber             -> "Subscriber"
  lead                   -> "Lead"
  marketingqualifiedlead -> "Marketing Qualified Lead"
  salesqualifiedlead     -> "Sales Qualified Lead"
  opportunity            -> "Opportunity"
  customer               -> "Customer"
  evangelist             -> "Evangelist"
  other                  -> "Other"
}

sync deals -> Opportunity {
  match none
  dealname   -> Name
  amount     -> Amount
  closedate  -> CloseDate
  default Opportunity.StageName = "Prospecting"
}
"""

STAGES = [
    "Subscriber",
    "Lead",
    "Marketing Qualified Lead",
    "Sales Qualified Lead",
    "Opportunity",
    "Customer",
    "Evangelist",
    "Other",
]


def write_project(directory: Path) -> Path:
    """A mapping and its project catalogs (a custom Lifecycle_Stage__c picklist, and the
    fields idempotency keys can use)."""
    catalogs = directory / "catalogs"
    catalogs.mkdir(parents=True, exist_ok=True)
    field = {
        "label": "Lifecycle Stage",
        "type": "picklist",
        "native_type": "picklist",
        "custom": True,
        "options": [{"value": v, "label": v} for v in STAGES],
    }
    key = {
        "label": "HubSpot Id",
        "type": "text",
        "native_type": "string",
        "length": 18,
        "custom": True,
        "external_id": True,
        "unique": True,
    }
    objects = {
        name: {"fields": {"Lifecycle_Stage__c": field, "HubSpot_Id__c": key}}
        for name in ("Lead", "Contact")
    }
    (catalogs / "salesforce.json").write_text(
        json.dumps({"system": "salesforce", "objects": objects}), encoding="utf-8"
    )
    unique = {
        "label": "Salesforce ID",
        "type": "text",
        "native_type": "string/text",
        "unique": True,
    }
    (catalogs / "hubspot.json").write_text(
        json.dumps(
            {"system": "hubspot", "objects": {"contacts": {"fields": {"salesforce_id": unique}}}}
        ),
        encoding="utf-8",
    )
    path = directory / "editor_test.mapc"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lsp_project")
    write_project(directory)
    return directory


@pytest.fixture(scope="session")
def lsp(project: Path) -> Iterator[LspClient]:
    client = LspClient(cwd=project)
    client.initialize(project)
    yield client
    client.close()
