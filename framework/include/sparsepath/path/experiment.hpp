// Running an experiment: RunSpec -> components (checked against each other before any data is
// read) -> data -> PathSolver -> outputs written into a staging folder and renamed into place.
#pragma once

#include "sparsepath/config/run_spec.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/path/path_solver.hpp"
#include "sparsepath/plugin/plugin_manager.hpp"

#include <atomic>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sparsepath {

// Schemas of the framework-owned sections, in documentation order:
// experiment, data, path, screening, output.
const std::vector<Schema>& framework_schemas();
// Roles of plugin-backed sections: design, loss, penalty, optimizer (+ lp, reserved).
const std::vector<std::string>& component_roles();

struct FitOptions {
  std::optional<std::filesystem::path> output_directory;  // --out
  std::vector<std::filesystem::path> plugin_paths;        // --plugin-path
  bool overwrite = false;
  const std::atomic<bool>* interrupt = nullptr;
  ProgressCallback progress;
  std::ostream* warnings = nullptr;  // where warnings go (stderr by default in the driver)
  // Fit on these data rows only (0-based, in the order given; cross-validation folds). Row
  // numbers refer to the data file, before rows with weight 0 are left out.
  std::optional<std::vector<Index>> rows;
  // Continue the interrupted run in this folder (its checkpoint.json and path.json) instead of
  // starting the path over; the experiment and data must be those of that run.
  std::optional<std::filesystem::path> resume_directory;
};

struct FitOutcome {
  PathResult result;
  RunInfo info;
  std::filesystem::path output_directory;
};

// Loads the plugins an experiment asks for ([experiment] plugin_path / plugins) on top of the
// default directories.
void load_plugins(const RunSpec& spec, PluginManager& plugins,
                  const std::vector<std::filesystem::path>& extra_paths);

// Checks every section and composes the components, without reading data. Throws Error.
void check_experiment(const RunSpec& spec, const PluginManager& plugins);

FitOutcome run_fit(const RunSpec& spec, PluginManager& plugins, const FitOptions& options);

// The data an experiment's [data] section names, as read (unscaled), with its sample weights
// (ones when none are given; rows of weight 0 are still there). Throws Error naming the file.
struct ExperimentData {
  DataSet data;
  Vector weights;
  std::filesystem::path file;
};
ExperimentData load_experiment_data(const RunSpec& spec);

// The component type a role gets: the section's `type`, else the framework's default
// (loss squared, penalty lasso, optimizer cd, design dense or sparse by the data's format).
std::string component_type(const RunSpec& spec, const std::string& role);
// The plugin kind of a component role (design, loss, penalty, optimizer, lp); none otherwise.
std::optional<ComponentKind> kind_of_role(const std::string& role);

}  // namespace sparsepath
