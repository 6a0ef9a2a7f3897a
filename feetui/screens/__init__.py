"""Textual screens: thin views that call services and show their results."""
