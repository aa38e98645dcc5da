#!/usr/bin/env bash
# Time `drugscene situation` (HTML and PDF) on the benchmark city (run bench/run.sh first to
# load 1,000,000 reports into var/bench). Prints wall time and peak memory per run.
source "$(dirname "$0")/../scripts/_venv.sh"
export DRUGSCENE_VAR="${DRUGSCENE_VAR:-$ROOT/var/bench}"
WEEK="${1:-2026-W46}"
drugscene migrate -v 0
for out in /tmp/drugscene-bench-picture.html /tmp/drugscene-bench-picture.pdf; do
  /usr/bin/time -f "$out: %e s wall, %M KB peak" drugscene situation --city demo --week "$WEEK" --out "$out"
done
