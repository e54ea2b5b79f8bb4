#!/usr/bin/env bash
# sparsepath benchmarks: sparsepath vs glmnet vs scikit-learn on the same data and lambda grid.
#
#   tools/bench/run.sh [--quick] [--cases a,b,...] [--reps N] [--no-interleave] [--threads 1|2]
#                      [--budget SECONDS] [--doc FILE]
#
#   --quick      n/10, p/10 versions of every case (whole run < 3 minutes); the report goes to
#                build/bench-results/latest-quick/report.md only
#   --cases      any of a, a-enet, b, b-enet, c, d1, d2 (default: all)
#   --reps       fits per tool, median reported (default 5; 3 with --quick); the fits run in
#                rounds of one per tool, so that a slow spell of the machine hits every tool
#                alike (--no-interleave: each tool's fits back to back)
#   --threads    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS for every tool and sparsepath's
#                [experiment] threads (default 1)
#   --budget     seconds one scikit-learn fit may take before sklearn is skipped on that case
#                (default 60; 10 with --quick)
#   --doc FILE   also write the report to FILE (a full run of all cases writes
#                docs/benchmarks.md by itself, or docs/benchmarks-2-threads.md with --threads 2)
#
# Then the grouped case f (tools/bench/grouped.py, no peers): the sparse-group lasso path next to
# the lasso path on the same data; report in build/bench-results/grouped[-quick]/report.md.
# The strong-hierarchy scale benchmark is separate (minutes): tools/bench/hierarchy.py.
#
# Installs missing Debian packages (apt-get install -y; idempotent), uses /usr/bin/python3 and
# the already built build/bin/sparsepath (tools/build.sh runs only if it is missing; set
# $SPARSEPATH to benchmark another binary). Data: build/bench-data/ (cached, never committed);
# results: build/bench-results/<run>/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tools/bench"

for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done

packages=(r-base-core r-cran-glmnet r-cran-matrix python3-numpy python3-scipy python3-sklearn
          python3-threadpoolctl)
"$root/tools/install_deps.sh" "${packages[@]}"

if [ -z "${SPARSEPATH:-}" ] && [ ! -x "$root/build/bin/sparsepath" ]; then
  echo "bench: build/bin/sparsepath is missing; building it (tools/build.sh)"
  "$root/tools/build.sh"
fi

/usr/bin/python3 "$here/bench.py" "$@"
# The grouped case (f) has no peer: the sparse-group lasso path is timed next to the lasso path.
grouped=()
for arg in "$@"; do
  case "$arg" in --quick) grouped+=(--quick) ;; esac
done
exec /usr/bin/python3 "$here/grouped.py" "${grouped[@]}"
