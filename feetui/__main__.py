"""Run the counter app or one of its sub-commands: ``python -m feetui``."""

from feetui.cli import main

raise SystemExit(main())
