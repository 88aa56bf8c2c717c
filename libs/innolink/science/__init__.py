"""Stage `science`: how much patents draw on science (docs/flows_science.md)."""
