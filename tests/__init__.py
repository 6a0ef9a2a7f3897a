"""Test suite of feetui and its sync server."""
