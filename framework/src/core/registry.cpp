#include "sparsepath/core/registry.hpp"

namespace sparsepath {

void Registry::add_entry(ComponentKind kind, const std::string& name, Schema schema,
                         AnyFactory factory) {
  auto key = std::make_pair(kind, name);
  auto existing = entries_.find(key);
  if (existing != entries_.end()) {
    throw Error(std::string(to_string(kind)) + " '" + name + "' is registered twice: by " +
                existing->second.library + " and by " + current_library_);
  }
  RegistryEntry entry;
  entry.kind = kind;
  entry.name = name;
  entry.schema = std::move(schema);
  entry.factory = std::move(factory);
  entry.library = current_library_;
  entry.plugin = current_plugin_;
  entries_.emplace(key, std::move(entry));
}

const RegistryEntry* Registry::find(ComponentKind kind, const std::string& name) const {
  auto it = entries_.find({kind, name});
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const RegistryEntry*> Registry::entries(ComponentKind kind) const {
  std::vector<const RegistryEntry*> out;
  for (const auto& [key, entry] : entries_) {
    if (key.first == kind) out.push_back(&entry);
  }
  return out;
}

std::vector<const RegistryEntry*> Registry::all() const {
  std::vector<const RegistryEntry*> out;
  for (const auto& [key, entry] : entries_) out.push_back(&entry);
  return out;
}

std::vector<std::string> Registry::names(ComponentKind kind) const {
  std::vector<std::string> out;
  for (const RegistryEntry* entry : entries(kind)) out.push_back(entry->name);
  return out;
}

void Registry::set_current_library(std::string library, std::string plugin) {
  current_library_ = std::move(library);
  current_plugin_ = std::move(plugin);
}

std::unique_ptr<Component> Registry::create_any(ComponentKind kind, const std::string& name,
                                                const Params& params) const {
  const RegistryEntry* entry = find(kind, name);
  if (entry == nullptr) {
    std::string available;
    for (const std::string& candidate : names(kind)) {
      available += (available.empty() ? "" : ", ") + candidate;
    }
    throw Error("unknown " + std::string(to_string(kind)) + " type '" + name +
                "'; available: " + (available.empty() ? "(none found on the plugin path)" : available));
  }
  try {
    return entry->factory(params);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    throw Error(std::string(to_string(kind)) + "/" + name + " (" + entry->library +
                ") failed to construct: " + error.what());
  }
}

}  // namespace sparsepath
