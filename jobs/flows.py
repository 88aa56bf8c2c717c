"""spark-submit entry point of stage `flows`: inventor moves between regions -> gold/inventor_flows."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "flows", *sys.argv[1:]]))
