"""Sub-commands of the ``feetui`` script, one module each, registered in ``feetui.cli``."""
