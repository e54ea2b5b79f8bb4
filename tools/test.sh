#!/usr/bin/env bash
# Installs missing dependencies, builds everything and runs the whole test suite through CTest.
# Idempotent; used by CI (.ci/run).
#
#   tools/test.sh              Release build in build/ (with the optional MPI driver, so that the
#                              sweep and cv tests also run under mpirun), every test.
#   tools/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in
#                              build-sanitize/ (every finding fatal), every test but the plugin
#                              SDK one (it installs the package and builds an example against
#                              it, which the instrumented host would need too); no MPI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--sanitize" ]; then
  export SPARSEPATH_BUILD_DIR="${SPARSEPATH_BUILD_DIR:-$root/build-sanitize}"
  "$root/tools/install_deps.sh" librsvg2-bin
  "$root/tools/build.sh" -DSPARSEPATH_SANITIZE=ON -DSPARSEPATH_MPI=OFF
  cd "$SPARSEPATH_BUILD_DIR"
  # OpenBLAS keeps its thread pool's buffers until exit: not our leak.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
  export LSAN_OPTIONS="suppressions=$root/tools/lsan.supp:${LSAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
  ctest --output-on-failure --timeout 1800 -j "$(nproc)" -E '^plugin_sdk_builds_and_fits_the_example$'
  exit 0
fi
"$root/tools/install_deps.sh" openmpi-bin libopenmpi-dev librsvg2-bin
"$root/tools/build.sh" -DSPARSEPATH_MPI=ON
build="${SPARSEPATH_BUILD_DIR:-$root/build}"
cd "$build"
ctest --output-on-failure --timeout 900 -j "$(nproc)"
