#!/usr/bin/env bash
# Installs missing dependencies, builds everything (Release, with the optional MPI driver so that
# the sweep test also runs under mpirun) and runs the whole test suite through CTest. Idempotent;
# used by CI (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install_deps.sh" openmpi-bin libopenmpi-dev librsvg2-bin
"$root/tools/build.sh" -DSPARSEPATH_MPI=ON
build="${SPARSEPATH_BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure --timeout 900 -j "$(nproc)"
