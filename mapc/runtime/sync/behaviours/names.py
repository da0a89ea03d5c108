"""The CRM names the engine knows, each written once: record keys and change times the
connectors return, and the objects and fields of the connector's named behaviours."""

from __future__ import annotations

# -- every record: ids and change times -----------------------------------------------

HUBSPOT_ID = "id"
SALESFORCE_ID = "Id"
HUBSPOT_TIMESTAMPS = ("lastmodifieddate", "hs_lastmodifieddate")
SALESFORCE_TIMESTAMPS = ("SystemModstamp", "LastModifiedDate")
SALESFORCE_ALWAYS_READ = ("Id", "SystemModstamp", "CreatedDate")
"""Read on every Salesforce record whatever the mapping says."""
IDENTITY = (
    "Email",
    "email",
    "Name",
    "name",
    "dealname",
    "LastName",
    "lastname",
    "subject",
    "Subject",
)
"""Values a killed run's created record is found again by (crash recovery), in order."""

# -- deletions and merges --------------------------------------------------------------

IS_DELETED = "IsDeleted"
"""Set on a Salesforce record in the recycle bin (read through queryAll)."""
MASTER_RECORD = "MasterRecordId"
"""On a record a Salesforce merge deleted: the record it was merged into."""
MERGEABLE = frozenset({"Lead", "Contact", "Account"})
"""The Salesforce objects merge() takes, the ones with MasterRecordId."""
MERGED_IDS = "hs_merged_object_ids"
"""On a HubSpot record a merge made: the ids of the records merged into it (`;`-separated)."""

# -- R5, R6: contacts with leads and contacts; their companies ----------------------------

CONTACTS = "contacts"
COMPANIES = "companies"
LEAD = "Lead"
CONTACT = "Contact"
ACCOUNT = "Account"
ACCOUNT_ID = "AccountId"
"""A Salesforce Contact's account: its HubSpot company (R6)."""
COMPANY_OF_CONTACT = "associatedcompanyid"
"""A HubSpot contact's primary company."""
COMPANY = "company"
"""How a contact's company association is named in reports."""
EMAIL = "email"
KEY_PREFIXES = {"00Q": "Lead", "003": "Contact", "001": "Account", "006": "Opportunity"}
"""Salesforce id prefixes of the seed's objects (which object a bare id belongs to)."""

# -- R1: opt-out ------------------------------------------------------------------------

OPT_OUT_HUBSPOT = "hs_email_optout"

# -- R7: person accounts ----------------------------------------------------------------

IS_PERSON_ACCOUNT = "IsPersonAccount"
PERSON_OPT_OUT = "PersonHasOptedOutOfEmail"
NEVER_CREATE = frozenset({"IsPersonAccount", "PersonEmail"})
"""Fields mapc never sets on create (a person account is made in Salesforce only)."""
RECORD_TYPE = "RecordTypeId"

# -- lead conversion ----------------------------------------------------------------------

IS_CONVERTED = "IsConverted"
CONVERTED_CONTACT = "ConvertedContactId"
CONVERTED_ACCOUNT = "ConvertedAccountId"
CONVERTED_OPPORTUNITY = "ConvertedOpportunityId"

DAILY_API_REQUESTS = "DailyApiRequests"
"""The org's daily API limit in Salesforce's limits resource (the API budget's share)."""
