#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz: CSV, LIBSVM and Matrix Market readers, INI and XML
# experiment readers, RunSpec validation) with clang++ and AddressSanitizer/UBSan into
# build-fuzz/, then fuzzes each for SECONDS (default 30) from its seed corpus. Any crash,
# sanitizer report or exception other than sparsepath::Error fails; libFuzzer writes the input
# that triggered it (crash-*) into build-fuzz/. Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
"$root/tools/install_deps.sh" clang libclang-rt-14-dev
build="${SPARSEPATH_FUZZ_BUILD_DIR:-$root/build-fuzz}"
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSPARSEPATH_FUZZ=ON -DSPARSEPATH_FUZZ_SECONDS="$seconds"
cmake --build "$build" --parallel "$(nproc)" --target fuzz_csv fuzz_libsvm fuzz_matrix_market fuzz_ini fuzz_xml fuzz_run_spec
cd "$build"
ctest --output-on-failure -R '^fuzz_' -j "$(nproc)"
