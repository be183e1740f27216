"""Verification (RiMEA / IMO / NIST / ISO 20414 component tests) and validation against crowd data."""
