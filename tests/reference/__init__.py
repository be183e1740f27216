"""Reference tests: numeric oracles from the reference documents, pinned with tolerances."""
