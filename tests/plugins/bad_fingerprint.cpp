// A normal plugin built with a different build fingerprint than the host: the loader must
// refuse it and print both build ids. The override is defined here, before abi.hpp, rather than
// on the command line so that its ';' needs no CMake or shell escaping.
#define SPARSEPATH_BUILD_ID_OVERRIDE "some-other-compiler;eigen=0"

#include "sparsepath/core/registry.hpp"
#include "sparsepath/plugin/abi.hpp"

namespace sparsepath::test_plugins {

class FingerprintWriter final : public Writer {
 public:
  explicit FingerprintWriter(const Params&) {}
  void write(const PathResult&, const RunInfo&, const std::filesystem::path&) const override {}
};

void register_fingerprint(Registry& registry) {
  registry.add<Writer, FingerprintWriter>(
      "bad_fingerprint_writer", Schema("bad_fingerprint_writer", "writes nothing (test plugin)"));
}

}  // namespace sparsepath::test_plugins

SPARSEPATH_PLUGIN("sparsepath-test-bad-fingerprint", sparsepath::test_plugins::register_fingerprint)
