"""The deployment check that the database compares tree paths in byte order (decision 0061): the
points' `ancestry` and the cases' scope columns are matched as ranges in which '/' sorts before
'0'. A PostgreSQL database created with a linguistic collation (en_US.UTF-8, zh_CN.UTF-8) ignores
the '/' at first and would answer those ranges wrongly. Run by `bangban check --database default`."""

from __future__ import annotations

from django.core import checks
from django.db import connections

#: Pairs of paths that must compare as bytes do: '/' (0x2F) before '0' (0x30), digit by digit.
PROBE = "SELECT %s < %s, %s < %s"
PAIRS = ("/1/4/89/", "/1/40/", "/7/", "/70")


@checks.register(checks.Tags.database)
def paths_compare_in_byte_order(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue  # SQLite compares text as bytes (BINARY) unless told otherwise
        with connection.cursor() as cursor:
            cursor.execute(PROBE, PAIRS)
            if not all(cursor.fetchone()):
                problems.append(
                    checks.Error(
                        "数据库的排序规则不是按字节比较：服务点路径的范围查询会出错。",
                        hint="请用 C 或 C.UTF-8 排序规则建库，例如 "
                        "createdb -l C.UTF-8 -T template0 bangban（见 README“Running on PostgreSQL”）。",
                        id="bangban.E001",
                    )
                )
    return problems
