// Finds plugin libraries, checks their ABI and build fingerprint, and lets them register.
#pragma once

#include "sparsepath/core/registry.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sparsepath {

struct LoadedPlugin {
  std::string name;
  std::string version;
  std::string build_id;
  std::filesystem::path library;
};

class SPARSEPATH_INTERFACE PluginManager {
 public:
  PluginManager();
  ~PluginManager();
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // Loads every plugin library found in the directories (non-recursive scan for *.so files
  // that export the entry symbol). Libraries without the symbol are skipped silently.
  void load_directories(const std::vector<std::filesystem::path>& directories);
  // Loads one library named explicitly; throws Error when it is not a sparsepath plugin or was
  // built with another ABI / fingerprint.
  void load_library(const std::filesystem::path& library);

  Registry& registry() { return registry_; }
  const Registry& registry() const { return registry_; }
  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }

  // The directories searched by default: $SPARSEPATH_PLUGIN_PATH, then the build tree or the
  // install tree next to the running executable.
  static std::vector<std::filesystem::path> default_directories();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // the loaded libraries: declared first, destroyed last
  Registry registry_;           // its factories live in the libraries: destroyed before them
  std::vector<LoadedPlugin> plugins_;
};

// This build's fingerprint (what plugins must match).
const char* host_build_id();
const char* host_version();

}  // namespace sparsepath
