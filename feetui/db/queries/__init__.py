"""Read-only queries of the counter's store, turning rows into core values."""
