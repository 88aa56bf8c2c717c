"""spark-submit entry point of stage `link`: patent applicants -> listed firms: silver/applicant_firm_links, gold/firm_patents."""

import sys

from innolink.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "link", *sys.argv[1:]]))
