"""shelter engine."""
