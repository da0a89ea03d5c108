"""Person accounts and the Contact that Salesforce keeps behind each one."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from mapc.emulator import Emulator


@pytest.fixture
def person_org(emulator: Emulator) -> Emulator:
    emulator.reset(person_accounts=True)
    return emulator


def test_person_account_has_a_hidden_contact_kept_in_sync(
    sf: Salesforce, person_org: Emulator
) -> None:
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert {
        "IsPersonAccount",
        "PersonEmail",
        "FirstName",
        "LastName",
        "PersonHasOptedOutOfEmail",
        "PersonContactId",
    } <= fields
    account_id = sf.Account.create(
        {"FirstName": "Ada", "LastName": "Lovelace", "PersonEmail": "ada@x.io"}
    )["id"]
    account = sf.Account.get(account_id)
    assert account["IsPersonAccount"] is True and account["Name"] == "Ada Lovelace"
    [contact] = sf.query(
        "SELECT Id, AccountId, Email, IsPersonAccount, HasOptedOutOfEmail "
        "FROM Contact WHERE IsPersonAccount = true"
    )["records"]
    assert contact["Id"] == account["PersonContactId"] and contact["AccountId"] == account_id
    assert contact["Email"] == "ada@x.io" and contact["HasOptedOutOfEmail"] is False
    sf.Account.update(account_id, {"PersonEmail": "ada@new.io", "PersonHasOptedOutOfEmail": True})
    contact = sf.Contact.get(contact["Id"])
    assert contact["Email"] == "ada@new.io" and contact["HasOptedOutOfEmail"] is True
    assert sf.Contact.get(contact["Id"])["SystemModstamp"] >= account["SystemModstamp"]


def test_business_accounts_stay_business(sf: Salesforce, person_org: Emulator) -> None:
    with pytest.raises(SalesforceMalformedRequest) as nameless:
        sf.Account.create({"Industry": "Retail"})
    assert nameless.value.content[0]["fields"] == ["Name"]
    business = sf.Account.create({"Name": "Acme"})["id"]
    assert sf.Account.get(business)["IsPersonAccount"] is False
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.update(business, {"PersonEmail": "x@y.io"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0


def test_without_the_feature_there_are_no_person_fields(sf: Salesforce, emulator: Emulator) -> None:
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert "IsPersonAccount" not in fields
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"LastName": "Solo"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
