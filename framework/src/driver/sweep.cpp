#include "sweep.hpp"

#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/experiment.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#ifdef SPARSEPATH_WITH_MPI
#include <mpi.h>
#endif

extern char** environ;

namespace sparsepath {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

// A folder name from the item's number and values: readable, and safe on any filesystem.
std::string folder_name(Index number, const std::vector<SweepAxis>& axes, const std::vector<std::string>& values) {
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%03lld", static_cast<long long>(number + 1));
  std::string name = prefix;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    name += "_" + axes[a].name() + "=" + values[a];
  }
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '=' || c == '-';
    if (!plain) c = '_';
  }
  return name.size() > 120 ? name.substr(0, 120) : name;
}

struct Item {
  Index number = 0;
  std::vector<std::string> values;  // one per axis
  std::string folder;
  std::vector<std::string> sets, unsets;
  std::string invalid;  // why the item cannot run (composition refused), else empty
  std::string notes;    // keys left out because the swept type has no such key
};

struct Process {
  pid_t pid = -1;
  std::size_t item = 0;
};

std::string seconds_text(double seconds) {
  const long long total = static_cast<long long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof(text), "%02lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
  return text;
}

// The summary row of a finished item, read from its folder (cv items: the full-data fit).
std::string summary_row(const Item& item, const std::string& status, const fs::path& folder, bool cv) {
  std::ostringstream row;
  row << item.number + 1 << "," << csv_cell(item.folder);
  for (const std::string& value : item.values) row << "," << csv_cell(value);
  std::string fit_seconds, points, certified, stop_reason, passes, nonzeros, cv_measure, cv_best;
  if (status == "ok") {
    try {
      const fs::path fit = cv ? folder / "full" : folder;
      pt::ptree manifest, path;
      pt::read_json((fit / "manifest.json").string(), manifest);
      pt::read_json((fit / "path.json").string(), path);
      fit_seconds = manifest.get<std::string>("fit_seconds");
      points = manifest.get<std::string>("points");
      certified = manifest.get<std::string>("converged_points");
      stop_reason = manifest.get<std::string>("stop_reason");
      long long total_passes = 0;
      for (const auto& point : path.get_child("points")) {
        total_passes += point.second.get<long long>("passes", 0);
        nonzeros += (nonzeros.empty() ? "" : ";") + std::to_string(point.second.get_child("coefficients").size());
      }
      passes = std::to_string(total_passes);
      if (cv) {
        pt::ptree summary;
        pt::read_json((folder / "cv.json").string(), summary);
        cv_measure = summary.get<std::string>("measure");
        const std::size_t index = summary.get<std::size_t>("index_min");
        std::size_t k = 0;
        for (const auto& value : summary.get_child("curves." + cv_measure + ".mean")) {
          if (k++ == index) cv_best = value.second.data();
        }
      }
    } catch (const std::exception& failure) {
      row << ",error: cannot read the results: " << csv_cell(failure.what()) << ",,,,,,,,," << csv_cell(item.notes);
      return row.str();
    }
  }
  row << "," << csv_cell(status) << "," << fit_seconds << "," << points << "," << certified << "," << csv_cell(stop_reason)
      << "," << passes << "," << nonzeros << "," << cv_measure << "," << cv_best << "," << csv_cell(item.notes);
  return row.str();
}

// The last non-empty line of a log file (a child's error message).
std::string last_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!trim(line).empty()) last = std::string(trim(line));
  }
  return last;
}

struct Parallel {
  int rank = 0, size = 1;
};

Parallel parallel_context() {
  Parallel context;
#ifdef SPARSEPATH_WITH_MPI
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) {
    MPI_Comm_rank(MPI_COMM_WORLD, &context.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &context.size);
  }
#endif
  return context;
}

void barrier(const Parallel& context) {
#ifdef SPARSEPATH_WITH_MPI
  if (context.size > 1) MPI_Barrier(MPI_COMM_WORLD);
#else
  (void)context;
#endif
}

// Rank 0 receives every rank's text (in rank order); other ranks get an empty list.
std::vector<std::string> gather_text(const Parallel& context, const std::string& mine) {
  if (context.size == 1) return {mine};
#ifdef SPARSEPATH_WITH_MPI
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(context.size), 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(context.size), 0);
  int total = 0;
  for (int r = 0; r < context.size; ++r) offsets[static_cast<std::size_t>(r)] = total, total += lengths[static_cast<std::size_t>(r)];
  std::string all(static_cast<std::size_t>(context.rank == 0 ? total : 0), '\0');
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> parts;
  if (context.rank == 0) {
    for (int r = 0; r < context.size; ++r) {
      parts.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]), static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
    }
  }
  return parts;
#else
  return {mine};
#endif
}

int broadcast_code(const Parallel& context, int code) {
#ifdef SPARSEPATH_WITH_MPI
  if (context.size > 1) MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
  (void)context;
#endif
  return code;
}

}  // namespace

SweepAxis parse_sweep_axis(const std::string& text, const std::string& origin) {
  const std::size_t equals = text.find('=');
  const std::size_t dot = text.find('.');
  if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 || dot + 1 == equals) {
    throw Error(origin + ": '" + text + "' is malformed; expected role.key=v1,v2,...");
  }
  SweepAxis axis;
  axis.role = std::string(trim(text.substr(0, dot)));
  axis.key = std::string(trim(text.substr(dot + 1, equals - dot - 1)));
  const std::string list = text.substr(equals + 1);
  const char separator = list.find(';') != std::string::npos ? ';' : ',';
  std::stringstream cells(list);
  for (std::string value; std::getline(cells, value, separator);) {
    value = std::string(trim(value));
    if (value.empty()) throw Error(origin + ": '" + text + "' has an empty value; expected role.key=v1,v2,...");
    axis.values.push_back(value);
  }
  if (axis.values.empty()) throw Error(origin + ": '" + text + "' lists no values");
  return axis;
}

int run_sweep(RunSpec spec, PluginManager& plugins, const SweepOptions& options) {
  const Parallel context = parallel_context();
  std::vector<SweepAxis> axes = options.axes;
  if (const SectionSpec* section = spec.find("sweep")) {
    for (const auto& [key, value] : section->values) {
      const auto where = section->locations.find(key);
      axes.push_back(parse_sweep_axis(key + "=" + value, where != section->locations.end() ? where->second.describe() : spec.file.string()));
    }
  }
  spec.sections.erase(std::remove_if(spec.sections.begin(), spec.sections.end(),
                                     [](const SectionSpec& section) { return section.role == "sweep"; }),
                      spec.sections.end());
  if (axes.empty()) throw Error("nothing to sweep: give --sweep role.key=v1,v2 or a [sweep] section");
  std::vector<std::string> roles;
  for (const Schema& schema : framework_schemas()) roles.push_back(schema.name());
  for (const std::string& role : component_roles()) roles.push_back(role);
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (std::find(roles.begin(), roles.end(), axes[a].role) == roles.end()) {
      const std::string suggestion = closest_match(axes[a].role, roles);
      throw Error("--sweep " + axes[a].name() + ": unknown section [" + axes[a].role + "]" +
                  (suggestion.empty() ? "" : " (did you mean [" + suggestion + "]?)"));
    }
    for (std::size_t b = 0; b < a; ++b) {
      if (axes[b].name() == axes[a].name()) throw Error("--sweep " + axes[a].name() + " is given twice");
    }
  }
  for (const std::string& assignment : options.sets) apply_override(spec, assignment);
  for (const std::string& name : options.unsets) remove_key(spec, name);

  // The items: the cartesian product, the first axis varying slowest.
  std::vector<Item> items;
  Index count = 1;
  for (const SweepAxis& axis : axes) count *= static_cast<Index>(axis.values.size());
  if (count > 100000) throw Error("the sweep has " + std::to_string(count) + " items; expected at most 100000");
  const std::vector<std::string> component_role_list = component_roles();
  for (Index number = 0; number < count; ++number) {
    Item item;
    item.number = number;
    Index rest = number;
    item.values.resize(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      const Index size = static_cast<Index>(axes[a].values.size());
      item.values[a] = axes[a].values[static_cast<std::size_t>(rest % size)];
      rest /= size;
    }
    item.folder = folder_name(number, axes, item.values);
    RunSpec item_spec = spec;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      item.sets.push_back(axes[a].name() + "=" + item.values[a]);
      apply_override(item_spec, item.sets.back());
    }
    // Keys of the base experiment that the item's component type does not have (a lasso item of
    // a sweep whose base sets the group lasso's groups) are left out for that item, and noted.
    for (const std::string& role : component_role_list) {
      SectionSpec* section = item_spec.find(role);
      if (section == nullptr) continue;
      const auto kind = kind_of_role(role);
      if (!kind) continue;
      const RegistryEntry* entry = plugins.registry().find(*kind, component_type(item_spec, role));
      if (entry == nullptr) continue;  // the composition check below names it
      std::vector<std::string> drop;
      for (const auto& [key, value] : section->values) {
        if (key == "type") continue;
        bool swept = false;
        for (const SweepAxis& axis : axes) swept |= axis.role == role && axis.key == key;
        bool known = false;
        for (const KeySpec& spec_key : entry->schema.keys()) known |= spec_key.key == key;
        if (!known && !swept) drop.push_back(key);
      }
      for (const std::string& key : drop) {
        item.unsets.push_back(role + "." + key);
        remove_key(item_spec, role + "." + key);
        item.notes += (item.notes.empty() ? "left out: " : ", ") + role + "." + key;
      }
    }
    try {
      check_experiment(item_spec, plugins);
    } catch (const Error& failure) {
      item.invalid = failure.what();
    }
    items.push_back(std::move(item));
  }
  const Index valid = static_cast<Index>(std::count_if(items.begin(), items.end(), [](const Item& item) { return item.invalid.empty(); }));
  if (valid == 0) throw Error("no item of the sweep can run; the first: " + items.front().invalid);

  // Output: refuse an existing folder unless overwrite; everything is staged, then renamed.
  const fs::path output = fs::absolute(options.output_directory).lexically_normal();
  std::error_code error;
  if (fs::exists(output, error) && !options.overwrite) {
    throw Error("output folder '" + output.string() + "' exists; pass --overwrite to replace it");
  }
  const fs::path staging = output.parent_path() / ("." + output.filename().string() + ".partial");
  if (context.rank == 0) {
    fs::remove_all(staging, error);
    fs::create_directories(staging / "logs", error);
    if (error) throw Error("cannot create output folder '" + output.string() + "': " + error.message());
  }
  barrier(context);

  // This rank's items, as child processes, `jobs` at a time.
  const fs::path executable = fs::read_symlink("/proc/self/exe");
  const fs::path experiment = fs::absolute(options.experiment);
  int jobs = options.jobs > 0 ? options.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / context.size);
  std::vector<std::size_t> mine;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (items[k].invalid.empty() && static_cast<int>(k % static_cast<std::size_t>(context.size)) == context.rank) mine.push_back(k);
  }
  std::map<std::size_t, std::string> status;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (!items[k].invalid.empty()) status[k] = "invalid: " + items[k].invalid;
  }
  const bool terminal = isatty(STDERR_FILENO) != 0 && context.size == 1;
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0, next = 0;
  std::vector<Process> running;
  auto report = [&](const Item& item, const std::string& outcome) {
    if (options.quiet) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(mine.size() - done) : 0.0;
    if (terminal) {
      const int width = 30;
      const int filled = static_cast<int>(width * done / std::max<std::size_t>(mine.size(), 1));
      std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#') << std::string(static_cast<std::size_t>(width - filled), '.')
                << "] " << done << "/" << mine.size() << " items  elapsed " << seconds_text(elapsed) << "  ETA "
                << seconds_text(eta) << "   " << std::flush;
      if (done == mine.size()) std::cerr << "\n";
    } else {
      std::cerr << "sweep" << (context.size > 1 ? " rank " + std::to_string(context.rank) : std::string()) << ": " << done
                << "/" << mine.size() << " " << item.folder << " " << outcome << " (elapsed " << seconds_text(elapsed)
                << ", ETA " << seconds_text(eta) << ")" << std::endl;
    }
  };
  bool interrupted = false;
  while (done < mine.size()) {
    while (!interrupted && next < mine.size() && static_cast<int>(running.size()) < jobs) {
      const Item& item = items[mine[next]];
      std::vector<std::string> arguments{executable.string(), options.cv_folds > 0 ? "cv" : "fit", experiment.string()};
      if (options.cv_folds > 0) {
        arguments.insert(arguments.end(), {"--folds", std::to_string(options.cv_folds), "--seed", std::to_string(options.cv_seed)});
      }
      for (const std::string& assignment : options.sets) arguments.insert(arguments.end(), {"--set", assignment});
      for (const std::string& name : options.unsets) arguments.insert(arguments.end(), {"--unset", name});
      for (const std::string& assignment : item.sets) arguments.insert(arguments.end(), {"--set", assignment});
      for (const std::string& name : item.unsets) arguments.insert(arguments.end(), {"--unset", name});
      for (const std::string& path : options.plugin_paths) arguments.insert(arguments.end(), {"--plugin-path", path});
      arguments.insert(arguments.end(), {"--out", (staging / item.folder).string(), "--quiet"});
      std::vector<char*> argv;
      for (std::string& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      const std::string log = (staging / "logs" / (item.folder + ".log")).string();
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
      pid_t pid = -1;
      const int failed = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      if (failed != 0) throw Error("cannot start '" + executable.string() + "' for sweep item " + item.folder);
      running.push_back({pid, mine[next]});
      ++next;
    }
    if (running.empty()) break;  // interrupted with nothing left running
    int wait_status = 0;
    const pid_t finished = ::waitpid(-1, &wait_status, 0);
    if (finished < 0) {
      if (errno == EINTR) continue;
      throw Error("waiting for sweep items failed");
    }
    auto it = std::find_if(running.begin(), running.end(), [&](const Process& process) { return process.pid == finished; });
    if (it == running.end()) continue;
    const std::size_t index = it->item;
    running.erase(it);
    const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
    const fs::path log = staging / "logs" / (items[index].folder + ".log");
    if (code == 0) status[index] = "ok";
    else if (code == 130) status[index] = "interrupted";
    else status[index] = "error (exit " + std::to_string(code) + "): " + last_line(log);
    ++done;
    report(items[index], status[index] == "ok" ? "ok" : "failed");
    if (options.interrupt && options.interrupt->load()) interrupted = true;
  }

  // Summary rows of this rank's items, gathered on rank 0 in item order.
  std::ostringstream rows;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const bool own = std::find(mine.begin(), mine.end(), k) != mine.end();
    const bool listed_here = own || (!items[k].invalid.empty() && context.rank == 0);
    if (!listed_here) continue;
    const std::string item_status = status.count(k) ? status[k] : "not run (interrupted)";
    const char* kind = item_status == "ok" ? "ok"
                       : !items[k].invalid.empty() ? "invalid"
                       : (status.count(k) == 0 || item_status == "interrupted") ? "not_run"
                                                                                : "failed";
    rows << items[k].number << "\t" << kind << "\t"
         << summary_row(items[k], item_status, staging / items[k].folder, options.cv_folds > 0) << "\n";
  }
  const std::vector<std::string> parts = gather_text(context, rows.str());
  int code = 0;
  if (context.rank == 0) {
    std::map<Index, std::string> ordered;
    Index failures = 0, not_run = 0;
    for (const std::string& part : parts) {
      std::stringstream lines(part);
      for (std::string line; std::getline(lines, line);) {
        const std::size_t tab = line.find('\t'), second = line.find('\t', tab + 1);
        const std::string kind = line.substr(tab + 1, second - tab - 1);
        failures += kind == "failed";
        not_run += kind == "not_run";
        ordered[std::stoll(line.substr(0, tab))] = line.substr(second + 1);
      }
    }
    std::ostringstream csv;
    csv << "item,folder";
    for (const SweepAxis& axis : axes) csv << "," << axis.name();
    csv << ",status,fit_seconds,points,certified_points,stop_reason,passes,nonzeros,cv_measure,cv_best,notes\n";
    for (const auto& [number, line] : ordered) csv << line << "\n";
    write_file_atomically(staging / "sweep.csv", csv.str());
    if (fs::exists(output, error)) fs::remove_all(output, error);
    fs::rename(staging, output, error);
    if (error) throw Error("cannot move results into '" + output.string() + "': " + error.message());
    code = not_run > 0 ? 130 : (failures > 0 ? 1 : 0);
    if (!options.quiet) {
      std::cout << ordered.size() << " items (" << valid << " valid, " << failures << " failed";
      if (not_run > 0) std::cout << ", " << not_run << " not run";
      std::cout << "); summary: " << (output / "sweep.csv").string() << "\n";
    }
  }
  return broadcast_code(context, code);
}

}  // namespace sparsepath
