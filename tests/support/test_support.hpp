// Shared helpers for the test suites: the build's plugins, random problems, file helpers.
#pragma once

#include "sparsepath/core/registry.hpp"
#include "sparsepath/path/path_solver.hpp"
#include "sparsepath/plugin/plugin_manager.hpp"

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sparsepath::testing {

// The plugin manager with every plugin of this build loaded (one per process).
PluginManager& plugins();

// Paths inside the source and build trees.
std::filesystem::path source_path(const std::string& relative);
std::filesystem::path binary_path(const std::string& relative);
std::filesystem::path driver_path();

// A fresh, empty temporary folder removed when the object dies.
struct TemporaryFolder {
  TemporaryFolder();
  ~TemporaryFolder();
  std::filesystem::path path;
  std::filesystem::path write(const std::string& name, const std::string& content) const;
};

// Runs a command through the shell; returns the exit code and captures stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_command(const std::string& command);
// A path quoted for the shell ('...' with embedded quotes escaped).
std::string quoted(const std::filesystem::path& path);

// Creates a component with its schema defaults overridden by `values` (key -> text).
template <class Interface>
std::unique_ptr<Interface> make_component(const std::string& type,
                                          const std::vector<std::pair<std::string, std::string>>& values = {});

// A standardized-looking random problem owned in one place.
struct RandomProblem {
  RandomProblem(Index n, Index p, unsigned seed, bool logistic, double correlation = 0.0);
  Matrix x;
  Vector y;
  Vector v;
  std::vector<std::string> names;
  Standardization standardization;
};

// A penalty plugin bound to the problem's features (its scales, names and constant columns).
std::unique_ptr<Penalty> bound_penalty(const RandomProblem& data, const std::string& type,
                                       const std::vector<std::pair<std::string, std::string>>& values = {});

// Binds a dense design to x and returns it.
std::unique_ptr<Design> dense_design(const Matrix& x, const std::vector<std::string>& names);

}  // namespace sparsepath::testing
