"""plans engine."""
