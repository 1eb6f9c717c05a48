"""TRON helpers shared by the tron-* services only (kept out of every other image)."""
