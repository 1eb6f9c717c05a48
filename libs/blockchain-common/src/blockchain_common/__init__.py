"""Hash-chain primitives for the blockchain services."""
