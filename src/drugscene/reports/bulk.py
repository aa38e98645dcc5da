"""Write many reports at once, fast: columns in, one INSERT ... executemany (SQLite) or one
COPY (PostgreSQL) out.

Building model instances costs about 150 µs a row, which made a million-row load take
minutes. The callers (the demo loader and the bulk import) build plain Python columns,
mostly with numpy, and hand them here. Nothing in this module validates or scrubs: callers
do that first (the import runs the same scrubbing as ``reports.services``).

Transactions are the caller's: the demo writes everything in one, the import commits one
chunk at a time so that an interrupted run can be resumed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection

from drugscene.reports.models import Report

CHUNK = 5000

Progress = Callable[[str, int, int], None]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def allocate_ids(n: int) -> np.ndarray:
    """``n`` fresh primary keys for reports.

    PostgreSQL draws them from the table's sequence (safe beside concurrent writers, so no
    sequence repair is needed afterwards). SQLite takes the ids after the largest one; call
    it inside the transaction that writes the rows (SQLite transactions here are immediate,
    so no other writer can take the same ids).
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    table = Report._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "  # noqa: S608
                "FROM generate_series(1, %s)", [n],
            )
            return np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
        cur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        last = cur.fetchone()[0] or 0
    return np.arange(last + 1, last + 1 + n, dtype=np.int64)


def next_id() -> int:
    last = Report.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


def times(seconds: np.ndarray, keep: np.ndarray | None = None) -> list:
    """Database values of epoch seconds (``None`` where ``keep`` is false)."""
    adapt = connection.ops.adapt_datetimefield_value
    out = [adapt(EPOCH + timedelta(seconds=v)) for v in np.asarray(seconds).tolist()]
    if keep is not None:
        out = [v if k else None for v, k in zip(out, np.asarray(keep).tolist(), strict=True)]
    return out


def db_datetimes(values: Sequence[datetime | None]) -> list:
    """Database values of aware datetimes (``None`` stays ``None``).

    On SQLite with the connection in UTC this is what Django's
    ``adapt_datetimefield_value`` gives (naive UTC, ``str()``), about ten times faster.
    """
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        # isoformat(" ") of a UTC datetime is str() of the naive one plus "+00:00"
        return [None if v is None else
                v.isoformat(" ")[:-6] if v.tzinfo is UTC else
                str(v.astimezone(UTC).replace(tzinfo=None)) for v in values]
    adapt = connection.ops.adapt_datetimefield_value
    return [None if v is None else adapt(v) for v in values]


@contextmanager
def large_cache(megabytes: int = 256):
    """A bigger SQLite page cache while bulk writing: the five report indexes of a large
    table no longer fit the default 2 MB, and random index inserts then read from disk."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def write_reports(columns: dict[str, list], progress: Progress = _noop,
                  stage: str = "reports", done_before: int = 0, total: int | None = None,
                  chunk: int = CHUNK) -> int:
    """Insert the rows given as columns (model field names → equally long lists of database
    values, ``id`` included). Returns the number of rows written.

    ``progress(stage, done_before + written, total)`` is called after every ``chunk`` rows.
    """
    n = len(next(iter(columns.values()))) if columns else 0
    total = n + done_before if total is None else total
    if n == 0:
        return 0
    qn = connection.ops.quote_name
    names = ", ".join(qn(Report._meta.get_field(k).column) for k in columns)
    rows = list(zip(*columns.values(), strict=True))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's bulk path, several times faster than INSERTs
            copy_sql = f"COPY {qn(Report._meta.db_table)} ({names}) FROM STDIN"
            with cur.cursor.copy(copy_sql) as copy:
                for lo in range(0, n, chunk):
                    for row in rows[lo:lo + chunk]:
                        copy.write_row(row)
                    progress(stage, done_before + min(n, lo + chunk), total)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(Report._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
            for lo in range(0, n, chunk):
                cur.executemany(sql, rows[lo:lo + chunk])
                progress(stage, done_before + min(n, lo + chunk), total)
    return n


def write_restricted(pairs: Sequence[tuple[int, int]], chunk: int = CHUNK) -> None:
    """Rows of the ``restricted_to`` relation: ``(report id, organisation id)`` pairs."""
    through = Report.restricted_to.through
    through.objects.bulk_create(
        [through(report_id=a, organisation_id=b) for a, b in pairs], batch_size=chunk
    )


def fix_sequence() -> None:
    """After explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    table = Report._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def update_statistics(sample_rows: int | None = None) -> None:
    """Refresh the query planner's statistics after a bulk load (both databases need it to
    choose the time index for pages and the covering index for counts).

    ``sample_rows`` lets SQLite estimate from about that many rows per index
    (``PRAGMA analysis_limit``) instead of reading every index of a large table.
    """
    with connection.cursor() as cur:
        if sample_rows and connection.vendor == "sqlite":
            cur.execute(f"PRAGMA analysis_limit = {int(sample_rows)}")
        cur.execute("ANALYZE")
        if sample_rows and connection.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit = 0")
