"""spark-submit entry point of stage `linkage`: per country x firm type technology -> product models -> gold/firm_scores."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "linkage", *sys.argv[1:]]))
