"""Local store: Tortoise models, connection set-up with its PRAGMAs, queries, migrations."""
