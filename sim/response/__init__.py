"""response engine."""
