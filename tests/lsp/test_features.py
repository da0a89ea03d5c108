"""Hover, completion and go to definition, through the protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient
from tests.lsp.conftest import MAPPING

LINES = MAPPING.split("\n")


@pytest.fixture(scope="module")
def doc(lsp: LspClient, project: Path) -> Path:
    path = project / "features.mapc"
    lsp.open(path, MAPPING)
    return path


def at(line_text: str, column_of: str, offset: int = 0) -> dict[str, int]:
    line = LINES.index(line_text)
    return {"line": line, "character": line_text.index(column_of) + offset}


def hover_text(lsp: LspClient, path: Path, position: dict[str, int]) -> str:
    result = lsp.request(
        "textDocument/hover", {"textDocument": {"uri": path.as_uri()}, "position": position}
    )
    assert result is not None
    assert result["contents"]["kind"] == "markdown"
    return str(result["contents"]["value"])


def labels(result: Any) -> list[str]:
    return [item["label"] for item in result["items"]]


def test_hover_shows_both_fields_of_a_mapping(lsp: LspClient, doc: Path) -> None:
    line = "  lifecyclestage   -> Lifecycle_Stage__c : one way, values lifecycle_stages"
    text = hover_text(lsp, doc, at(line, "lifecyclestage"))
    assert "**HubSpot** `contacts.lifecyclestage`: Lifecycle Stage" in text
    assert "`marketingqualifiedlead` (Marketing Qualified Lead)" in text
    # The Salesforce side comes from the project catalog, on both objects of the pair.
    assert "**Salesforce** `Lead.Lifecycle_Stage__c`: Lifecycle Stage" in text
    assert "**Salesforce** `Contact.Lifecycle_Stage__c`: Lifecycle Stage" in text
    assert "picklist" in text and "custom" in text and "`Evangelist`" in text


def test_hover_shows_lengths_and_flags(lsp: LspClient, doc: Path) -> None:
    line = "  company         <-> Lead.Company       : prefer salesforce unless blank"
    text = hover_text(lsp, doc, at(line, "Lead.Company", 6))
    assert "**Salesforce** `Lead.Company`: Company" in text
    assert "length 255" in text
    assert "**HubSpot** `contacts.company`" in text
    assert "Contact.Company" not in text  # qualified: Lead's field only


def test_hover_on_a_value_map_entry_shows_both_labels(lsp: LspClient, doc: Path) -> None:
    line = '  marketingqualifiedlead -> "Marketing Qualified Lead"'
    text = hover_text(lsp, doc, at(line, "marketing"))
    assert "`marketingqualifiedlead`: “Marketing Qualified Lead”" in text
    assert "`Lifecycle_Stage__c` `Marketing Qualified Lead`: “Marketing Qualified Lead”" in text


def test_hover_on_an_object(lsp: LspClient, doc: Path) -> None:
    text = hover_text(lsp, doc, at("sync deals -> Opportunity {", "Opportunity"))
    assert text.startswith("**Salesforce** object `Opportunity`: Opportunity")


def complete(lsp: LspClient, path: Path, text: str, line: int, character: int) -> Any:
    lsp.change(path, text, version=next(_versions))
    return lsp.request(
        "textDocument/completion",
        {
            "textDocument": {"uri": path.as_uri()},
            "position": {"line": line, "character": character},
        },
    )


_versions = iter(range(100, 10_000))


def typing(lsp: LspClient, project: Path, replace: str, by: str) -> tuple[Path, Any]:
    """Type `by` in place of line `replace` and complete at the end of it."""
    path = project / "typing_completion.mapc"
    if not hasattr(typing, "opened"):
        lsp.open(path, MAPPING)
        typing.opened = True  # type: ignore[attr-defined]
    line = LINES.index(replace)
    text = "\n".join([*LINES[:line], by, *LINES[line + 1 :]])
    return path, complete(lsp, path, text, line, len(by))


def test_completion_on_each_side(lsp: LspClient, project: Path) -> None:
    anchor = '  default Lead.Company = "[not provided]"'
    # Left of the arrow in sync contacts: HubSpot contact properties, and item keywords.
    _, result = typing(lsp, project, anchor, "  firstn")
    assert "firstname" in labels(result)
    assert "match" in labels(result)
    assert "FirstName" not in labels(result)
    item = next(i for i in result["items"] if i["label"] == "firstname")
    line = LINES.index(anchor)
    assert item["textEdit"]["range"] == {
        "start": {"line": line, "character": 2},
        "end": {"line": line, "character": 8},
    }
    # Right of it: Salesforce fields both Lead and Contact have, and qualified ones.
    _, result = typing(lsp, project, anchor, "  firstname <-> First")
    found = labels(result)
    assert "FirstName" in found
    assert "Lead.Company" in found and "Contact.Company" not in found
    assert "firstname" not in found
    # Qualified: that object's fields only.
    _, result = typing(lsp, project, anchor, "  company <-> Lead.Comp")
    found = labels(result)
    assert "Company" in found and "Lifecycle_Stage__c" in found
    # After the colon: the rules and value maps.
    _, result = typing(lsp, project, anchor, "  firstname <-> FirstName : ")
    assert "prefer salesforce unless blank" in labels(result)
    _, result = typing(lsp, project, anchor, "  lifecyclestage -> Lifecycle_Stage__c : values ")
    assert labels(result) == ["lifecycle_stages"]


def test_completion_of_idempotency_keys(lsp: LspClient, project: Path) -> None:
    anchor = '  default Lead.Company = "[not provided]"'
    _, result = typing(lsp, project, anchor, "  idem")
    assert "idempotency key" in labels(result)
    # Only fields that can be a key: text, unique and, in Salesforce, an external id.
    _, result = typing(lsp, project, anchor, "  idempotency key ")
    assert set(labels(result)) == {
        "contacts.salesforce_id",
        "Lead.HubSpot_Id__c",
        "Contact.HubSpot_Id__c",
    }
    _, result = typing(lsp, project, anchor, "  idempotency key Lead.")
    assert labels(result) == ["HubSpot_Id__c"]
    _, result = typing(lsp, project, anchor, "  idempotency key contacts.")
    assert labels(result) == ["salesforce_id"]


def test_completion_of_deletion_policies(lsp: LspClient, project: Path) -> None:
    anchor = '  default Lead.Company = "[not provided]"'
    _, result = typing(lsp, project, anchor, "  on")
    assert "on delete in " in labels(result)
    _, result = typing(lsp, project, anchor, "  on delete in ")
    assert labels(result) == ["salesforce: ", "hubspot: "]
    _, result = typing(lsp, project, anchor, "  on delete in hubspot: ")
    assert labels(result) == ["delete", "unlink"]


def test_completion_of_objects_in_a_sync_header(lsp: LspClient, project: Path) -> None:
    _, result = typing(lsp, project, "sync deals -> Opportunity {", "sync dea")
    assert "deals" in labels(result) and "owners" not in labels(result)
    _, result = typing(lsp, project, "sync deals -> Opportunity {", "sync deals -> Opp")
    assert "Opportunity" in labels(result)


def test_completion_of_missing_value_map_entries(lsp: LspClient, project: Path) -> None:
    entry = '  customer               -> "Customer"'
    _, result = typing(lsp, project, entry, "  ")
    # `customer` is the one option the map no longer covers: offered as a whole entry.
    assert labels(result) == ['customer -> "Customer"']
    _, result = typing(lsp, project, entry, "  customer -> ")
    assert '"Customer"' in labels(result)


def test_definition_of_a_value_map(lsp: LspClient, doc: Path) -> None:
    line = "  lifecyclestage   -> Lifecycle_Stage__c : one way, values lifecycle_stages"
    result = lsp.request(
        "textDocument/definition",
        {"textDocument": {"uri": doc.as_uri()}, "position": at(line, "lifecycle_stages", 3)},
    )
    header = LINES.index("values lifecycle_stages {")
    assert result == {
        "uri": doc.as_uri(),
        "range": {
            "start": {"line": header, "character": 7},
            "end": {"line": header, "character": 7 + len("lifecycle_stages")},
        },
    }
    # Elsewhere there is nothing to go to.
    none = lsp.request(
        "textDocument/definition",
        {"textDocument": {"uri": doc.as_uri()}, "position": at(line, "lifecyclestage")},
    )
    assert none is None
