"""Server use cases, each one transaction: apply a push, pull, enrol, consolidate, report."""
