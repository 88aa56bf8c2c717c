"""Remove from a jars folder every artifact that pyspark already ships.

Maven copies the whole dependency tree of Delta and hadoop-aws, which includes Spark's own
Scala, Hadoop client, Jackson, Parquet and logging jars. Two versions of one class on the
classpath fail in ways that are slow to diagnose, and pyspark's copy is the one Spark was
built against, so ours goes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_VERSIONED = re.compile(r"^(?P<artifact>.+?)-\d[\w.\-]*\.jar$")


def artifact_of(jar_name: str) -> str:
    match = _VERSIONED.match(jar_name)
    return match.group("artifact") if match else jar_name.removesuffix(".jar")


def prune(jars_dir: Path, spark_jars_dir: Path) -> list[str]:
    shipped = {artifact_of(p.name) for p in spark_jars_dir.glob("*.jar")}
    removed = []
    for jar in sorted(jars_dir.glob("*.jar")):
        if artifact_of(jar.name) in shipped:
            jar.unlink()
            removed.append(jar.name)
    return removed


def main() -> int:
    import pyspark

    jars_dir = Path(sys.argv[1])
    spark_jars = Path(pyspark.__file__).parent / "jars"
    removed = prune(jars_dir, spark_jars)
    kept = sorted(p.name for p in jars_dir.glob("*.jar"))
    sys.stderr.write(f"jars: kept {len(kept)}, removed {len(removed)} shipped by pyspark\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
