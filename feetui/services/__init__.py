"""Use cases: each one function, one transaction, returning a frozen result."""
