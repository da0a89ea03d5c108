"""Near-real-time triggers: HubSpot webhooks and a Salesforce poll start debounced runs."""
