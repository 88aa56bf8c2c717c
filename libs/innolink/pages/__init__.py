"""Stage `pages`: firms' crawled web pages -> silver/pages.

Layout (the house pattern): `readers/` turn inputs into RawRecords (`warc` streams WARC and
WET files with FastWARC, split at gzip members; `htmldir` reads saved pages named by a
manifest; `commoncrawl` queries the columnar URL index and fetches records by range;
`streams` opens local files and S3 objects from an offset); `records` turns one RawRecord into
one row, a page or a reject with its reason (what a record is, and every reason, is written
there); `charset`, `text`, `language`, `kinds`, `firms` and `dedup` are the pure steps it
uses; `transforms` holds the DataFrame steps; `stage` wires them.

Main text (measured by tests/test_pages_text.py on trafilatura's evaluation pages of
../shared/data/web/html: 37 pages, 110 must-include and 107 must-exclude snippets):

| extractor | must-include found | must-exclude absent | both | pages/s, one core (CPU) |
|---|---|---|---|---|
| Resiliparse main content alone | 0.900 | 0.692 | 0.797 | ~500 |
| innolink (Resiliparse + boilerplate steps, default) | 0.982 | 0.879 | 0.931 | ~190 |
| trafilatura 2.3.1 default | 0.900 | 0.944 | 0.922 | ~28 |

innolink's extraction keeps more of the pages' own text than trafilatura (none of the 37 pages
loses all its must-include snippets, 2 lose some; trafilatura loses all of one page's recipe
and some of 6 others) and leaves more boilerplate lines: 202 of the 217 snippets right against
trafilatura's 200 (on both halves of the pages split by URL, too). It is about six times
faster. `pages.extractor: trafilatura` takes trafilatura's text instead, for fewer
boilerplate lines at a sixth of the speed.
"""
