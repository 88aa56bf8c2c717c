"""spark-submit entry point of stage `patents`: patent corpora -> silver/patents and children.

spark-submit jobs/patents.py --env cluster --warehouse s3a://bucket/warehouse \
    --input s3a://bucket/uspto/2024 --format uspto-xml
"""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "patents", *sys.argv[1:]]))
