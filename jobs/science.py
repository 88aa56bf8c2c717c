"""spark-submit entry point of stage `science`: non-patent literature classified as science -> gold/science_linkage."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "science", *sys.argv[1:]]))
