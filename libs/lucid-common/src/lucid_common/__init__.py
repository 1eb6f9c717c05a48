"""Shared runtime for Lucid services (Python standard library only)."""
