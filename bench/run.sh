#!/usr/bin/env bash
# Benchmarks (by hand, not CI). Uses its own database under var/bench unless DATABASE_URL is set.
#   bench/run.sh                      # 1,000,000 reports on SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/drugscene_bench bench/run.sh --reports 1000000
source "$(dirname "$0")/../scripts/_venv.sh"
export DRUGSCENE_VAR="${DRUGSCENE_VAR:-$ROOT/var/bench}"
mkdir -p "$DRUGSCENE_VAR"
exec python bench/bench_reports.py "$@"
