"""spark-submit entry point of stage `summary`: scores by country x firm type x industry -> gold/score_summary."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "summary", *sys.argv[1:]]))
