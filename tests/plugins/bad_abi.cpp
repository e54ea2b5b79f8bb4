// Exports the sparsepath entry point but declares plugin ABI 999: the loader must refuse it
// before calling anything else in the library.
#include "sparsepath/plugin/abi.hpp"

namespace {
void register_nothing(sparsepath::Registry*) {}
const SparsepathPluginInfo bad_abi_info = {999u,         SPARSEPATH_PLUGIN_API, "sparsepath-test-bad-abi",
                                           SPARSEPATH_VERSION, SPARSEPATH_BUILD_ID, &register_nothing};
}  // namespace

extern "C" __attribute__((visibility("default"))) const SparsepathPluginInfo* sparsepath_plugin_info_v1() noexcept {
  return &bad_abi_info;
}
