"""hazard engine."""
