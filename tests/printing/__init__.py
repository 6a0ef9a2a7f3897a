"""Tests: printing."""
