#include "sparsepath/path/experiment.hpp"
#include "sparsepath/path/model.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include "sparsepath/core/blas.hpp"
#include "sparsepath/core/memory.hpp"
#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/io/text_output.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include "sparsepath_git_commit.hpp"  // generated at build time: SPARSEPATH_GIT_COMMIT

namespace sparsepath {

namespace fs = std::filesystem;

const std::vector<Schema>& framework_schemas() {
  static const std::vector<Schema> schemas = [] {
    std::vector<Schema> list;
    list.push_back(
        Schema("experiment", "What the run is called and where its plugins come from")
            .text("name", "experiment", "name of the run (default output folder results/<name>)")
            .integer("seed", 0, "random seed recorded in the manifest (for stochastic components)",
                     at_least(0))
            .text_list("plugin_path", std::nullopt,
                       "extra folders to scan for plugin libraries (relative to the config file)")
            .text_list("plugins", std::nullopt,
                       "plugin library files to load explicitly (relative to the config file)")
            .integer("threads", 1,
                     "threads for full gradient passes on dense designs (columns split across "
                     "them); results are bit-identical whatever this value",
                     closed(1, 1024)));
    list.push_back(
        Schema("data", "The training data")
            .choice("type", "csv", {"csv", "libsvm", "matrix_market"}, "file format")
            .path("file", std::nullopt, "data file (relative to the config file)")
            .required()
            .text("target", "y", "CSV: name of the target column")
            .path("target_file", std::nullopt, "Matrix Market: file with one target value per row")
            .path("weights", std::nullopt,
                  "file with one nonnegative sample weight per data row (rows with weight 0 are "
                  "dropped); normalised to sum to 1 like glmnet")
            .boolean("standardize", true,
                     "scale features to unit (weighted, 1/n) variance; coefficients are always "
                     "reported on the original scale")
            .boolean("intercept", true, "fit an unpenalized intercept")
            .integer("n_features", 0, "LIBSVM: number of features (0: the largest index seen)",
                     at_least(0)));
    list.push_back(
        Schema("path", "The regularization path and its stopping rules")
            .integer("n_lambda", 100, "number of lambdas on the geometric grid", at_least(1))
            .real("lambda_min_ratio", std::nullopt,
                  "smallest lambda / lambda_max (default: 1e-4 if n > p else 1e-2, as glmnet)",
                  Range{0.0, 1.0, true, true})
            .path("lambda_file", std::nullopt,
                  "file with one lambda per line, used as given (sorted decreasing); overrides "
                  "n_lambda")
            .real("tolerance", 1e-7,
                  "duality-gap tolerance relative to the null objective (every point is certified "
                  "against it)",
                  Range{0.0, 1.0, true, true})
            .integer("max_nonzeros", std::nullopt,
                     "stop once this many coefficients are nonzero; 0: no limit (unset: the "
                     "penalty's default, none except strong_hierarchy's 500)",
                     at_least(0))
            .real("min_deviance_change", 1e-5,
                  "stop when the deviance ratio improves by less than this fraction (glmnet's "
                  "fdev; 0 disables)",
                  at_least(0.0))
            .real("max_deviance_ratio", 0.999,
                  "stop when the deviance ratio exceeds this (glmnet's devmax; 1 disables)",
                  open_closed(0.0, 1.0))
            .real("time_budget", std::nullopt, "stop the path after this many seconds",
                  greater_than(0.0))
            .integer("max_passes", 100000, "coordinate passes allowed per lambda", at_least(1))
            .choice("gram", "auto", {"auto", "always", "never"},
                    "covariance mode for the squared loss on dense designs with n >= p: X^T X is "
                    "built once with BLAS-3 and the whole path runs in p x p space (auto: when "
                    "p <= 8000)")
            .boolean("bounded_correlations", true,
                     "full gradient checks recompute only the correlations that a bound from the "
                     "last exact pass cannot certify inside the zero subdifferential (separable "
                     "penalties; certificates are unchanged)")
            .boolean("extrapolate_warm_start", true,
                     "start each lambda from the line through the two previous solutions (in "
                     "lambda; signs kept, features that left stay at zero) when that lowers the "
                     "objective: exact for a least-squares lasso whose support does not change"));
    list.push_back(Schema("screening", "Feature screening rules")
                       .text_list("rules", "strong_rule, gap_safe",
                                  "screening rules to apply (names of screening plugins), or "
                                  "none. Unsafe rules are always followed by a KKT re-check"));
    list.push_back(Schema("output", "Where and how results are written")
                       .path("directory", std::nullopt,
                             "output folder (default: results/<experiment name> under the current "
                             "folder; --out overrides)")
                       .text_list("writers", "csv, json", "writer plugins to run"));
    return list;
  }();
  return schemas;
}

const std::vector<std::string>& component_roles() {
  static const std::vector<std::string> roles = {"design", "loss", "penalty", "optimizer", "lp"};
  return roles;
}

namespace {

const Schema& framework_schema(const std::string& role) {
  for (const Schema& schema : framework_schemas()) {
    if (schema.name() == role) return schema;
  }
  throw Error("internal: no framework schema for '" + role + "'");
}


std::string default_type(const std::string& role, const RunSpec& spec) {
  if (role == "loss") return "squared";
  if (role == "penalty") return "lasso";
  if (role == "optimizer") return "cd";
  if (role == "design") {
    const SectionSpec* data = spec.find("data");
    auto type = data ? data->values.find("type") : std::map<std::string, std::string>::const_iterator();
    const bool sparse = data && type != data->values.end() && type->second != "csv";
    return sparse ? "sparse" : "dense";
  }
  return "";
}

void check_sections(const RunSpec& spec) {
  std::vector<std::string> known;
  for (const Schema& schema : framework_schemas()) known.push_back(schema.name());
  for (const std::string& role : component_roles()) known.push_back(role);
  for (const SectionSpec& section : spec.sections) {
    if (section.role == "sweep") continue;  // read by `sparsepath sweep` only
    if (std::find(known.begin(), known.end(), section.role) == known.end()) {
      std::string suggestion = closest_match(section.role, known);
      std::string list;
      for (const std::string& role : known) list += (list.empty() ? "" : ", ") + role;
      throw Error(section.location.describe() + ": unknown section [" + section.role + "]" +
                  (suggestion.empty() ? "" : " (did you mean [" + suggestion + "]?)") +
                  "; valid sections: " + list);
    }
  }
  if (spec.find("data") == nullptr) {
    throw Error(spec.file.string() + ": the experiment has no [data] section; expected at least "
                "[data] with file = ...");
  }
}

Params framework_params(const RunSpec& spec, const std::string& role) {
  const SectionSpec* section = spec.find(role);
  SectionSpec empty;
  empty.role = role;
  empty.location = {spec.file.string(), 0};
  return validate_params(framework_schema(role), section ? *section : empty, spec.base_directory, {});
}

struct ComponentChoice {
  std::string role;
  std::string type;
  const RegistryEntry* entry = nullptr;
  Params params;
};

ComponentChoice choose(const RunSpec& spec, const PluginManager& plugins, const std::string& role,
                       ComponentKind kind) {
  ComponentChoice choice;
  choice.role = role;
  const SectionSpec* section = spec.find(role);
  SectionSpec empty;
  empty.role = role;
  empty.location = {spec.file.string(), 0};
  if (section != nullptr) {
    auto type = section->values.find("type");
    choice.type = type != section->values.end() ? type->second : default_type(role, spec);
  } else {
    choice.type = default_type(role, spec);
  }
  choice.entry = plugins.registry().find(kind, choice.type);
  if (choice.entry == nullptr) {
    std::vector<std::string> available = plugins.registry().names(kind);
    std::string list;
    for (const std::string& name : available) list += (list.empty() ? "" : ", ") + name;
    std::string suggestion = closest_match(choice.type, available);
    std::string where = section ? (section->locations.count("type") ? section->locations.at("type").describe()
                                                                     : section->location.describe())
                                : spec.file.string();
    throw Error(where + ": unknown " + std::string(to_string(kind)) + " type '" + choice.type + "'" +
                (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                "; available: " + (list.empty() ? "(none found on the plugin path)" : list));
  }
  choice.params = validate_params(choice.entry->schema, section ? *section : empty, spec.base_directory);
  return choice;
}

struct Composition {
  ComponentChoice design, loss, penalty, optimizer;
  std::optional<ComponentChoice> lp;  // [lp]: an LP backend, handed to the penalty
  bool default_rules = true;          // [screening] rules not given: the defaults, where they fit
  std::vector<ComponentChoice> rules;
  std::vector<ComponentChoice> writers;
};

Composition compose(const RunSpec& spec, const PluginManager& plugins) {
  check_sections(spec);
  for (const Schema& schema : framework_schemas()) framework_params(spec, schema.name());
  Composition composition;
  composition.design = choose(spec, plugins, "design", ComponentKind::design);
  composition.loss = choose(spec, plugins, "loss", ComponentKind::loss);
  composition.penalty = choose(spec, plugins, "penalty", ComponentKind::penalty);
  composition.optimizer = choose(spec, plugins, "optimizer", ComponentKind::optimizer);
  if (spec.find("lp") != nullptr) composition.lp = choose(spec, plugins, "lp", ComponentKind::lp_backend);
  Params screening = framework_params(spec, "screening");
  const SectionSpec* screening_section = spec.find("screening");
  composition.default_rules = screening_section == nullptr || screening_section->values.count("rules") == 0;
  for (const std::string& name : screening.text_list("rules")) {
    if (name == "none") continue;
    const RegistryEntry* entry = plugins.registry().find(ComponentKind::screening, name);
    if (entry == nullptr) {
      std::vector<std::string> available = plugins.registry().names(ComponentKind::screening);
      std::string list;
      for (const std::string& item : available) list += (list.empty() ? "" : ", ") + item;
      std::string suggestion = closest_match(name, available);
      throw Error("screening.rules: unknown screening rule '" + name + "'" +
                  (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                  "; available: " + list + ", none");
    }
    composition.rules.push_back({"screening", name, entry, Params("screening")});
  }
  Params output = framework_params(spec, "output");
  for (const std::string& name : output.text_list("writers")) {
    const RegistryEntry* entry = plugins.registry().find(ComponentKind::writer, name);
    if (entry == nullptr) {
      std::string list;
      for (const std::string& item : plugins.registry().names(ComponentKind::writer)) {
        list += (list.empty() ? "" : ", ") + item;
      }
      throw Error("output.writers: unknown writer '" + name + "'; available: " + list);
    }
    composition.writers.push_back({"output", name, entry, Params("output")});
  }
  return composition;
}

// Every framework -> plugin call goes through here: whatever a plugin throws becomes an Error
// owned by the host that names the component.
template <class Function>
auto guarded(const std::string& who, Function&& function) -> decltype(function()) {
  try {
    return function();
  } catch (const Error& failure) {
    throw Error(who + ": " + failure.what());
  } catch (const std::exception& failure) {
    throw Error(who + " failed: " + failure.what());
  } catch (...) {
    throw Error(who + " failed with an unknown exception");
  }
}

// The components of a composition, created by their plugins (options validated by the
// constructors). Destroyed before the plugin libraries (the PluginManager outlives the run).
struct Instances {
  std::unique_ptr<Design> design;
  std::unique_ptr<Loss> loss;
  std::unique_ptr<Penalty> penalty;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<LpBackend> lp;
  std::vector<std::unique_ptr<ScreeningRule>> rule_objects;
  std::vector<const ScreeningRule*> rules;
  std::vector<std::unique_ptr<Writer>> writers;
};

Instances instantiate(const Composition& parts, const Registry& registry) {
  Instances made;
  made.design = registry.create<Design>(parts.design.type, parts.design.params);
  made.loss = registry.create<Loss>(parts.loss.type, parts.loss.params);
  made.penalty = registry.create<Penalty>(parts.penalty.type, parts.penalty.params);
  made.optimizer = registry.create<Optimizer>(parts.optimizer.type, parts.optimizer.params);
  if (parts.lp) made.lp = registry.create<LpBackend>(parts.lp->type, parts.lp->params);
  for (const ComponentChoice& rule : parts.rules) {
    made.rule_objects.push_back(registry.create<ScreeningRule>(rule.type, rule.params));
    made.rules.push_back(made.rule_objects.back().get());
  }
  for (const ComponentChoice& writer : parts.writers) {
    made.writers.push_back(registry.create<Writer>(writer.type, writer.params));
  }
  return made;
}

// Optimizers (in their default configuration) that accept this penalty and loss, for messages.
std::string fitting_optimizers(const Registry& registry, Capability penalty, Capability loss) {
  std::string list;
  for (const std::string& name : registry.names(ComponentKind::optimizer)) {
    try {
      const RegistryEntry* entry = registry.find(ComponentKind::optimizer, name);
      const auto optimizer = registry.create<Optimizer>(name, validate_params(entry->schema, SectionSpec{}, {}));
      if (has_all(penalty, optimizer->required_penalty_capabilities()) && has_all(loss, optimizer->required_loss_capabilities())) {
        list += (list.empty() ? "" : ", ") + name;
      }
    } catch (...) {
      // An optimizer that cannot be made with its defaults is simply not suggested.
    }
  }
  return list;
}

void check_capabilities(const Composition& parts, const Optimizer& optimizer, const Loss& loss,
                        const Penalty& penalty, const std::vector<const ScreeningRule*>& rules,
                        const Registry& registry) {
  auto capabilities_of = [](const std::string& who, const auto& call) { return guarded(who, call); };
  const std::string optimizer_name = "optimizer '" + parts.optimizer.type + "'";
  const std::string loss_name = "loss '" + parts.loss.type + "'";
  const std::string penalty_name = "penalty '" + parts.penalty.type + "'";
  const Capability loss_offers = capabilities_of(loss_name, [&] { return loss.capabilities(); });
  const Capability penalty_offers = capabilities_of(penalty_name, [&] { return penalty.capabilities(); });
  auto require = [](const std::string& who, Capability needed, const std::string& kind,
                    const std::string& type, Capability offered) {
    if (!has_all(offered, needed)) {
      throw Error(who + " needs " + kind + " capability '" + describe(needed) + "'; " + kind + " '" +
                  type + "' offers '" + describe(offered) + "'");
    }
  };
  const Capability optimizer_penalty = capabilities_of(optimizer_name, [&] { return optimizer.required_penalty_capabilities(); });
  const Capability optimizer_loss = capabilities_of(optimizer_name, [&] { return optimizer.required_loss_capabilities(); });
  if (!has_all(penalty_offers, optimizer_penalty) || !has_all(loss_offers, optimizer_loss)) {
    const std::string fitting = fitting_optimizers(registry, penalty_offers, loss_offers);
    try {
      require(optimizer_name, optimizer_penalty, "penalty", parts.penalty.type, penalty_offers);
      require(optimizer_name, optimizer_loss, "loss", parts.loss.type, loss_offers);
    } catch (const Error& error) {
      throw Error(std::string(error.what()) +
                  (fitting.empty() ? "" : "; optimizers that fit: " + fitting + " ([optimizer] type = ...)"));
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string rule_name = "screening rule '" + parts.rules[i].type + "'";
    require(rule_name, capabilities_of(rule_name, [&] { return rules[i]->required_penalty_capabilities(); }),
            "penalty", parts.penalty.type, penalty_offers);
    require(rule_name, capabilities_of(rule_name, [&] { return rules[i]->required_loss_capabilities(); }),
            "loss", parts.loss.type, loss_offers);
  }
  // The path solver certifies every point with a duality gap.
  require("the path solver's duality-gap certificate", Capability::dual_point, "penalty", parts.penalty.type, penalty_offers);
  if (!has_all(penalty_offers, Capability::own_kkt_check)) {
    require("the path solver's KKT re-check", Capability::zero_subdifferential, "penalty", parts.penalty.type, penalty_offers);
  }
  require("the path solver's duality-gap certificate", Capability::conjugate, "loss", parts.loss.type, loss_offers);
}

std::string machine_description() {
  struct utsname name {};
  if (uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release + " " + name.machine;
}

std::string timestamp_utc() {
  std::time_t now = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buffer;
}

// Removes the staging folder unless the run completed and renamed it.
struct StagingFolder {
  fs::path path;
  bool keep = false;
  ~StagingFolder() {
    if (!keep && !path.empty()) {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  }
};

void require_input_file(const Params& params, const std::string& key) {
  if (!params.has(key)) return;
  std::error_code error;
  const fs::path file = params.text(key);
  if (!fs::exists(file, error)) {
    throw Error(params.role() + "." + key + " = '" + file.string() +
                "': no such file (No such file or directory); expected an existing file");
  }
  if (fs::is_directory(file, error)) {
    throw Error(params.role() + "." + key + " = '" + file.string() + "' is a folder; expected a file");
  }
}


}  // namespace

std::optional<ComponentKind> kind_of_role(const std::string& role) {
  if (role == "design") return ComponentKind::design;
  if (role == "loss") return ComponentKind::loss;
  if (role == "penalty") return ComponentKind::penalty;
  if (role == "optimizer") return ComponentKind::optimizer;
  if (role == "lp") return ComponentKind::lp_backend;
  return std::nullopt;
}

std::string component_type(const RunSpec& spec, const std::string& role) {
  const SectionSpec* section = spec.find(role);
  if (section != nullptr) {
    auto type = section->values.find("type");
    if (type != section->values.end()) return type->second;
  }
  return default_type(role, spec);
}

ExperimentData load_experiment_data(const RunSpec& spec) {
  const Params data_params = framework_params(spec, "data");
  for (const char* key : {"file", "weights", "target_file"}) require_input_file(data_params, key);
  ExperimentData loaded;
  const std::string data_type = data_params.text("type");
  loaded.file = data_params.text("file");
  DataSet& data = loaded.data;
  if (data_type == "csv") {
    data = read_csv(loaded.file, data_params.text("target"));
  } else if (data_type == "libsvm") {
    data = read_libsvm(loaded.file, data_params.integer("n_features"));
  } else {
    if (!data_params.has("target_file")) {
      throw Error("data.target_file is required for Matrix Market data (one target value per row)");
    }
    data = read_matrix_market(loaded.file, data_params.text("target_file"));
  }
  if (data.y.size() != data.rows()) {
    throw Error(loaded.file.string() + ": the target has " + std::to_string(data.y.size()) +
                " values for " + std::to_string(data.rows()) + " rows");
  }
  if (data.cols() == 0) throw Error(loaded.file.string() + ": the data has no feature columns");
  if (data.is_sparse) move_to_huge_pages(data.sparse);  // dense data is read onto them
  loaded.weights = Vector::Ones(data.rows());
  if (data_params.has("weights")) {
    loaded.weights = read_vector_file(data_params.text("weights"), "sample weights", data.rows());
  }
  return loaded;
}

void load_plugins(const RunSpec& spec, PluginManager& plugins, const std::vector<fs::path>& extra_paths) {
  std::vector<fs::path> directories = extra_paths;
  Params experiment = framework_params(spec, "experiment");
  if (experiment.has("plugin_path")) {
    for (const std::string& item : experiment.text_list("plugin_path")) {
      fs::path directory(item);
      if (directory.is_relative()) directory = spec.base_directory / directory;
      std::error_code error;
      if (!fs::is_directory(directory, error)) {
        throw Error("experiment.plugin_path: '" + directory.string() + "' is not a folder");
      }
      directories.push_back(directory);
    }
  }
  for (const fs::path& directory : PluginManager::default_directories()) directories.push_back(directory);
  if (experiment.has("plugins")) {
    for (const std::string& item : experiment.text_list("plugins")) {
      fs::path library(item);
      if (library.is_relative()) library = spec.base_directory / library;
      plugins.load_library(library);
    }
  }
  plugins.load_directories(directories);
}

// Default screening rules (none named in the experiment) that the penalty or the loss cannot
// serve are left out: the defaults suit the separable penalties, and a penalty such as
// strong_hierarchy has its own screening. Rules the experiment names are always checked.
void drop_unfitting_default_rules(Composition& parts, Instances& made) {
  if (!parts.default_rules) return;
  const Capability penalty = guarded("penalty '" + parts.penalty.type + "'", [&] { return made.penalty->capabilities(); });
  const Capability loss = guarded("loss '" + parts.loss.type + "'", [&] { return made.loss->capabilities(); });
  std::vector<ComponentChoice> kept_choices;
  std::vector<std::unique_ptr<ScreeningRule>> kept_objects;
  made.rules.clear();
  for (std::size_t i = 0; i < parts.rules.size(); ++i) {
    const ScreeningRule& rule = *made.rule_objects[i];
    const std::string who = "screening rule '" + parts.rules[i].type + "'";
    const Capability needs_penalty = guarded(who, [&] { return rule.required_penalty_capabilities(); });
    const Capability needs_loss = guarded(who, [&] { return rule.required_loss_capabilities(); });
    if (!has_all(penalty, needs_penalty) || !has_all(loss, needs_loss)) continue;
    kept_choices.push_back(parts.rules[i]);
    kept_objects.push_back(std::move(made.rule_objects[i]));
    made.rules.push_back(kept_objects.back().get());
  }
  parts.rules.swap(kept_choices);
  made.rule_objects.swap(kept_objects);
}

void check_experiment(const RunSpec& spec, const PluginManager& plugins) {
  // Everything fit does before reading data: options validated by the constructors, then the
  // capability checks between the components.
  Composition parts = compose(spec, plugins);
  Instances made = instantiate(parts, plugins.registry());
  drop_unfitting_default_rules(parts, made);
  check_capabilities(parts, *made.optimizer, *made.loss, *made.penalty, made.rules, plugins.registry());
}

FitOutcome run_fit(const RunSpec& spec, PluginManager& plugins, const FitOptions& options) {
  std::ostream& warn = options.warnings ? *options.warnings : std::cerr;
  Composition parts = compose(spec, plugins);
  const Params experiment = framework_params(spec, "experiment");
  const Params data_params = framework_params(spec, "data");
  const Params path_params = framework_params(spec, "path");
  const Params output_params = framework_params(spec, "output");
  const std::string experiment_name = experiment.text("name");

  // Components are created (and their options validated) before any data is read.
  Instances made = instantiate(parts, plugins.registry());
  drop_unfitting_default_rules(parts, made);
  Design* design = made.design.get();
  Loss* loss = made.loss.get();
  Penalty* penalty = made.penalty.get();
  Optimizer* optimizer = made.optimizer.get();
  const std::vector<const ScreeningRule*>& rules = made.rules;
  const std::vector<std::unique_ptr<Writer>>& writers = made.writers;
  check_capabilities(parts, *optimizer, *loss, *penalty, rules, plugins.registry());

  // Output folder: refuse an existing one unless --overwrite, before doing any work.
  fs::path output_directory = options.output_directory
                                  ? *options.output_directory
                                  : (output_params.has("directory") ? fs::path(output_params.text("directory"))
                                                                    : fs::current_path() / "results" / experiment_name);
  output_directory = fs::absolute(output_directory).lexically_normal();
  {
    std::error_code error;
    if (fs::exists(output_directory, error) && !options.overwrite) {
      throw Error("output folder '" + output_directory.string() +
                  "' already exists; use --overwrite to replace it or --out DIR to choose another");
    }
    fs::create_directories(output_directory.parent_path(), error);
    if (error) {
      throw Error("cannot create the parent of output folder '" + output_directory.string() +
                  "': " + error.message());
    }
  }

  // The experiment with every default filled in (resolved.ini).
  RunSpec resolved;
  resolved.file = spec.file;
  auto add_section = [&](const std::string& role, const std::string& type, const Params& params) {
    SectionSpec& section = resolved.get_or_add(role);
    if (!type.empty()) section.values["type"] = type;
    for (const auto& [key, value] : params.values()) section.values[key] = value;
  };
  add_section("experiment", "", experiment);
  add_section("data", "", data_params);
  add_section("design", parts.design.type, parts.design.params);
  add_section("loss", parts.loss.type, parts.loss.params);
  add_section("penalty", parts.penalty.type, parts.penalty.params);
  add_section("optimizer", parts.optimizer.type, parts.optimizer.params);
  {
    std::string names;
    for (const ComponentChoice& rule : parts.rules) names += (names.empty() ? "" : ", ") + rule.type;
    resolved.get_or_add("screening").values["rules"] = names.empty() ? "none" : names;
  }
  add_section("path", "", path_params);
  resolved.get_or_add("output").values["writers"] = output_params.text("writers");
  // What must not change between an interrupted run and its --resume: every section that shapes
  // the path (not [experiment] or [output]), and the contents of the data file.
  auto path_fingerprint = [&]() {
    RunSpec shaping = resolved;
    std::erase_if(shaping.sections, [](const SectionSpec& section) {
      return section.role == "experiment" || section.role == "output";
    });
    return to_ini(shaping, "") + "data sha256 = " + sha256_file(data_params.text("file")) + "\n";
  };
  std::optional<PathResume> resume;
  if (options.resume_directory) {
    const fs::path checkpoint_file = *options.resume_directory / "checkpoint.json";
    if (!fs::exists(checkpoint_file)) {
      throw Error("--resume " + options.resume_directory->string() + ": no checkpoint.json; expected the folder of an "
                  "interrupted run (a complete run has none)");
    }
    boost::property_tree::ptree checkpoint;
    try {
      boost::property_tree::read_json(checkpoint_file.string(), checkpoint);
    } catch (const boost::property_tree::json_parser_error& failure) {
      throw Error(checkpoint_file.string() + ":" + std::to_string(failure.line()) + ": " + failure.message());
    }
    if (checkpoint.get<std::string>("format", "") != "sparsepath-checkpoint-v1") {
      throw Error(checkpoint_file.string() + ": not a sparsepath checkpoint (expected format sparsepath-checkpoint-v1)");
    }
    if (checkpoint.get<std::string>("fingerprint", "") != path_fingerprint()) {
      throw Error("--resume " + options.resume_directory->string() + ": the experiment or its data differ from those of "
                  "the interrupted run (compare its resolved.ini); expected the same sections and data file contents");
    }
    resume.emplace();
    resume->intercept = std::stod(checkpoint.get<std::string>("intercept"));
    for (const auto& item : checkpoint.get_child("coefficients")) {
      auto entry = item.second.begin();
      const Index j = entry->second.get_value<Index>();
      ++entry;
      resume->coefficients.emplace_back(j, std::stod(entry->second.data()));
    }
    std::vector<PathPoint> points = read_path_points(*options.resume_directory / "path.json");
    const std::size_t finished = checkpoint.get<std::size_t>("points");
    if (finished > points.size()) throw Error(checkpoint_file.string() + ": more finished points than path.json holds");
    points.resize(finished);
    resume->points = std::move(points);
  }

  // Outputs: every file goes into a private staging folder renamed into place at the end; it is
  // created before the fit so that an unwritable destination fails fast.
  StagingFolder staging;
  staging.path = output_directory.parent_path() /
                 ("." + output_directory.filename().string() + ".partial-" + std::to_string(::getpid()));
  {
    std::error_code error;
    fs::remove_all(staging.path, error);
    fs::create_directories(staging.path, error);
    if (error) {
      throw Error("cannot create output folder '" + output_directory.string() + "': " + error.message());
    }
  }
  // Data.
  require_input_file(path_params, "lambda_file");
  ExperimentData loaded = load_experiment_data(spec);
  DataSet& data = loaded.data;
  Vector& weights = loaded.weights;
  const fs::path data_file = loaded.file;
  if (options.rows) {
    const Index total = data.rows();
    Vector kept_weights(static_cast<Index>(options.rows->size()));
    for (std::size_t k = 0; k < options.rows->size(); ++k) {
      const Index row = (*options.rows)[k];
      if (row < 0 || row >= total) {
        throw Error(data_file.string() + ": row " + std::to_string(row + 1) + " asked for; the data has " +
                    std::to_string(total) + " rows");
      }
      kept_weights[static_cast<Index>(k)] = weights[row];
    }
    data = select_rows(data, *options.rows);
    weights = kept_weights;
  }
  if (data_params.has("weights")) {
    std::vector<Index> kept;
    for (Index i = 0; i < weights.size(); ++i) {
      if (weights[i] < 0.0) {
        throw Error(data_params.text("weights") + ": sample weight of data row " + std::to_string(i + 1) +
                    " is " + format_real(weights[i]) + "; expected >= 0");
      }
      if (weights[i] > 0.0) kept.push_back(i);
    }
    if (kept.empty()) throw Error(data_params.text("weights") + ": every sample weight is zero");
    if (static_cast<Index>(kept.size()) < data.rows()) {
      warn << "warning: " << data.rows() - static_cast<Index>(kept.size())
           << " data rows with weight 0 are left out\n";
      Vector kept_weights(static_cast<Index>(kept.size()));
      for (std::size_t i = 0; i < kept.size(); ++i) kept_weights[static_cast<Index>(i)] = weights[kept[i]];
      data = select_rows(data, kept);
      weights = kept_weights;
    }
  }
  if (data.rows() < 2) throw Error(data_file.string() + ": at least 2 data rows are needed");
  guarded("loss '" + parts.loss.type + "'", [&] { loss->prepare_target(data.y); });
  const Index n = data.rows(), p = data.cols();
  const bool uniform = (weights.array() == weights[0]).all();
  Vector v = weights / weights.sum();
  {
    // A target whose intercept-only loss overflows (|y| near 1e+300 for least squares) would
    // leave every point uncertifiable: refuse it here, naming it.
    const double null_loss = guarded("loss '" + parts.loss.type + "'", [&] {
      const Vector fitted = Vector::Constant(n, loss->intercept_only(data.y, v));
      return loss->value(data.y, v, fitted);
    });
    if (!std::isfinite(null_loss)) {
      throw Error(data_file.string() + ": target '" + data.target_name + "' (largest magnitude " +
                  format_real(data.y.cwiseAbs().maxCoeff()) + ") gives a non-finite " + parts.loss.type +
                  " loss for the intercept-only model; expected values small enough for the loss (rescale the target)");
    }
  }

  // The fit's time (path.json fit_seconds) starts here: standardization is part of fitting, as
  // in glmnet() and the benchmark's peers; reading the data and writing results are not.
  const auto fit_start = std::chrono::steady_clock::now();
  // Standardization, the glmnet way (weighted means and 1/n variances).
  const bool fit_intercept = data_params.boolean("intercept");
  const bool standardize = data_params.boolean("standardize");
  Standardization standardization;
  standardization.center = Vector::Zero(p);
  standardization.scale = Vector::Ones(p);
  standardization.excluded.assign(p, 0);
  std::vector<std::string> constant_columns;
  // Each column is prescaled by the power of two nearest above its largest magnitude: exact (no
  // rounding, unlike a division by the largest magnitude), and no overflow or underflow on the way
  // for values near 1e+-300. The moments below are those of column * unit.
  std::vector<double> column_unit(static_cast<std::size_t>(p), 1.0);
  for (Index j = 0; j < p; ++j) {
    // Two passes (the mean, then squared deviations): accurate for columns far from zero. A dense
    // column stays in cache across its passes, so this reads the data from memory about once.
    double largest = 0.0;
    if (!data.is_sparse) {
      largest = data.dense.col(j).cwiseAbs().maxCoeff();
    } else {
      for (SparseMatrix::InnerIterator it(data.sparse, j); it; ++it) largest = std::max(largest, std::abs(it.value()));
    }
    int exponent = 0;
    if (largest > 0.0 && std::isfinite(largest)) std::frexp(largest, &exponent);
    const double unit = std::ldexp(1.0, -exponent);
    double mean = 0.0, second = 0.0, variance = 0.0;
    if (largest > 0.0) {
      if (!data.is_sparse) {
        const auto scaled = data.dense.col(j).array() * unit;
        mean = (scaled * v.array()).sum();
        second = (scaled.square() * v.array()).sum();
        variance = ((scaled - mean).square() * v.array()).sum();
      } else {
        double stored_weight = 0.0;
        for (SparseMatrix::InnerIterator it(data.sparse, j); it; ++it) {
          const double value = it.value() * unit;
          mean += v[it.row()] * value;
          second += v[it.row()] * value * value;
          stored_weight += v[it.row()];
        }
        for (SparseMatrix::InnerIterator it(data.sparse, j); it; ++it) {
          const double deviation = it.value() * unit - mean;
          variance += v[it.row()] * deviation * deviation;
        }
        variance += std::max(0.0, 1.0 - stored_weight) * mean * mean;  // the implicit zeros
      }
    }
    const bool constant = largest == 0.0 || (fit_intercept ? variance <= 1e-24 * second : second == 0.0);
    if (constant) {
      standardization.excluded[j] = 1;
      constant_columns.push_back(data.names[j]);
      continue;
    }
    if (fit_intercept && !data.is_sparse) standardization.center[j] = mean / unit;
    if (standardize) standardization.scale[j] = std::sqrt(fit_intercept ? variance : second) / unit;
    column_unit[static_cast<std::size_t>(j)] = unit;
  }
  if (!constant_columns.empty()) {
    std::string list;
    for (std::size_t i = 0; i < constant_columns.size() && i < 10; ++i) list += (i ? ", " : "") + constant_columns[i];
    if (constant_columns.size() > 10) list += ", ...";
    warn << "warning: " << constant_columns.size() << " constant column(s) kept at zero: " << list << "\n";
  }
  if (static_cast<Index>(constant_columns.size()) == p) {
    throw Error(data_file.string() + ": every feature column is constant; nothing to fit");
  }
  if (!data.is_sparse) {
    for (Index j = 0; j < p; ++j) {
      if (standardization.excluded[j]) {
        data.dense.col(j).setZero();
        continue;
      }
      // In units of the column's power of two, so that nothing overflows on the way.
      const double unit = column_unit[static_cast<std::size_t>(j)];
      const double center = standardization.center[j] * unit, factor = 1.0 / (standardization.scale[j] * unit);
      data.dense.col(j) = (data.dense.col(j).array() * unit - center) * factor;
    }
  } else {
    for (Index j = 0; j < p; ++j) {
      const double factor = standardization.excluded[j] ? 0.0 : 1.0 / standardization.scale[j];
      for (SparseMatrix::InnerIterator it(data.sparse, j); it; ++it) it.valueRef() *= factor;
    }
  }

  DataMatrix matrix;
  if (data.is_sparse) matrix.sparse = &data.sparse;
  else matrix.dense = &data.dense;
  matrix.names = &data.names;
  Outcome bound = guarded("design '" + parts.design.type + "'", [&] { return design->bind(matrix); });
  if (!bound.ok()) throw Error("design '" + parts.design.type + "': " + bound.message);
  // The design's features: data columns, or products of two (implicit interaction designs). Each
  // gets the standardization of what it is made of (see Standardization).
  const Index features = guarded("design '" + parts.design.type + "'", [&] { return design->cols(); });
  Standardization feature_scaling;
  feature_scaling.center = Vector::Zero(features);
  feature_scaling.scale = Vector::Ones(features);
  feature_scaling.excluded.assign(static_cast<std::size_t>(features), 0);
  feature_scaling.origins.resize(static_cast<std::size_t>(features));
  feature_scaling.data_center = standardization.center;
  feature_scaling.main_of_column.assign(static_cast<std::size_t>(p), -1);
  std::vector<std::string> feature_names(static_cast<std::size_t>(features));
  bool any_product = false;
  for (Index j = 0; j < features; ++j) {
    const FeatureOrigin origin = design->origin(j);
    if (origin.first < 0 || origin.first >= p || origin.second < -1 || origin.second >= p || origin.first == origin.second) {
      throw Error("design '" + parts.design.type + "': feature " + std::to_string(j) + " comes from data columns (" +
                  std::to_string(origin.first) + ", " + std::to_string(origin.second) + "); expected columns below " +
                  std::to_string(p));
    }
    feature_scaling.origins[static_cast<std::size_t>(j)] = origin;
    feature_names[static_cast<std::size_t>(j)] = design->feature_name(j);
    if (!origin.is_product()) {
      feature_scaling.center[j] = standardization.center[origin.first];
      feature_scaling.scale[j] = standardization.scale[origin.first];
      feature_scaling.excluded[static_cast<std::size_t>(j)] = standardization.excluded[static_cast<std::size_t>(origin.first)];
      auto& main = feature_scaling.main_of_column[static_cast<std::size_t>(origin.first)];
      if (main < 0) main = j;
      continue;
    }
    any_product = true;
    feature_scaling.scale[j] = standardization.scale[origin.first] * standardization.scale[origin.second];
    feature_scaling.excluded[static_cast<std::size_t>(j)] =
        standardization.excluded[static_cast<std::size_t>(origin.first)] || standardization.excluded[static_cast<std::size_t>(origin.second)];
  }
  for (Index j = 0; j < features && any_product; ++j) {
    const FeatureOrigin origin = feature_scaling.origins[static_cast<std::size_t>(j)];
    if (!origin.is_product()) continue;
    for (Index column : {origin.first, origin.second}) {
      if (feature_scaling.main_of_column[static_cast<std::size_t>(column)] < 0) {
        throw Error("design '" + parts.design.type + "': feature '" + feature_names[static_cast<std::size_t>(j)] +
                    "' uses data column '" + data.names[static_cast<std::size_t>(column)] +
                    "', which is not itself a feature; the original-scale coefficients need it");
      }
    }
  }
  // The penalty sees every feature's origin; the back-transform needs them only for products.
  const std::vector<FeatureOrigin> all_origins = feature_scaling.origins;
  if (!any_product) feature_scaling.origins.clear();
  PenaltyContext penalty_context;
  penalty_context.features = features;
  penalty_context.column_scale = std::span<const double>(feature_scaling.scale.data(), static_cast<std::size_t>(features));
  penalty_context.names = std::span<const std::string>(feature_names);
  penalty_context.excluded = std::span<const char>(feature_scaling.excluded);
  penalty_context.origins = std::span<const FeatureOrigin>(all_origins);
  penalty_context.lp = made.lp.get();
  Outcome penalty_bound = guarded("penalty '" + parts.penalty.type + "'", [&] { return penalty->bind(penalty_context); });
  if (!penalty_bound.ok()) throw Error("penalty '" + parts.penalty.type + "': " + penalty_bound.message);

  PathOptions path_options;
  path_options.n_lambda = path_params.integer("n_lambda");
  if (path_params.has("lambda_min_ratio")) path_options.lambda_min_ratio = path_params.real("lambda_min_ratio");
  if (path_params.has("lambda_file")) {
    Vector grid = read_vector_file(path_params.text("lambda_file"), "lambda values");
    if (grid.size() == 0) throw Error(path_params.text("lambda_file") + ": no lambda values");
    for (Index k = 0; k < grid.size(); ++k) {
      if (!(grid[k] > 0.0)) {
        throw Error(path_params.text("lambda_file") + ": lambda value " + format_real(grid[k]) +
                    " (entry " + std::to_string(k + 1) + ") violates lambda > 0");
      }
      path_options.lambdas.push_back(grid[k]);
    }
  }
  path_options.tolerance = path_params.real("tolerance");
  if (path_params.has("max_nonzeros")) {
    const long long limit = path_params.integer("max_nonzeros");
    path_options.max_nonzeros = limit == 0 ? -1 : limit;
  } else {
    path_options.max_nonzeros = guarded("penalty '" + parts.penalty.type + "'", [&] { return penalty->default_max_nonzeros(); });
  }
  path_options.min_deviance_change = path_params.real("min_deviance_change");
  path_options.max_deviance_ratio = path_params.real("max_deviance_ratio");
  if (path_params.has("time_budget")) path_options.time_budget_seconds = path_params.real("time_budget");
  path_options.max_passes = path_params.integer("max_passes");
  {
    const std::string gram = path_params.text("gram");
    path_options.gram = gram == "always" ? PathOptions::Gram::always
                        : gram == "never" ? PathOptions::Gram::never
                                          : PathOptions::Gram::automatic;
  }
  path_options.bounded_correlations = path_params.boolean("bounded_correlations");
  path_options.extrapolate_warm_start = path_params.boolean("extrapolate_warm_start");
  // Full gradient passes on dense designs split their columns across `threads` (bit-identical
  // to one thread; see blas::gemv_t). OpenBLAS's own threading splits sums differently
  // (measured: the logistic breast_cancer path changed in the last bits), so it stays off.
  blas::set_threads(static_cast<int>(experiment.integer("threads")));

  Problem problem{*design, data.y, v, uniform, *loss, *penalty, fit_intercept};
  const std::string solving = "while solving the path (loss '" + parts.loss.type + "', penalty '" +
                              parts.penalty.type + "', optimizer '" + parts.optimizer.type + "')";
  path_options.resume = resume;
  PathResult result = guarded(solving, [&] {
    PathSolver solver(problem, *optimizer, rules, path_options, feature_scaling, feature_names);
    return solver.run(options.interrupt, options.progress);
  });
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();

  RunInfo info;
  info.experiment = experiment_name;
  info.loss = parts.loss.type;
  info.penalty = parts.penalty.type;
  info.optimizer = parts.optimizer.type;
  info.fit_seconds = fit_seconds;
  info.metadata["experiment"] = experiment_name;
  info.metadata["family"] = parts.loss.type == "logistic" ? "binomial" : (parts.loss.type == "squared" ? "gaussian" : parts.loss.type);
  info.metadata["loss"] = parts.loss.type;
  info.metadata["penalty"] = parts.penalty.type;
  info.metadata["alpha"] = parts.penalty.params.has("alpha") ? parts.penalty.params.text("alpha") : "1";
  info.metadata["standardize"] = standardize ? "true" : "false";
  info.metadata["intercept"] = fit_intercept ? "true" : "false";
  info.metadata["n"] = std::to_string(n);
  info.metadata["p"] = std::to_string(p);
  info.metadata["nlambda"] = std::to_string(result.points.size());
  info.metadata["target"] = data.target_name;
  info.metadata["complete"] = result.complete ? "true" : "false";

  for (std::size_t i = 0; i < writers.size(); ++i) {
    guarded("writer '" + parts.writers[i].type + "'", [&] { writers[i]->write(result, info, staging.path); });
  }

  // resolved.ini: every section with its defaults filled (built above), plus the plugin table.
  std::ostringstream header;
  header << "resolved by sparsepath " << SPARSEPATH_VERSION << " from " << spec.file.string() << "\n";
  header << "plugins:\n";
  for (const LoadedPlugin& plugin : plugins.plugins()) {
    header << "  " << plugin.name << " " << plugin.version << " (" << plugin.library.filename().string() << ")\n";
  }
  const std::string resolved_ini = to_ini(resolved, header.str());
  write_file_atomically(staging.path / "resolved.ini", resolved_ini);

  // manifest.json
  std::ostringstream manifest;
  manifest << "{\n  \"format\": \"sparsepath-manifest-v1\",\n";
  manifest << "  \"sparsepath_version\": " << json_escape(SPARSEPATH_VERSION) << ",\n";
  manifest << "  \"git_commit\": " << json_escape(SPARSEPATH_GIT_COMMIT) << ",\n";
  manifest << "  \"experiment\": " << json_escape(experiment_name) << ",\n";
  manifest << "  \"config_file\": " << json_escape(spec.file.string()) << ",\n";
  manifest << "  \"config_sha256\": " << json_escape(sha256_file(spec.file)) << ",\n";
  manifest << "  \"started_at\": " << json_escape(timestamp_utc()) << ",\n";
  manifest << "  \"machine\": " << json_escape(machine_description()) << ",\n";
  manifest << "  \"seed\": " << experiment.integer("seed") << ",\n";
  manifest << "  \"threads\": " << experiment.integer("threads") << ",\n";
  manifest << "  \"host_build_id\": " << json_escape(host_build_id()) << ",\n";
  manifest << "  \"data_files\": [";
  std::vector<std::pair<std::string, std::string>> files = {{"data.file", data_file.string()}};
  if (data_params.has("weights")) files.emplace_back("data.weights", data_params.text("weights"));
  if (data_params.has("target_file")) files.emplace_back("data.target_file", data_params.text("target_file"));
  if (path_params.has("lambda_file")) files.emplace_back("path.lambda_file", path_params.text("lambda_file"));
  // Every file a component reads (its path keys, and choice-or-path keys given a file), so that
  // a plugin's own inputs are checksummed like the framework's.
  auto component_files = [&](const ComponentChoice& choice) {
    for (const KeySpec& key : choice.entry->schema.keys()) {
      if (!choice.params.has(key.key)) continue;
      const std::string& value = choice.params.text(key.key);
      const bool is_file = key.type == ValueType::path ||
                           (key.type == ValueType::choice_or_path &&
                            std::find(key.choices.begin(), key.choices.end(), value) == key.choices.end());
      if (is_file && !value.empty()) files.emplace_back(choice.role + "." + key.key, value);
    }
  };
  component_files(parts.design);
  component_files(parts.loss);
  component_files(parts.penalty);
  component_files(parts.optimizer);
  if (parts.lp) component_files(*parts.lp);
  for (const ComponentChoice& rule : parts.rules) component_files(rule);
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code error;
    manifest << (i ? ", " : "") << "\n    {\"key\": " << json_escape(files[i].first)
             << ", \"path\": " << json_escape(files[i].second)
             << ", \"bytes\": " << fs::file_size(files[i].second, error)
             << ", \"sha256\": " << json_escape(sha256_file(files[i].second)) << "}";
  }
  manifest << "\n  ],\n  \"components\": {";
  auto component = [&](const ComponentChoice& choice, bool last) {
    manifest << "\n    " << json_escape(choice.role) << ": {\"type\": " << json_escape(choice.type)
             << ", \"plugin\": " << json_escape(choice.entry->plugin)
             << ", \"library\": " << json_escape(choice.entry->library) << "}" << (last ? "" : ",");
  };
  component(parts.design, false);
  component(parts.loss, false);
  component(parts.penalty, false);
  component(parts.optimizer, false);
  if (parts.lp) component(*parts.lp, false);
  manifest << "\n    \"screening\": [";
  for (std::size_t i = 0; i < parts.rules.size(); ++i) {
    manifest << (i ? ", " : "") << json_escape(parts.rules[i].type);
  }
  manifest << "]\n  },\n  \"plugins\": [";
  for (std::size_t i = 0; i < plugins.plugins().size(); ++i) {
    const LoadedPlugin& plugin = plugins.plugins()[i];
    manifest << (i ? ", " : "") << "\n    {\"name\": " << json_escape(plugin.name)
             << ", \"version\": " << json_escape(plugin.version)
             << ", \"library\": " << json_escape(plugin.library.string())
             << ", \"build_id\": " << json_escape(plugin.build_id) << "}";
  }
  Index converged = 0;
  for (const PathPoint& point : result.points) converged += point.converged;
  manifest << "\n  ],\n  \"resolved_config\": " << json_escape(resolved_ini) << ",\n";
  manifest << "  \"samples\": " << n << ",\n  \"features\": " << p << ",\n";
  manifest << "  \"points\": " << result.points.size() << ",\n";
  manifest << "  \"converged_points\": " << converged << ",\n";
  manifest << "  \"complete\": " << (result.complete ? "true" : "false") << ",\n";
  manifest << "  \"stop_reason\": " << json_escape(result.stop_reason) << ",\n";
  // The support limit in force ([path] max_nonzeros, else the penalty's default; null: none).
  manifest << "  \"max_nonzeros\": "
           << (path_options.max_nonzeros >= 0 ? std::to_string(path_options.max_nonzeros) : std::string("null")) << ",\n";
  manifest << "  \"fit_seconds\": " << json_number(fit_seconds) << "\n}\n";
  write_file_atomically(staging.path / "manifest.json", manifest.str());
  if (!result.complete) {
    // Where `fit --resume` continues: the last finished point's fitted-scale state, exactly.
    std::ostringstream checkpoint;
    checkpoint << "{\n  \"format\": \"sparsepath-checkpoint-v1\",\n  \"points\": " << result.resume_points
               << ",\n  \"intercept\": \"" << format_17g(result.resume_intercept) << "\",\n  \"coefficients\": [";
    for (std::size_t k = 0; k < result.resume_coefficients.size(); ++k) {
      checkpoint << (k ? ", " : "") << "[" << result.resume_coefficients[k].first << ", \""
                 << format_17g(result.resume_coefficients[k].second) << "\"]";
    }
    checkpoint << "],\n  \"fingerprint\": " << json_escape(path_fingerprint()) << "\n}\n";
    write_file_atomically(staging.path / "checkpoint.json", checkpoint.str());
  }

  {
    std::error_code error;
    if (fs::exists(output_directory, error)) {
      if (!options.overwrite) throw Error("output folder '" + output_directory.string() + "' appeared during the run");
      fs::remove_all(output_directory, error);
      if (error) throw Error("cannot replace '" + output_directory.string() + "': " + error.message());
    }
    fs::rename(staging.path, output_directory, error);
    if (error) throw Error("cannot move results into '" + output_directory.string() + "': " + error.message());
    staging.keep = true;
  }
  return FitOutcome{std::move(result), std::move(info), output_directory};
}

}  // namespace sparsepath
