"""spark-submit entry point of stage `pages`: firms' crawled web pages (WARC, WET, saved HTML, Common Crawl) -> silver/pages."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "pages", *sys.argv[1:]]))
