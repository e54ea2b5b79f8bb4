// The host-owned registry into which plugins register their components explicitly.
#pragma once

#include "sparsepath/core/interfaces.hpp"
#include "sparsepath/core/schema.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sparsepath {

using AnyFactory = std::function<std::unique_ptr<Component>(const Params&)>;

struct RegistryEntry {
  ComponentKind kind = ComponentKind::loss;
  std::string name;
  Schema schema;
  AnyFactory factory;   // compiled inside the plugin: objects are created and destroyed there
  std::string library;  // file the entry came from
  std::string plugin;   // plugin name
};

class SPARSEPATH_INTERFACE Registry {
 public:
  // Registers a component. Throws Error when the key is already taken (naming both libraries).
  template <class Interface, class Concrete>
  void add(const std::string& name, Schema schema) {
    add_entry(Interface::kind, name, std::move(schema), [](const Params& params) {
      return std::unique_ptr<Component>(new Concrete(params));
    });
  }
  void add_entry(ComponentKind kind, const std::string& name, Schema schema, AnyFactory factory);

  const RegistryEntry* find(ComponentKind kind, const std::string& name) const;
  std::vector<const RegistryEntry*> entries(ComponentKind kind) const;
  std::vector<const RegistryEntry*> all() const;
  std::vector<std::string> names(ComponentKind kind) const;

  // Set by the plugin loader while a library registers.
  void set_current_library(std::string library, std::string plugin);

  template <class Interface>
  std::unique_ptr<Interface> create(const std::string& name, const Params& params) const {
    std::unique_ptr<Component> made = create_any(Interface::kind, name, params);
    auto* typed = dynamic_cast<Interface*>(made.get());
    if (typed == nullptr) throw Error(std::string(to_string(Interface::kind)) + " '" + name +
                                      "' does not implement the expected interface");
    made.release();
    return std::unique_ptr<Interface>(typed);
  }

 private:
  std::unique_ptr<Component> create_any(ComponentKind kind, const std::string& name,
                                        const Params& params) const;
  std::map<std::pair<ComponentKind, std::string>, RegistryEntry> entries_;
  std::string current_library_ = "(host)";
  std::string current_plugin_ = "(host)";
};

}  // namespace sparsepath
