"""Bulk import of reports: check the whole file, then write the new rows chunk by chunk.

Guarantees (docs/guides/import.md):

* **Validation first.** Nothing is written unless every row is valid, or the caller asked to
  skip invalid rows (they go to a rejects file next to the input).
* **Idempotent.** Each row has an external id, unique per (city, source organisation) in the
  database; rows whose id is already there are counted as "already present" and skipped.
* **Resumable.** Rows are written in chunks, each in its own transaction together with the
  run's counter. A crash or ``kill -9`` leaves whole chunks; running the same command again
  skips them and writes the rest, so every row ends up exactly once.
* **Audited per run.** One :class:`ImportRun` and one audit entry per run, written before
  the first row; not one per row.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from drugscene.accounts.models import Organisation
from drugscene.audit import services as audit
from drugscene.cities.models import City
from drugscene.geo import h3grid
from drugscene.imports.mapping import Mapping
from drugscene.imports.models import ImportRun, RunStatus
from drugscene.imports.readers import open_table
from drugscene.imports.validate import Checked, FileProblem, Progress, _noop, check_file
from drugscene.reports import bulk
from drugscene.reports.models import Channel, Report, Visibility

#: rows per committed chunk (a test may lower it with DRUGSCENE_IMPORT_CHUNK). Large on
#: purpose: new rows land all over three of the report indexes (position, H3 cell, external
#: id), so every commit rewrites thousands of index pages; 100,000-row chunks write each
#: page about ten times less often than 10,000-row chunks. A kill loses at most one chunk.
CHUNK = 100_000
#: after this many new rows, refresh the planner's statistics (as the demo loader does)
ANALYZE_AFTER = 50_000


class UnknownSource(LookupError):
    pass


def find_source(city: City, name: str) -> Organisation:
    """The organisation in ``city`` with this slug or name (case-insensitive)."""
    found = list(Organisation.objects.filter(city=city).filter(
        Q(slug__iexact=name) | Q(name__iexact=name)
    )[:2])
    if len(found) != 1:
        names = ", ".join(f"{o.name} ({o.slug})" for o in Organisation.objects.filter(city=city))
        raise UnknownSource(f"no organisation {name!r} in {city.slug} (there are: "
                            f"{names or 'none'}); add one with 'drugscene city "
                            "add-organisation'")
    return found[0]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Outcome:
    checked: Checked
    present: int = 0
    to_import: int = 0
    imported: int = 0
    rejects_path: str | None = None
    run: ImportRun | None = None
    #: seconds per stage: checking, writing (cells, areas, chunks), statistics
    seconds: dict | None = None

    @property
    def invalid(self) -> int:
        return len(self.checked.rejected)


def rejects_path_for(path: Path) -> Path:
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return path.with_name(f"{stem}.rejects.csv")


def write_rejects(checked: Checked, path: Path, out: Path | None = None) -> Path:
    """The rejected rows with their original values and a ``reason`` column (CSV, UTF-8),
    at ``out`` or next to the input."""
    out = out or rejects_path_for(path)
    table = checked.table
    header = list(table.header)
    try:
        fh = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise FileProblem(f"cannot write the rejects file {out} ({exc.strerror}); choose "
                          "another place with --rejects FILE") from None
    with fh:
        w = csv.writer(fh, delimiter=table.delimiter if table.kind == "csv" else ",")
        w.writerow([*header, "reason"])
        for r in checked.rejected:
            values = list(r.values[:len(header)]) + [""] * max(0, len(header) - len(r.values))
            w.writerow([*values, f"{table.unit} {r.number}: {r.reason}"])
    return out


def existing_ids(city: City, source: Organisation, ids: list[str]) -> set[str]:
    """Which of ``ids`` are already in the database for (city, source)."""
    qs = Report.objects.filter(city=city, source=source, external_id__isnull=False)
    if len(ids) > 50_000:
        return set(qs.values_list("external_id", flat=True)) & set(ids)
    found: set[str] = set()
    for lo in range(0, len(ids), 5000):
        found.update(qs.filter(external_id__in=ids[lo:lo + 5000])
                     .values_list("external_id", flat=True))
    return found


def mark_interrupted(city: City, source: Organisation) -> int:
    """Runs still marked running whose process is gone (on this host) become interrupted."""
    n = 0
    host = socket.gethostname()
    for run in ImportRun.objects.filter(city=city, source=source, status=RunStatus.RUNNING):
        alive = False
        if run.host == host and run.pid:
            try:
                os.kill(run.pid, 0)
                alive = run.pid != os.getpid()
            except ProcessLookupError:
                alive = False
            except PermissionError:
                alive = True
        if not alive and run.host in (host, ""):
            ImportRun.objects.filter(pk=run.pk).update(
                status=RunStatus.INTERRUPTED,
                message=f"interrupted after {run.rows_imported} of {run.rows_to_import} rows",
            )
            n += 1
    return n


def import_reports(path: str | Path, city: City, source: Organisation, mapping: Mapping, *,
                   user=None, skip_invalid: bool = False, dry_run: bool = False,
                   rejects: str | Path | None = None, progress: Progress = _noop) -> Outcome:
    """Check ``path`` and import its new rows (see the module docstring).

    Returns an :class:`Outcome`; when the file has invalid rows and ``skip_invalid`` is
    false, nothing is written and ``outcome.invalid`` is non-zero. Whole-file problems raise
    ``readers.ReadError`` or ``validate.FileProblem``.
    """
    path = Path(path)
    t0 = time.perf_counter()
    table = open_table(path, format=mapping.format, delimiter=mapping.delimiter,
                       encoding=mapping.encoding, layer=mapping.layer)
    checked = check_file(table, mapping, city, progress=progress, total=table.estimate)
    rows = checked.rows
    outcome = Outcome(checked, seconds={"checking": time.perf_counter() - t0})
    if checked.rejected and not skip_invalid:
        return outcome
    present = existing_ids(city, source, rows.external_id)
    new = np.array([e not in present for e in rows.external_id], dtype=bool)
    outcome.present = len(present)
    outcome.to_import = int(new.sum())
    if dry_run:
        return outcome
    if checked.rejected:
        outcome.rejects_path = str(write_rejects(checked, path,
                                                 Path(rejects) if rejects else None))

    mark_interrupted(city, source)
    with transaction.atomic():
        run = ImportRun.objects.create(
            city=city, source=source, user=user, file_name=path.name,
            sha256=sha256_of(path), mapping=mapping.path and Path(mapping.path).name,
            attribution=mapping.attribution, rows_in_file=checked.rows_in_file,
            rows_filtered=checked.rows_filtered, rows_invalid=len(checked.rejected),
            rows_present=outcome.present, rows_to_import=outcome.to_import,
            rejects_file=outcome.rejects_path or "", pid=os.getpid(),
            host=socket.gethostname(),
        )
        audit.record(
            action="import", obj=run, user_id=getattr(user, "pk", None),
            organisation_id=source.pk, channel="import",
            changes={"file": run.file_name, "sha256": run.sha256, "mapping": run.mapping,
                     "rows_in_file": run.rows_in_file, "rows_invalid": run.rows_invalid,
                     "rows_present": run.rows_present, "rows_to_import": run.rows_to_import},
        )
    outcome.run = run
    try:
        outcome.imported = _write(run, rows, new, city, source, checked.restricted_to,
                                  progress)
    except KeyboardInterrupt:
        _finish(run, RunStatus.INTERRUPTED, "interrupted (Ctrl-C)")
        raise
    except BaseException as exc:
        _finish(run, RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _finish(run, RunStatus.DONE, "")
    t1 = time.perf_counter()
    outcome.seconds["writing"] = t1 - t0 - outcome.seconds["checking"]
    if outcome.imported >= ANALYZE_AFTER:
        bulk.update_statistics(sample_rows=10_000)
    outcome.seconds["statistics"] = time.perf_counter() - t1
    run.refresh_from_db()
    return outcome


def _finish(run: ImportRun, status: str, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(status=status, message=message,
                                               finished_at=timezone.now())


def _write(run: ImportRun, rows, new: np.ndarray, city: City, source: Organisation,
           restricted_to: list[int], progress: Progress) -> int:
    idx = np.flatnonzero(new)
    n = len(idx)
    if n == 0:
        return 0
    # in time order: ids and the time indexes then grow at their end
    starts = np.fromiter((rows.occurred_from[i].timestamp() for i in idx.tolist()),
                         dtype=float, count=n)
    idx = idx[np.argsort(starts, kind="stable")]
    chunk = int(os.environ.get("DRUGSCENE_IMPORT_CHUNK") or CHUNK)
    pause = float(os.environ.get("DRUGSCENE_IMPORT_TEST_PAUSE") or 0)
    lon, lat = rows.lon[idx], rows.lat[idx]
    progress("cells", 0, n)
    cells = h3grid.cells_of(lon, lat)
    from drugscene.cities.selectors import area_index

    areas = area_index(city.pk).lookup(lon, lat) if city.areas.exists() else [None] * n
    progress("cells", n, n)
    pick = idx.tolist()
    progress("importing", 0, n)
    with bulk.large_cache():
        return _chunks(run, rows, pick, lon, lat, cells, areas, city, source,
                          restricted_to, progress, chunk, pause)


def _chunks(run, rows, pick, lon, lat, cells, areas, city, source, restricted_to, progress,
            chunk, pause) -> int:
    """Write the rows in committed chunks. A helper thread builds the next chunk's columns
    while this one is written (SQLite and psycopg release the GIL while they work)."""
    from concurrent.futures import ThreadPoolExecutor

    n = len(pick)
    ranges = [(lo, min(n, lo + chunk)) for lo in range(0, n, chunk)]

    def col(name: str, lo: int, hi: int) -> list:
        values = getattr(rows, name)
        return [values[i] for i in pick[lo:hi]]

    def prepare(lo: int, hi: int) -> dict:
        m = hi - lo
        return {
            "city": [city.pk] * m,
            "occurred_from": bulk.db_datetimes(col("occurred_from", lo, hi)),
            "occurred_to": bulk.db_datetimes(col("occurred_to", lo, hi)),
            "reported_at": bulk.db_datetimes(col("reported_at", lo, hi)),
            "lon": lon[lo:hi].tolist(), "lat": lat[lo:hi].tolist(),
            "accuracy_m": col("accuracy_m", lo, hi),
            "h3_cell": cells[lo:hi].tolist(), "area": areas[lo:hi],
            "place": [None] * m,
            "category": col("category", lo, hi), "source": [source.pk] * m,
            "reporter": [None] * m, "channel": [str(Channel.IMPORT)] * m,
            "persons": col("persons", lo, hi),
            "age_under_15": [0] * m, "age_15_17": [0] * m, "age_18_25": [0] * m,
            "age_26_plus": [0] * m, "gender_female": [0] * m, "gender_male": [0] * m,
            "gender_unknown": [0] * m,
            "setting": col("setting", lo, hi),
            "text": col("text", lo, hi), "scrubbed": col("scrubbed", lo, hi),
            "visibility": col("visibility", lo, hi),
            "review_status": col("review_status", lo, hi),
            "reviewed_by": [None] * m, "reviewed_at": [None] * m,
            "duplicate_of": [None] * m,
            "external_id": col("external_id", lo, hi),
        }

    written = 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(prepare, *ranges[0]) if ranges else None
        for k, (lo, hi) in enumerate(ranges):
            prepared = upcoming.result()
            upcoming = pool.submit(prepare, *ranges[k + 1]) if k + 1 < len(ranges) else None
            m = hi - lo
            with transaction.atomic():
                ids = bulk.allocate_ids(m).tolist()
                columns = {"id": ids, **prepared}
                bulk.write_reports(columns, progress, stage="importing", done_before=written,
                                   total=n, chunk=min(m, 10_000))
                if restricted_to:
                    bulk.write_restricted([
                        (rid, org) for rid, v in zip(ids, columns["visibility"], strict=True)
                        if v == Visibility.RESTRICTED for org in restricted_to
                    ])
                ImportRun.objects.filter(pk=run.pk).update(
                    rows_imported=F("rows_imported") + m)
            written += m
            progress("importing", written, n)
            if pause:
                time.sleep(pause)  # test hook: leaves time to kill the process between chunks
    return written
