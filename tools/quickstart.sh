#!/usr/bin/env bash
# From a fresh clone to results: installs missing dependencies, builds in Release, fits the
# lasso path of configs/quickstart.ini on the shipped diabetes data, plots it, and says where the
# results are.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install_deps.sh"
"$root/tools/build.sh"
build="${SPARSEPATH_BUILD_DIR:-$root/build}"
out="$root/results/quickstart"
"$build/bin/sparsepath" fit "$root/configs/quickstart.ini" --out "$out" --overwrite --plot
echo
echo "path (benchpath-v1 CSV):        $out/path.csv"
echo "path with certificates (JSON):  $out/path.json"
echo "manifest and resolved config:   $out/manifest.json, $out/resolved.ini"
echo "plots (SVG):                    $out/coefficients.svg, $out/support.svg"
echo "next: $build/bin/sparsepath describe penalty/lasso   |   $build/bin/sparsepath list"
