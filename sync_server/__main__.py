"""``python -m sync_server`` runs the command line."""

from sync_server.cli import main

raise SystemExit(main())
