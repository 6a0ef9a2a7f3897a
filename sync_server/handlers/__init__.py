"""HTTP handlers: parse and validate, call a service, serialise (five to twenty lines each)."""
