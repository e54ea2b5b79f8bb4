#!/usr/bin/env bash
# Installs missing dependencies, builds everything (Release) and runs the whole test suite
# through CTest. Idempotent; used by CI (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install_deps.sh"
"$root/tools/build.sh"
build="${SPARSEPATH_BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure --timeout 900 -j "$(nproc)"
