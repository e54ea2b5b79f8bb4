#!/usr/bin/env bash
# Regenerates docs/config-reference.md from the component schemas (a test fails when it is stale).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SPARSEPATH_BUILD_DIR:-$root/build}"
"$build/bin/sparsepath" reference > "$root/docs/config-reference.md.tmp"
mv "$root/docs/config-reference.md.tmp" "$root/docs/config-reference.md"
echo "wrote $root/docs/config-reference.md"
