"""Input paths -> the files behind them, through Hadoop's FileSystem (local, s3a, hdfs alike)."""

from __future__ import annotations

from pyspark.sql import SparkSession


def _to_uri(path: str) -> str:
    return path if "://" in path or path.startswith("file:") else f"file://{path}"


def list_files(spark: SparkSession, path: str) -> list[str]:
    """Every file a path names: the file itself, the files below a folder (recursively, hidden
    and underscore files left out as Hadoop does), or the matches of a glob. Sorted, so
    weekly files (ipg050104, ipg050111, ...) come in publication order. [] when nothing is
    there."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(_to_uri(path))
    fs = hpath.getFileSystem(conf)
    statuses = fs.globStatus(hpath) or []
    found: list[str] = []
    for status in statuses:
        if status.isDirectory():
            files = fs.listFiles(status.getPath(), True)
            while files.hasNext():
                file_path = files.next().getPath()
                if not _hidden(file_path.toString(), status.getPath().toString()):
                    found.append(file_path.toString())
        else:
            found.append(status.getPath().toString())
    return sorted(set(found))


def _hidden(path: str, root: str) -> bool:
    relative = path[len(root) :].strip("/")
    return any(part.startswith((".", "_")) for part in relative.split("/"))
