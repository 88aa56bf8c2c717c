"""Stage `patents`: patent corpora of every office -> silver/patents and its child tables.

Inputs are read per format: XML full text (USPTO weekly files, EPO, JPO, CNIPA) document by
document in Spark's Python workers; PatentsView and Google Patents exports as tables with
Spark's own readers. Every document or row found is a record: it becomes table rows, or a
reject with its reason (also a publication superseded by a later copy in the same run).
"""

from __future__ import annotations

import logging
from dataclasses import fields, replace
from importlib import import_module

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.io.files import list_files
from innolink.patents import transforms as T
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS

log = logging.getLogger(__name__)

# format -> (reader module, its function, documents back to back in one file?)
DOC_FORMATS = {
    "uspto-xml": ("innolink.patents.readers.uspto", "parse_document", True),
    "uspto-aps": ("innolink.patents.readers.uspto", "parse_aps", False),
    "epo-xml": ("innolink.patents.readers.epo", "parse_document", False),
    "jpo-xml": ("innolink.patents.readers.jpo", "parse_document", False),
    "cnipa-xml": ("innolink.patents.readers.cnipa", "parse_document", False),
}
TABLE_FORMATS = {
    "patentsview": "innolink.patents.readers.patentsview",
    "google-patents": "innolink.patents.readers.google_patents",
}


def doc_format(name: str) -> T.DocFormat:
    module, function, concatenated = DOC_FORMATS[name]
    parse = getattr(import_module(module), function)
    if function == "parse_document":
        return T.DocFormat(parse=parse, concatenated=concatenated)
    return T.DocFormat(parse_records=parse)


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.patents
    spark = ctx.spark
    inputs = [i.model_copy(update={"path": ctx.cfg.resolve(i.path)}) for i in cfg.inputs]
    ctx.run.artifact_dict({"inputs": [i.model_dump() for i in inputs]}, "inputs.json")
    max_bytes = cfg.max_document_mb << 20

    records: list[DataFrame] = []  # XML: one row per document found
    tables: list[T.Frames] = []
    table_rejects: list[DataFrame] = []
    table_counts: list[DataFrame] = []
    table_used: list[DataFrame] = []
    persisted: list[DataFrame] = []
    for index, spec in enumerate(inputs):
        if spec.format in DOC_FORMATS:
            files = list_files(spark, spec.path)
            if not files:
                records.append(T.missing_input_records(spark, index, spec.path))
                continue
            records.append(
                T.read_document_records(
                    spark,
                    index,
                    files,
                    doc_format(spec.format),
                    cfg.min_partitions,
                    max_bytes,
                    (cfg.split_mb << 20) if cfg.split_mb else None,
                )
            )
        else:
            frames = import_module(TABLE_FORMATS[spec.format]).read(spark, spec.path)
            # Each frame is read again by the resolution, the rejects and the counts.
            cached = {
                f.name: getattr(frames, f.name).persist()
                for f in fields(frames)
                if getattr(frames, f.name) is not None
            }
            persisted.extend(cached.values())
            frames = replace(frames, **cached)
            tables.append(
                T.table_frames(
                    frames.patents, frames.parties, frames.classes, frames.citations, index
                )
            )
            table_rejects.append(frames.rejects)
            table_counts.append(frames.records_in)
            if frames.records_used is not None:
                table_used.append(frames.records_used)

    xml_records = _union(records)
    if xml_records is not None:
        # Parsing is the costly part; everything below reads the parsed records again.
        xml_records = xml_records.persist()
    frames = _combine(xml_records, tables)
    kept, superseded = T.resolve(frames)
    kept = T.Frames(*(f.persist() for f in kept.astuple()))

    run_id = F.lit(ctx.run.run_id)
    written = [ctx.writer.merge(PATENTS, kept.patents.withColumn("run_id", run_id))]
    for spec, frame in zip(
        (PATENT_PARTIES, PATENT_CLASSES, PATENT_CITATIONS), kept.astuple()[1:], strict=True
    ):
        written.append(
            ctx.writer.merge(spec, frame.withColumn("run_id", run_id), replace_by=("pub_key",))
        )

    rejects = [superseded, *table_rejects]
    if xml_records is not None:
        rejects.insert(0, T.rejects_of(xml_records))
    all_rejects = _union(rejects).persist()
    written.append(ctx.writer.reject(all_rejects))

    per_file = _per_file_counts(xml_records, table_counts, table_used, kept.patents, all_rejects)
    ctx.run.artifact_dict({"files": per_file}, "files.json")
    records_in = sum(f["records_in"] for f in per_file)
    rejected = sum(f["rejected"] for f in per_file)
    out = sum(f["out"] for f in per_file)
    for frame in (
        *kept.astuple(),
        all_rejects,
        *persisted,
        *([xml_records] if xml_records else []),
    ):
        frame.unpersist()
    patents_written = written[0]
    return StageResult(
        records_in=records_in,
        records_out=out,
        records_rejected=rejected,
        written=written,
        metrics={
            "publications": patents_written.rows,
            "publications_inserted": patents_written.inserted,
            "publications_updated": patents_written.updated,
            "parties": written[1].rows,
            "classes": written[2].rows,
            "citations": written[3].rows,
            "files": len(per_file),
        },
    )


def _summed(frames: list[DataFrame]) -> dict[str, int]:
    """source -> records, over frames of (source, records)."""
    out: dict[str, int] = {}
    for frame in frames:
        for row in frame.collect():
            out[row["source"]] = out.get(row["source"], 0) + int(row["records"])
    return out


def _union(frames: list[DataFrame]) -> DataFrame | None:
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _combine(xml_records: DataFrame | None, tables: list[T.Frames]) -> T.Frames:
    parts = ([T.xml_frames(xml_records)] if xml_records is not None else []) + tables
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.union(part)
    return combined


def _per_file_counts(
    xml_records: DataFrame | None,
    table_counts: list[DataFrame],
    table_used: list[DataFrame],
    patents: DataFrame,
    rejects: DataFrame,
) -> list[dict]:
    """records in / out / rejected per input file, each counted from its own frame.

    XML: records in = documents found; out = publications written from that file;
    rejected = its rejects. Table formats: records in = rows read; out = rows that reached
    the output frames, as the reader counted them there (PatentFrames.records_used).
    """
    found: dict[str, int] = {}
    if xml_records is not None:
        for row in xml_records.groupBy("source_file").count().collect():
            found[row["source_file"]] = row["count"]
    table_in = _summed(table_counts)
    table_out = _summed(table_used)
    out_by_file = {
        r["source_file"]: r["count"] for r in patents.groupBy("source_file").count().collect()
    }
    rejected_by_file: dict[str, int] = {}
    superseded_by_file: dict[str, int] = {}
    for r in rejects.groupBy("source", "reason").count().collect():
        rejected_by_file[r["source"]] = rejected_by_file.get(r["source"], 0) + r["count"]
        if r["reason"] == "document.superseded":
            superseded_by_file[r["source"]] = r["count"]
    files = []
    for source in sorted(set(found) | set(table_in)):
        rejected = rejected_by_file.get(source, 0)
        if source in found:
            records_in, out = found[source], out_by_file.get(source, 0)
        else:
            # A row the reader used but a later copy of its publication replaced is counted
            # once, as the superseded reject.
            records_in = table_in[source]
            out = table_out.get(source, 0) - superseded_by_file.get(source, 0)
        files.append({"source": source, "records_in": records_in, "out": out, "rejected": rejected})
        if records_in != out + rejected:
            log.warning(
                "%s: records in %d != out %d + rejected %d", source, records_in, out, rejected
            )
    return files
