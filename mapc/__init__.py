"""mapc: a declarative mapping compiler for HubSpot <-> Salesforce sync."""

__version__ = "0.1.0"
