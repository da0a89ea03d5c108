"""The field catalogs shipped with mapc (package data: hubspot.json, salesforce.json)."""
