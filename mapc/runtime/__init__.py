"""Runtime used by generated adapters and the runner: connectors to HubSpot and Salesforce."""
