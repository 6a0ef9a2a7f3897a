"""The server's storage: connection layer, schema and migrations."""

from sync_server.db.connection import Database, Tx, connect
from sync_server.db.migrate import latest_version, migrate, schema_version

__all__ = ["Database", "Tx", "connect", "latest_version", "migrate", "schema_version"]
