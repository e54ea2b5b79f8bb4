// `sparsepath sweep`: every combination of the swept values (an ablation grid) fitted into its own
// folder, plus one sweep.csv summary. Items run as child processes of the driver (`fit` or `cv`
// with --set / --unset), several at a time, and, in an MPI build started by mpirun, spread over
// the ranks; rank 0 gathers the summary.
#pragma once

#include "sparsepath/config/run_spec.hpp"
#include "sparsepath/plugin/plugin_manager.hpp"

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace sparsepath {

struct SweepAxis {
  std::string role, key;
  std::vector<std::string> values;
  std::string name() const { return role + "." + key; }
};

// "role.key=v1,v2,..." (";" separates instead when the values themselves hold commas). Throws Error.
SweepAxis parse_sweep_axis(const std::string& text, const std::string& origin);

struct SweepOptions {
  std::vector<SweepAxis> axes;                 // --sweep, then the [sweep] section's keys
  std::filesystem::path experiment;            // as given on the command line
  std::vector<std::string> sets, unsets;       // the command line's own --set / --unset
  std::vector<std::string> plugin_paths;
  std::filesystem::path output_directory;
  bool overwrite = false;
  int jobs = 0;                                // concurrent items per process (0: the cores)
  long long cv_folds = 0;                      // > 0: each item is `cv --folds K --seed S`
  unsigned long long cv_seed = 1;
  bool quiet = false;
  const std::atomic<bool>* interrupt = nullptr;
};

// Runs the sweep; returns the process exit code (0 when every valid item ran; 1 when some failed;
// 130 when interrupted). Throws Error for a bad sweep (no axes, unknown keys, existing folder).
int run_sweep(RunSpec spec, PluginManager& plugins, const SweepOptions& options);

}  // namespace sparsepath
