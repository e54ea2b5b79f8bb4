#include "sparsepath/path/cross_validation.hpp"

#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/model.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <numeric>
#include <sstream>

namespace sparsepath {

namespace fs = std::filesystem;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

double sigmoid(double z) { return z >= 0.0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

// A private folder renamed into place at the end; removed if the run fails.
struct Staging {
  fs::path path;
  bool keep = false;
  ~Staging() {
    if (!keep && !path.empty()) {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  }
};

}  // namespace

Vector internal_target(const std::string& loss, const Vector& y, const fs::path& file) {
  Vector out = y;
  if (loss != "logistic") return out;
  for (Index i = 0; i < out.size(); ++i) {
    if (out[i] == -1.0) out[i] = 0.0;
    else if (out[i] != 0.0 && out[i] != 1.0) {
      throw Error(file.string() + ": target value " + format_real(y[i]) + " in data row " + std::to_string(i + 1) +
                  " is not a binary label; expected 0/1 or -1/+1");
    }
  }
  return out;
}

namespace {

// A generator fixed by its seed on every platform (splitmix64), and an index below `bound`.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(next() % bound); }
};

void shuffle(std::vector<Index>& items, SplitMix& generator) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[generator.below(i)]);
}

std::string csv_number(double value) { return std::isfinite(value) ? format_17g(value) : "NA"; }

}  // namespace

std::vector<std::string> metrics_of_loss(const std::string& loss) {
  if (loss == "logistic") return {"deviance", "auc", "accuracy", "log_loss"};
  return {"mse", "mae"};
}

std::string default_measure(const std::string& loss) { return loss == "logistic" ? "deviance" : "mse"; }

bool metric_is_maximized(const std::string& metric) { return metric == "auc" || metric == "accuracy"; }

double row_metric(const std::string& metric, double y, double link) {
  if (metric == "mse") return (y - link) * (y - link);
  if (metric == "mae") return std::abs(y - link);
  const double probability = sigmoid(link);
  if (metric == "deviance") {  // glmnet clamps probabilities to [1e-5, 1 - 1e-5]
    const double p = std::clamp(probability, 1e-5, 1.0 - 1e-5);
    return -2.0 * (y * std::log(p) + (1.0 - y) * std::log(1.0 - p));
  }
  if (metric == "log_loss") {
    const double p = std::clamp(probability, 1e-15, 1.0 - 1e-15);
    return -(y * std::log(p) + (1.0 - y) * std::log(1.0 - p));
  }
  if (metric == "accuracy") return (probability > 0.5) == (y > 0.5) ? 1.0 : 0.0;
  throw Error("unknown metric '" + metric + "'");
}

double weighted_auc(const Vector& y, const Vector& scores, const Vector& weights) {
  std::vector<Index> order(static_cast<std::size_t>(y.size()));
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return scores[a] < scores[b]; });
  double positive_total = 0.0, negative_total = 0.0, pairs = 0.0, negatives_below = 0.0;
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;
    double tie_positive = 0.0, tie_negative = 0.0;
    while (end < order.size() && scores[order[end]] == scores[order[start]]) {
      (y[order[end]] > 0.5 ? tie_positive : tie_negative) += weights[order[end]];
      ++end;
    }
    pairs += tie_positive * (negatives_below + 0.5 * tie_negative);
    negatives_below += tie_negative;
    positive_total += tie_positive;
    negative_total += tie_negative;
    start = end;
  }
  if (!(positive_total > 0.0 && negative_total > 0.0)) return not_a_number;
  return pairs / (positive_total * negative_total);
}

double metric_value(const std::string& metric, const Vector& y, const Vector& link, const Vector& weights) {
  if (metric == "auc") return weighted_auc(y, link, weights);
  double total = 0.0, weight = 0.0;
  for (Index i = 0; i < y.size(); ++i) {
    if (!std::isfinite(link[i])) continue;
    total += weights[i] * row_metric(metric, y[i], link[i]);
    weight += weights[i];
  }
  return weight > 0.0 ? total / weight : not_a_number;
}

std::vector<int> make_fold_ids(const Vector& y, Index folds, bool stratify, std::uint64_t seed) {
  const Index n = y.size();
  if (folds < 2 || folds > n) {
    throw Error("--folds " + std::to_string(folds) + " for " + std::to_string(n) + " data rows; expected 2 <= folds <= rows");
  }
  SplitMix generator{seed};
  std::vector<std::vector<Index>> classes(1);
  for (Index i = 0; i < n; ++i) {
    const std::size_t group = stratify && y[i] > 0.5 ? 1 : 0;
    if (classes.size() <= group) classes.resize(group + 1);
    classes[group].push_back(i);
  }
  std::vector<int> ids(static_cast<std::size_t>(n), 0);
  Index dealt = 0;
  for (auto& rows : classes) {
    shuffle(rows, generator);
    for (Index row : rows) ids[static_cast<std::size_t>(row)] = static_cast<int>(dealt++ % folds) + 1;
  }
  return ids;
}

std::vector<int> read_fold_ids(const fs::path& file, Index rows) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read fold ids file '" + file.string() + "'");
  std::vector<int> ids;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string text(trim(line));
    if (text.empty()) continue;
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || value < 1 || value > 1000000) {
      throw Error(file.string() + ":" + std::to_string(line_number) + ": fold id '" + text +
                  "'; expected an integer >= 1 (one per data row, 1-based like glmnet's foldid)");
    }
    ids.push_back(static_cast<int>(value));
  }
  if (static_cast<Index>(ids.size()) != rows) {
    throw Error(file.string() + ": " + std::to_string(ids.size()) + " fold ids for " + std::to_string(rows) +
                " data rows; expected one per row");
  }
  const int folds = *std::max_element(ids.begin(), ids.end());
  std::vector<Index> count(static_cast<std::size_t>(folds) + 1, 0);
  for (int id : ids) ++count[static_cast<std::size_t>(id)];
  for (int fold = 1; fold <= folds; ++fold) {
    if (count[static_cast<std::size_t>(fold)] == 0) {
      throw Error(file.string() + ": fold " + std::to_string(fold) + " has no rows (ids go up to " +
                  std::to_string(folds) + "); expected every fold from 1 to the largest id to be used");
    }
  }
  if (folds < 2) throw Error(file.string() + ": every row is in fold 1; expected at least 2 folds");
  return ids;
}

std::pair<Index, Index> select_lambdas(const std::vector<double>& lambdas, const MetricCurve& curve, bool maximize) {
  // glmnet's getOptcv: the largest lambda at the best mean; then the largest whose mean is within
  // one standard error of the best (on the negated curve for maximised metrics).
  const double sign = maximize ? -1.0 : 1.0;
  double best = std::numeric_limits<double>::infinity();
  for (double value : curve.mean) {
    if (std::isfinite(value)) best = std::min(best, sign * value);
  }
  if (!std::isfinite(best)) throw Error("cross-validation: no lambda has a finite mean");
  Index index_min = -1;
  for (std::size_t k = 0; k < lambdas.size(); ++k) {
    if (std::isfinite(curve.mean[k]) && sign * curve.mean[k] <= best &&
        (index_min < 0 || lambdas[k] > lambdas[static_cast<std::size_t>(index_min)])) {
      index_min = static_cast<Index>(k);
    }
  }
  const double se = curve.se[static_cast<std::size_t>(index_min)];
  const double limit = sign * curve.mean[static_cast<std::size_t>(index_min)] + (std::isfinite(se) ? se : 0.0);
  Index index_1se = index_min;
  for (std::size_t k = 0; k < lambdas.size(); ++k) {
    if (std::isfinite(curve.mean[k]) && sign * curve.mean[k] <= limit && lambdas[k] > lambdas[static_cast<std::size_t>(index_1se)]) {
      index_1se = static_cast<Index>(k);
    }
  }
  return {index_min, index_1se};
}

CrossValidationResult run_cross_validation(const RunSpec& spec, PluginManager& plugins,
                                           const CrossValidationOptions& options) {
  std::ostream& warn = options.warnings ? *options.warnings : std::cerr;
  auto stage = [&](const std::string& text) {
    if (options.progress) options.progress(text);
  };
  CrossValidationResult result;
  check_experiment(spec, plugins);  // every section and component, before any data is read
  result.loss = component_type(spec, "loss");
  result.measure = options.measure.empty() ? default_measure(result.loss) : options.measure;
  const std::vector<std::string> metrics = metrics_of_loss(result.loss);
  if (std::find(metrics.begin(), metrics.end(), result.measure) == metrics.end()) {
    std::string list;
    for (const std::string& name : metrics) list += (list.empty() ? "" : ", ") + name;
    throw Error("--measure '" + result.measure + "' does not apply to the " + result.loss + " loss; expected one of: " + list);
  }

  // Output: refuse an existing folder unless overwrite, then stage everything privately.
  const fs::path output = fs::absolute(options.output_directory).lexically_normal();
  std::error_code error;
  if (fs::exists(output, error) && !options.overwrite) {
    throw Error("output folder '" + output.string() + "' exists; pass --overwrite to replace it");
  }
  // Several ranks share the staging folder (a shared filesystem): rank 0 creates it, fits the
  // full data and writes the outputs; every rank fits its share of the folds.
  const bool leader = options.rank == 0;
  auto barrier = [&]() {
    if (options.ranks > 1) options.barrier();
  };
  Staging staging;
  staging.path = output.parent_path() / ("." + output.filename().string() + ".partial" +
                                         (options.ranks > 1 ? std::string() : "-" + std::to_string(::getpid())));
  staging.keep = !leader;
  if (leader) {
    fs::remove_all(staging.path, error);
    fs::create_directories(staging.path, error);
    if (error) throw Error("cannot create output folder '" + output.string() + "': " + error.message());
  }

  // The data, as the folds will see it, and the fold ids.
  const ExperimentData loaded = load_experiment_data(spec);
  const Index n = loaded.data.rows();
  const Vector y = internal_target(result.loss, loaded.data.y, loaded.file);
  if (options.fold_ids_file) {
    result.fold_ids = read_fold_ids(*options.fold_ids_file, n);
  } else {
    result.fold_ids = make_fold_ids(y, options.folds, result.loss == "logistic", options.seed);
  }
  const int folds = *std::max_element(result.fold_ids.begin(), result.fold_ids.end());

  // Every fit writes path.json; folds report warnings once, through the full fit.
  RunSpec base = spec;
  {
    const SectionSpec* output_section = spec.find("output");
    std::string writers = output_section && output_section->values.count("writers") ? output_section->values.at("writers") : "csv, json";
    if (writers.find("json") == std::string::npos) writers += ", json";
    apply_override(base, "output.writers=" + writers);
  }
  std::ostringstream fold_warnings;

  if (leader) {
    stage("full data");
    FitOptions full_options;
    full_options.output_directory = staging.path / "full";
    full_options.interrupt = options.interrupt;
    full_options.warnings = &warn;
    FitOutcome full = run_fit(base, plugins, full_options);
    if (!full.result.complete) throw Error("cross-validation interrupted during the fit on all data");
    // The folds: the full grid, no early stops (as glmnet with a given lambda).
    std::ostringstream grid;
    for (const PathPoint& point : full.result.points) grid << format_17g(point.lambda) << "\n";
    write_file_atomically(staging.path / "lambdas.txt", grid.str());
  }
  barrier();
  const FittedPath refit = read_fitted_path(staging.path / "full" / "path.json");
  result.lambdas = refit.lambdas;
  for (const auto& list : refit.coefficients) result.nonzeros.push_back(static_cast<Index>(list.size()));
  const Index lambda_count = static_cast<Index>(result.lambdas.size());
  RunSpec fold_spec = base;
  if (SectionSpec* path = fold_spec.find("path")) {
    path->values.erase("n_lambda");
    path->values.erase("lambda_min_ratio");
  }
  apply_override(fold_spec, "path.lambda_file=" + (staging.path / "lambdas.txt").string());
  apply_override(fold_spec, "path.min_deviance_change=0");
  apply_override(fold_spec, "path.max_deviance_ratio=1");

  // Per fold and metric: the held-out weighted mean (or AUC) at each lambda, and the fold's weight.
  std::map<std::string, Matrix> fold_values;
  for (const std::string& metric : metrics) fold_values[metric] = Matrix::Constant(folds, lambda_count, not_a_number);
  Vector fold_weight = Vector::Zero(folds);
  auto fold_folder = [&](int fold) {
    char name[32];
    std::snprintf(name, sizeof(name), "fold-%02d", fold);
    return staging.path / name;
  };
  auto rows_of = [&](int fold, bool held) {
    std::vector<Index> rows;
    for (Index i = 0; i < n; ++i) {
      if ((result.fold_ids[static_cast<std::size_t>(i)] == fold) == held) rows.push_back(i);
    }
    return rows;
  };
  for (int fold = 1; fold <= folds; ++fold) {
    if ((fold - 1) % options.ranks != options.rank) continue;
    stage("fold " + std::to_string(fold) + "/" + std::to_string(folds));
    FitOptions fold_options;
    fold_options.output_directory = fold_folder(fold);
    fold_options.interrupt = options.interrupt;
    fold_options.warnings = &fold_warnings;
    fold_options.rows = rows_of(fold, false);
    const FitOutcome fitted = run_fit(fold_spec, plugins, fold_options);
    if (!fitted.result.complete) throw Error("cross-validation interrupted in fold " + std::to_string(fold));
  }
  barrier();
  if (!leader) {
    barrier();  // the leader writes the outputs
    return result;
  }
  for (int fold = 1; fold <= folds; ++fold) {
    const std::vector<Index> held_out = rows_of(fold, true);
    const FittedPath model = read_fitted_path(fold_folder(fold) / "path.json");
    const DataSet test = select_rows(loaded.data, held_out);
    Vector test_y(static_cast<Index>(held_out.size())), test_weights(static_cast<Index>(held_out.size()));
    for (std::size_t k = 0; k < held_out.size(); ++k) {
      test_y[static_cast<Index>(k)] = y[held_out[k]];
      test_weights[static_cast<Index>(k)] = loaded.weights[held_out[k]];
    }
    fold_weight[fold - 1] = test_weights.sum();
    std::vector<Index> indices(model.lambdas.size());
    std::iota(indices.begin(), indices.end(), Index{0});
    const Matrix links = predict(model, test, indices, PredictionType::link);
    for (std::size_t k = 0; k < model.lambdas.size() && static_cast<Index>(k) < lambda_count; ++k) {
      for (const std::string& metric : metrics) {
        fold_values[metric](fold - 1, static_cast<Index>(k)) = metric_value(metric, test_y, links.col(static_cast<Index>(k)), test_weights);
      }
    }
  }

  // glmnet's grouped summary: mean = fold means weighted by the folds' weights; se =
  // sqrt(weighted mean of squared deviations / (folds with the point - 1)).
  for (const std::string& metric : metrics) {
    MetricCurve curve;
    curve.mean.assign(static_cast<std::size_t>(lambda_count), not_a_number);
    curve.se.assign(static_cast<std::size_t>(lambda_count), not_a_number);
    const Matrix& values = fold_values[metric];
    for (Index k = 0; k < lambda_count; ++k) {
      double total = 0.0, weight = 0.0;
      Index count = 0;
      for (Index f = 0; f < folds; ++f) {
        if (!std::isfinite(values(f, k))) continue;
        total += fold_weight[f] * values(f, k);
        weight += fold_weight[f];
        ++count;
      }
      if (count == 0 || !(weight > 0.0)) continue;
      const double mean = total / weight;
      double spread = 0.0;
      for (Index f = 0; f < folds; ++f) {
        if (std::isfinite(values(f, k))) spread += fold_weight[f] * (values(f, k) - mean) * (values(f, k) - mean);
      }
      curve.mean[static_cast<std::size_t>(k)] = mean;
      curve.se[static_cast<std::size_t>(k)] = count > 1 ? std::sqrt(spread / weight / static_cast<double>(count - 1)) : not_a_number;
    }
    result.curves[metric] = std::move(curve);
  }
  const auto [index_min, index_1se] =
      select_lambdas(result.lambdas, result.curves.at(result.measure), metric_is_maximized(result.measure));
  result.index_min = index_min;
  result.index_1se = index_1se;
  result.lambda_min = result.lambdas[static_cast<std::size_t>(index_min)];
  result.lambda_1se = result.lambdas[static_cast<std::size_t>(index_1se)];

  // Outputs.
  {
    std::ostringstream ids;
    for (int id : result.fold_ids) ids << id << "\n";
    write_file_atomically(staging.path / "fold_ids.txt", ids.str());
  }
  {
    std::ostringstream csv;
    csv << "lambda_index,lambda,metric,mean,se\n";
    for (Index k = 0; k < lambda_count; ++k) {
      for (const std::string& metric : metrics) {
        const MetricCurve& curve = result.curves.at(metric);
        csv << k << "," << format_17g(result.lambdas[static_cast<std::size_t>(k)]) << "," << metric << ","
            << csv_number(curve.mean[static_cast<std::size_t>(k)]) << "," << csv_number(curve.se[static_cast<std::size_t>(k)]) << "\n";
      }
    }
    write_file_atomically(staging.path / "cv.csv", csv.str());
  }
  {
    auto coefficients_at = [&](Index k) {
      std::ostringstream out;
      out << "{\"lambda_index\": " << k << ", \"lambda\": " << json_number(refit.lambdas[static_cast<std::size_t>(k)])
          << ", \"intercept\": " << json_number(refit.intercepts[static_cast<std::size_t>(k)]) << ", \"coefficients\": {";
      const auto& list = refit.coefficients[static_cast<std::size_t>(k)];
      for (std::size_t c = 0; c < list.size(); ++c) {
        out << (c ? ", " : "") << json_escape(refit.feature_names[static_cast<std::size_t>(list[c].first)]) << ": "
            << json_number(list[c].second);
      }
      out << "}}";
      return out.str();
    };
    auto numbers = [](const std::vector<double>& values) {
      std::string out = "[";
      for (std::size_t k = 0; k < values.size(); ++k) out += (k ? ", " : "") + json_number(values[k]);
      return out + "]";
    };
    std::ostringstream json;
    json << "{\n  \"format\": \"sparsepath-cv-v1\",\n";
    json << "  \"loss\": " << json_escape(result.loss) << ",\n";
    json << "  \"measure\": " << json_escape(result.measure) << ",\n";
    json << "  \"maximize\": " << (metric_is_maximized(result.measure) ? "true" : "false") << ",\n";
    json << "  \"lambda_min\": " << json_number(result.lambda_min) << ",\n";
    json << "  \"lambda_1se\": " << json_number(result.lambda_1se) << ",\n";
    json << "  \"index_min\": " << result.index_min << ",\n";
    json << "  \"index_1se\": " << result.index_1se << ",\n";
    json << "  \"folds\": " << folds << ",\n";
    json << "  \"fold_ids\": \"fold_ids.txt\",\n";
    json << "  \"seed\": " << (options.fold_ids_file ? std::string("null") : std::to_string(options.seed)) << ",\n";
    json << "  \"lambdas\": " << numbers(result.lambdas) << ",\n";
    json << "  \"nonzeros\": [";
    for (std::size_t k = 0; k < result.nonzeros.size(); ++k) json << (k ? ", " : "") << result.nonzeros[k];
    json << "],\n  \"curves\": {";
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const MetricCurve& curve = result.curves.at(metrics[m]);
      json << (m ? "," : "") << "\n    " << json_escape(metrics[m]) << ": {\"mean\": " << numbers(curve.mean)
           << ", \"se\": " << numbers(curve.se) << "}";
    }
    json << "\n  },\n  \"refit\": {\n    \"lambda_min\": " << coefficients_at(result.index_min)
         << ",\n    \"lambda_1se\": " << coefficients_at(result.index_1se) << "\n  }\n}\n";
    write_file_atomically(staging.path / "cv.json", json.str());
  }

  if (fs::exists(output, error)) {
    fs::remove_all(output, error);
    if (error) throw Error("cannot replace '" + output.string() + "': " + error.message());
  }
  fs::rename(staging.path, output, error);
  if (error) throw Error("cannot move results into '" + output.string() + "': " + error.message());
  staging.keep = true;
  result.output_directory = output;
  barrier();
  return result;
}

}  // namespace sparsepath
