"""A synthetic world with planted truth, written in the real input formats.

world.py (what is planted), text.py (patent and page text, name variants), formats.py (the
file formats), generate.py (the Spark job), derive.py (the lexicon data from real samples).
See docs/synthetic_world.md.
"""
