"""spark-submit entry point running every stage in order (`innolink run all`)."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "all", *sys.argv[1:]]))
