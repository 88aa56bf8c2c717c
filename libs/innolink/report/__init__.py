"""`innolink report`: the analysts' HTML report of the gold tables and the linkage run.

build.py orchestrates; data.py reads the tables (pinned Delta versions); sections.py turns
them into sections of paragraphs, tables and figures; plots.py draws the report's own
figures; template.py is the page; browser.py renders it in headless Chromium (tests,
screenshots). docs/report.md explains each section to its readers.
"""
