#include "sparsepath/plugin/plugin_manager.hpp"

#include "sparsepath/plugin/abi.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace sparsepath {

namespace fs = std::filesystem;

const char* host_build_id() { return SPARSEPATH_BUILD_ID; }
const char* host_version() { return SPARSEPATH_VERSION; }

struct PluginManager::Impl {
  std::vector<boost::dll::shared_library> libraries;
  std::vector<fs::path> loaded_paths;
};

PluginManager::PluginManager() : impl_(std::make_unique<Impl>()) {}

PluginManager::~PluginManager() {
  // Destroy registry entries (their factories live in the libraries) before unloading.
  registry_ = Registry();
}

namespace {

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code error;
  return fs::equivalent(a, b, error);
}

}  // namespace

void PluginManager::load_library(const fs::path& library) {
  std::error_code error;
  if (!fs::exists(library, error)) {
    throw Error("plugin library '" + library.string() + "' does not exist");
  }
  fs::path absolute = fs::absolute(library, error);
  for (const fs::path& loaded : impl_->loaded_paths) {
    if (same_file(loaded, absolute)) return;  // already loaded
  }
  boost::dll::shared_library handle;
  boost::system::error_code load_error;
  handle.load(boost::dll::fs::path(absolute.string()), boost::dll::load_mode::default_mode,
              load_error);
  if (load_error) {
    // The system loader says why (wrong format, missing dependency...); Boost's code does not.
    std::string reason = load_error.message();
    if (void* probe = ::dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      ::dlclose(probe);
    } else if (const char* text = ::dlerror()) {
      reason = text;
    }
    throw Error("cannot load plugin library '" + absolute.string() +
                "': not a loadable shared library (" + reason + ")");
  }
  if (!handle.has(SPARSEPATH_ENTRY_SYMBOL)) {
    throw Error("'" + absolute.string() + "' is not a sparsepath plugin: it does not export " +
                SPARSEPATH_ENTRY_SYMBOL);
  }
  auto entry = handle.get<const SparsepathPluginInfo*()>(SPARSEPATH_ENTRY_SYMBOL);
  const SparsepathPluginInfo* info = entry();
  if (info == nullptr) {
    throw Error("plugin '" + absolute.string() + "' returned no plugin information");
  }
  if (info->abi != SPARSEPATH_PLUGIN_ABI) {
    throw Error("plugin '" + absolute.string() + "' was built for plugin ABI " +
                std::to_string(info->abi) + "; this sparsepath needs ABI " +
                std::to_string(SPARSEPATH_PLUGIN_ABI) + " (rebuild the plugin)");
  }
  if (info->api > SPARSEPATH_PLUGIN_API) {
    throw Error("plugin '" + absolute.string() + "' needs plugin API " + std::to_string(info->api) +
                "; this sparsepath offers API " + std::to_string(SPARSEPATH_PLUGIN_API));
  }
  const std::string plugin_id = info->build_id ? info->build_id : "";
  if (plugin_id != host_build_id()) {
    throw Error("plugin '" + absolute.string() +
                "' was built with a different toolchain or settings; rebuild it with "
                "sparsepath_add_plugin().\n  plugin build id: " + plugin_id +
                "\n  host build id:   " + host_build_id());
  }
  LoadedPlugin loaded{info->name ? info->name : "", info->version ? info->version : "",
                      plugin_id, absolute};
  registry_.set_current_library(absolute.filename().string(), loaded.name);
  try {
    info->register_components(&registry_);
  } catch (const std::exception& failure) {
    registry_.set_current_library("(host)", "(host)");
    throw Error("plugin '" + absolute.string() + "' failed while registering: " + failure.what());
  }
  registry_.set_current_library("(host)", "(host)");
  impl_->libraries.push_back(std::move(handle));
  impl_->loaded_paths.push_back(absolute);
  plugins_.push_back(std::move(loaded));
}

void PluginManager::load_directories(const std::vector<fs::path>& directories) {
  for (const fs::path& directory : directories) {
    std::error_code error;
    if (!fs::is_directory(directory, error)) continue;
    std::vector<fs::path> candidates;
    for (const auto& item : fs::directory_iterator(directory, error)) {
      const fs::path& file = item.path();
      if (file.extension() == ".so" && item.is_regular_file(error)) candidates.push_back(file);
    }
    std::sort(candidates.begin(), candidates.end());
    for (const fs::path& file : candidates) {
      // Scanning skips libraries that are not sparsepath plugins; mismatching plugins are errors.
      boost::dll::shared_library probe;
      boost::system::error_code probe_error;
      probe.load(boost::dll::fs::path(file.string()), boost::dll::load_mode::default_mode,
                 probe_error);
      if (probe_error || !probe.has(SPARSEPATH_ENTRY_SYMBOL)) continue;
      load_library(file);
    }
  }
}

std::vector<fs::path> PluginManager::default_directories() {
  std::vector<fs::path> directories;
  if (const char* env = std::getenv("SPARSEPATH_PLUGIN_PATH")) {
    std::string text = env;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(':', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) directories.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
  boost::system::error_code error;
  auto program = boost::dll::program_location(error);
  if (!error) {
    fs::path bin = fs::path(program.string()).parent_path();
    directories.push_back(bin.parent_path() / "lib" / "sparsepath" / "plugins");
    directories.push_back(bin.parent_path() / "lib64" / "sparsepath" / "plugins");
  }
  return directories;
}

}  // namespace sparsepath
