"""Many (portal, org) pairs as jobs on a task queue: leases, shared rate limits, workers."""
