"""Readers shared by stages: records out of raw bytes, each either parsed or rejected."""
