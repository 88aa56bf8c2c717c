"""Derive the data files of the synthetic world's technology topics from real samples.

`python -m innolink.synth.derive [SHARED_DATA_DIR]` reads
- `patents/reference/wipo_ipc_technology_concordance.csv` (WIPO's IPC -> 35 technology
  fields concordance): each field's name, sector and IPC patterns;
- every USPTO grant and application of `patents/uspto_fulltext_xml/` and
  `patents/uspto_format_variants/` (parsed with innolink's own reader): the abstracts and
  titles of each field (by the first IPC/CPC code), from which the most distinctive words
  and word pairs of each field are taken (tf-idf of the field's text against the others);

and writes `lexicon/tech_derived.yaml`, which ships with the package: generation never
reads shared data at run time. Run it again when the samples change; the output is sorted
and deterministic.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

LEXICON = Path(__file__).with_name("lexicon")
DEFAULT_SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
CONCORDANCE = "patents/reference/wipo_ipc_technology_concordance.csv"
TERMS_PER_FIELD = 15

_STOP = frozenset(
    """a about above according accordingly after again against all also an and another any are
    as at be been being between both but by can could each either embodiment embodiments
    example first for from further has have having herein however if in include includes
    including into invention is it its least may means more most such no not of on one or
    other part plurality portion present provide provided providing second so some than that
    the their then there thereby therefore these they third this those through thus to two
    under upon used using via wherein which while with within without when where whether
    method methods system systems apparatus device devices unit units based configured
    disclosed described comprises comprising comprise formed form having first second
    respective respectively corresponding predetermined same least end ends side sides surface
    member members element elements set sets one ones number provided also each main body
    said left right low nine ace option change amount subset region portions section""".split()
)
_WORD = re.compile(r"[a-z][a-z\-]{2,}")


def ipc_patterns(concordance: Path) -> dict[int, dict]:
    """Field number -> {name, sector, ipc: [patterns]} from WIPO's concordance."""
    fields: dict[int, dict] = {}
    with concordance.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            number = int(row["Field_number"])
            field = fields.setdefault(
                number, {"name": row["Field_en"], "sector": row["Sector_en"], "ipc": []}
            )
            # "H04N   3/%" -> "H04N 3/", "F21H%" -> "F21H"
            pattern = re.sub(r"\s+", " ", row["IPC_code"].rstrip("%")).strip()
            field["ipc"].append(pattern)
    return fields


def field_of(code: str, fields: dict[int, dict]) -> int | None:
    """The field of an IPC code "H04N 5/225": a group pattern beats a subclass pattern."""
    subclass, _, rest = code.partition(" ")
    group = rest.split("/")[0]
    best: tuple[int, int] | None = None
    for number, field in fields.items():
        for pattern in field["ipc"]:
            psub, _, pgroup = pattern.partition(" ")
            if psub != subclass:
                continue
            if pgroup and pgroup.rstrip("/") != group:
                continue
            rank = 1 if pgroup else 0
            if best is None or rank > best[0]:
                best = (rank, number)
    return best[1] if best else None


def _texts(shared: Path, fields: dict[int, dict]) -> dict[int, list[str]]:
    from innolink.patents.document import Reject
    from innolink.patents.readers.uspto import parse_document, split_documents

    files = sorted(
        [*shared.glob("patents/uspto_fulltext_xml/*.xml")]
        + [*shared.glob("patents/uspto_format_variants/**/*.xml")]
    )
    out: dict[int, list[str]] = defaultdict(list)
    for path in files:
        for _, data in split_documents(path.read_bytes()):
            try:
                doc = parse_document(data)
            except Reject:
                continue
            codes = [c.code for c in doc.classes if c.scheme in ("IPC", "CPC")]
            if not codes or not doc.abstract:
                continue
            number = field_of(codes[0], fields)
            if number is not None:
                out[number].append(f"{doc.title or ''}. {doc.abstract}")
    return out


def _terms(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    grams = [w for w in words if w not in _STOP]
    grams += [
        f"{a} {b}"
        for a, b in zip(words, words[1:], strict=False)
        if a not in _STOP and b not in _STOP
    ]
    return grams


def distinctive_terms(texts: dict[int, list[str]], k: int = TERMS_PER_FIELD) -> dict[int, list]:
    """Per field the k terms with the highest tf-idf (fields as documents), seen twice or more."""
    counts = {n: Counter(t for text in docs for t in _terms(text)) for n, docs in texts.items()}
    df = Counter(t for c in counts.values() for t in c)
    total = len(counts)
    out = {}
    for number, c in counts.items():
        scored = [
            (-(n * math.log((1 + total) / (1 + df[t]))), t)
            for t, n in c.items()
            if n >= 2 and not t.replace(" ", "").replace("-", "").isdigit()
        ]
        out[number] = [t for _, t in sorted(scored)[:k]]
    return out


def derive(shared: Path) -> dict:
    fields = ipc_patterns(shared / CONCORDANCE)
    texts = _texts(shared, fields)
    terms = distinctive_terms(texts)
    return {
        "source": (
            "WIPO IPC-technology concordance (Schmoch 2008) and the abstracts of the USPTO "
            "samples in shared/data/patents; written by python -m innolink.synth.derive"
        ),
        "fields": {
            number: {
                "name": field["name"],
                "sector": field["sector"],
                "ipc": field["ipc"],
                "abstracts": len(texts.get(number, [])),
                "derived_terms": terms.get(number, []),
            }
            for number, field in sorted(fields.items())
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else DEFAULT_SHARED
    data = derive(shared)
    target = LEXICON / "tech_derived.yaml"
    target.write_text(
        "# Written by `python -m innolink.synth.derive`; do not edit by hand.\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8",
    )
    sys.stderr.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
