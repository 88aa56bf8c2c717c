"""spark-submit entry point of stage `keywords`: Spark NLP: product keywords of pages, patent text -> gold/firm_keywords, gold/patent_text."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "keywords", *sys.argv[1:]]))
