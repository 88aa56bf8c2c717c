"""spark-submit entry point of stage `firms`: listed firms -> silver/firms.

spark-submit jobs/firms.py --env cluster --warehouse s3a://bucket/warehouse
"""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "firms", *sys.argv[1:]]))
