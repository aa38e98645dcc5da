"""``kill -9`` in the middle of an import, then the same command again: every row once.

The import runs as a real ``drugscene`` process on a SQLite file of its own, with small
chunks and a pause after each commit (test hooks ``DRUGSCENE_IMPORT_CHUNK`` and
``DRUGSCENE_IMPORT_TEST_PAUSE``), so it can be killed after its first chunk is committed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

DRUGSCENE = str(Path(sys.executable).parent / "drugscene")
ROWS = 1000
CHUNK = 100


def test_kill_9_halfway_then_rerun_ends_with_every_row_once(tmp_path) -> None:
    db = tmp_path / "db.sqlite3"
    env = {**os.environ, "DRUGSCENE_VAR": str(tmp_path), "DATABASE_URL": f"sqlite:///{db}"}

    def drugscene(*args: str, extra: dict | None = None) -> subprocess.CompletedProcess:
        out = subprocess.run([DRUGSCENE, *args], env={**env, **(extra or {})},
                             capture_output=True, text=True, timeout=600, check=False)
        assert out.returncode == 0, out.stderr
        return out

    drugscene("migrate", "-v", "0")
    drugscene("city", "create", "--slug", "killby", "--name", "Killby",
              "--bbox", "16.88,58.99,16.92,59.01")
    drugscene("city", "add-organisation", "--city", "killby", "--name", "Polisen",
              "--kind", "police")
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("id,lon,lat,time,category\n" + "".join(
        f"k{i},{16.885 + (i % 30) * 0.001},{59.0 + (i % 7) * 0.001},"
        f"2025-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,open_use\n" for i in range(ROWS)
    ), encoding="utf-8")
    args = ["import", "reports", str(csv_path), "--city", "killby", "--source", "Polisen"]

    def sql(query: str) -> list[tuple]:
        con = sqlite3.connect(db, timeout=30)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    proc = subprocess.Popen([DRUGSCENE, *args], env={
        **env, "DRUGSCENE_IMPORT_CHUNK": str(CHUNK), "DRUGSCENE_IMPORT_TEST_PAUSE": "0.5"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            runs = sql("SELECT rows_imported FROM imports_importrun") if db.exists() else []
            if runs and runs[0][0] >= CHUNK:
                break
            assert proc.poll() is None, "the import ended before it could be killed"
            time.sleep(0.05)
        else:
            raise AssertionError("the first chunk was never committed")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    killed = sql("SELECT COUNT(*) FROM reports_report")[0][0]
    assert 0 < killed < ROWS
    assert killed % CHUNK == 0  # whole chunks only
    assert sql("SELECT status, rows_imported FROM imports_importrun") == [("running", killed)]

    out = drugscene(*args)
    assert f"{killed:,} already present" in out.stdout
    ids = [r[0] for r in sql("SELECT external_id FROM reports_report")]
    assert len(ids) == ROWS
    assert sorted(ids) == sorted(f"k{i}" for i in range(ROWS))
    runs = sql("SELECT status, rows_present, rows_imported FROM imports_importrun ORDER BY id")
    assert runs == [("interrupted", 0, killed), ("done", killed, ROWS - killed)]
    assert sql("SELECT COUNT(*) FROM audit_auditentry WHERE object_type = 'imports.importrun'"
               ) == [(2,)]
