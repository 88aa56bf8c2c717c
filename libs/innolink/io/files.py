"""Input paths -> the files behind them, through Hadoop's FileSystem (local, s3a, hdfs alike)."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import SparkSession


@dataclass(frozen=True, order=True)
class InputFile:
    path: str
    size: int


def _to_uri(path: str) -> str:
    return path if "://" in path or path.startswith("file:") else f"file://{path}"


def list_files(spark: SparkSession, path: str) -> list[InputFile]:
    """Every file a path names: the file itself, the files below a folder (recursively, hidden
    and underscore files left out as Hadoop does), or the matches of a glob. Sorted, so
    weekly files (ipg050104, ipg050111, ...) come in publication order. [] when nothing is
    there."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(_to_uri(path))
    fs = hpath.getFileSystem(conf)
    statuses = fs.globStatus(hpath) or []
    found: set[InputFile] = set()
    for status in statuses:
        if status.isDirectory():
            files = fs.listFiles(status.getPath(), True)
            while files.hasNext():
                file_status = files.next()
                file_path = file_status.getPath().toString()
                if not _hidden(file_path, status.getPath().toString()):
                    found.add(InputFile(file_path, file_status.getLen()))
        else:
            found.add(InputFile(status.getPath().toString(), status.getLen()))
    return sorted(found)


def _hidden(path: str, root: str) -> bool:
    relative = path[len(root) :].strip("/")
    return any(part.startswith((".", "_")) for part in relative.split("/"))
