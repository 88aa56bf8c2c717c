"""Stage `flows`: inventor mobility between regions (docs/flows_science.md)."""
