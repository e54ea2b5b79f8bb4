// The plugin ABI: one C entry point per library returning a plain struct, checked by the host
// before any C++ object crosses the boundary.
#pragma once

#include <cstdint>

#include "sparsepath/plugin/build_id.hpp"

namespace sparsepath {
class Registry;
}

// Any change to a vtable or a struct layout under sparsepath/core bumps the ABI (host requires ==).
#define SPARSEPATH_PLUGIN_ABI 11u
// Additive changes bump the API (the host accepts plugins with api <= its own).
#define SPARSEPATH_PLUGIN_API 1u
// The exported symbol name carries the version of the SparsepathPluginInfo layout.
#define SPARSEPATH_ENTRY_SYMBOL "sparsepath_plugin_info_v1"

extern "C" {
struct SparsepathPluginInfo {
  std::uint32_t abi;
  std::uint32_t api;
  const char* name;
  const char* version;
  const char* build_id;  // compiler, standard library ABI, Eigen, Boost, NDEBUG, alignment
  void (*register_components)(sparsepath::Registry* registry);
};
typedef const SparsepathPluginInfo* (*SparsepathPluginInfoFunction)();
}

// Defines the entry point of a plugin library. REGISTER is a function void(sparsepath::Registry&).
#define SPARSEPATH_PLUGIN(PLUGIN_NAME, REGISTER)                                                  \
  namespace {                                                                                     \
  void sparsepath_register_trampoline(::sparsepath::Registry* registry) { REGISTER(*registry); } \
  const SparsepathPluginInfo sparsepath_plugin_info_value = {                                     \
      SPARSEPATH_PLUGIN_ABI, SPARSEPATH_PLUGIN_API, PLUGIN_NAME, SPARSEPATH_VERSION,              \
      SPARSEPATH_BUILD_ID, &sparsepath_register_trampoline};                                     \
  }                                                                                               \
  extern "C" __attribute__((visibility("default"))) const SparsepathPluginInfo*                   \
  sparsepath_plugin_info_v1() noexcept {                                                          \
    return &sparsepath_plugin_info_value;                                                         \
  }
