#include "sparsepath/path/model.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <cmath>
#include <limits>
#include <unordered_map>

namespace sparsepath {

namespace pt = boost::property_tree;

namespace {

// A path.json parsed and checked to be one (messages name the file and line).
pt::ptree read_path_json(const std::filesystem::path& path_json) {
  pt::ptree tree;
  try {
    pt::read_json(path_json.string(), tree);
  } catch (const pt::json_parser_error& failure) {
    throw Error(path_json.string() + ":" + std::to_string(failure.line()) + ": " + failure.message() +
                "; expected a path.json written by sparsepath fit");
  }
  if (tree.get<std::string>("format", "") != "sparsepath-path-v1") {
    throw Error(path_json.string() + ": not a sparsepath path.json (format is '" +
                tree.get<std::string>("format", "") + "'; expected 'sparsepath-path-v1')");
  }
  return tree;
}

}  // namespace

FittedPath read_fitted_path(const std::filesystem::path& path_json) {
  const pt::ptree tree = read_path_json(path_json);
  FittedPath model;
  model.loss = tree.get<std::string>("loss", "");
  model.target = tree.get<std::string>("metadata.target", "y");
  for (const auto& item : tree.get_child("feature_names")) model.feature_names.push_back(item.second.data());
  for (const auto& item : tree.get_child("points")) {
    const pt::ptree& point = item.second;
    model.lambdas.push_back(point.get<double>("lambda"));
    model.intercepts.push_back(point.get<double>("intercept"));
    std::vector<std::pair<Index, double>> coefficients;
    for (const auto& coefficient : point.get_child("coefficients")) {
      const Index index = coefficient.second.get<Index>("index");
      if (index < 0 || index >= static_cast<Index>(model.feature_names.size())) {
        throw Error(path_json.string() + ": coefficient index " + std::to_string(index) + " out of range");
      }
      coefficients.emplace_back(index, coefficient.second.get<double>("coef"));
    }
    model.coefficients.push_back(std::move(coefficients));
  }
  if (model.lambdas.empty()) throw Error(path_json.string() + ": the path has no points");
  return model;
}

std::vector<PathPoint> read_path_points(const std::filesystem::path& path_json) {
  const pt::ptree tree = read_path_json(path_json);
  // Non-finite numbers are written as null.
  auto number = [](const pt::ptree& node, const std::string& key) {
    const std::string text = node.get<std::string>(key, "null");
    return text == "null" ? std::numeric_limits<double>::quiet_NaN() : std::stod(text);
  };
  std::vector<PathPoint> points;
  try {
    for (const auto& item : tree.get_child("points")) {
      const pt::ptree& node = item.second;
      PathPoint point;
      point.lambda = number(node, "lambda");
      point.intercept = number(node, "intercept");
      for (const auto& coefficient : node.get_child("coefficients")) {
        point.coefficients.emplace_back(coefficient.second.get<Index>("index"), number(coefficient.second, "coef"));
      }
      point.objective = number(node, "objective");
      point.dual_objective = number(node, "dual_objective");
      point.duality_gap = number(node, "duality_gap");
      point.gap_tolerance = number(node, "gap_tolerance");
      point.max_kkt_violation = number(node, "max_kkt_violation");
      point.converged = node.get<bool>("converged");
      const std::string status = node.get<std::string>("status");
      for (Status candidate : {Status::ok, Status::not_converged, Status::numerical_issue, Status::invalid_input,
                               Status::unsupported, Status::interrupted}) {
        if (to_string(candidate) == status) point.status = candidate;
      }
      point.message = node.get<std::string>("message", "");
      point.passes = node.get<long long>("passes", 0);
      point.outer_iterations = node.get<long long>("outer_iterations", 0);
      point.flops = number(node, "flops");
      point.seconds = number(node, "seconds");
      point.deviance_ratio = number(node, "deviance_ratio");
      point.screening.safe_screened = node.get<Index>("screening.safe_screened", 0);
      point.screening.strong_discarded = node.get<Index>("screening.strong_discarded", 0);
      point.screening.kkt_violations = node.get<Index>("screening.kkt_violations", 0);
      point.screening.dynamic_screened = node.get<Index>("screening.dynamic_screened", 0);
      point.screening.working_set = node.get<Index>("screening.working_set", 0);
      point.hierarchy_violations = node.get<Index>("hierarchy_violations", -1);
      points.push_back(std::move(point));
    }
  } catch (const std::exception& failure) {
    throw Error(path_json.string() + ": a path point cannot be read (" + failure.what() + ")");
  }
  return points;
}

Matrix predict(const FittedPath& model, const DataSet& data, const std::vector<Index>& lambda_indices,
               PredictionType type) {
  // Map each model feature to a data column by name; an interaction feature "a:b" (the product
  // of columns a and b, on the original scale) maps to both.
  std::unordered_map<std::string, Index> column_of;
  for (Index j = 0; j < data.cols(); ++j) column_of[data.names[j]] = j;
  std::vector<Index> columns(model.feature_names.size(), -1), partners(model.feature_names.size(), -1);
  for (std::size_t f = 0; f < model.feature_names.size(); ++f) {
    const std::string& name = model.feature_names[f];
    auto it = column_of.find(name);
    if (it != column_of.end()) {
      columns[f] = it->second;
      continue;
    }
    const auto colon = name.find(':');
    if (colon == std::string::npos) continue;
    auto left = column_of.find(name.substr(0, colon)), right = column_of.find(name.substr(colon + 1));
    if (left != column_of.end() && right != column_of.end()) {
      columns[f] = left->second;
      partners[f] = right->second;
    }
  }
  auto column_values = [&](Index column) {
    Vector values = Vector::Zero(data.rows());
    if (data.is_sparse) {
      for (SparseMatrix::InnerIterator it(data.sparse, column); it; ++it) values[it.row()] = it.value();
    } else {
      values = data.dense.col(column);
    }
    return values;
  };
  const Index n = data.rows();
  Matrix out(n, static_cast<Index>(lambda_indices.size()));
  for (std::size_t c = 0; c < lambda_indices.size(); ++c) {
    const Index k = lambda_indices[c];
    if (k < 0 || k >= static_cast<Index>(model.lambdas.size())) {
      throw Error("lambda index " + std::to_string(k) + " is out of range; the path has " +
                  std::to_string(model.lambdas.size()) + " points (0.." +
                  std::to_string(model.lambdas.size() - 1) + ")");
    }
    Vector z = Vector::Constant(n, model.intercepts[k]);
    for (const auto& [feature, value] : model.coefficients[k]) {
      const Index column = columns[feature];
      if (column < 0) {
        throw Error("the data has no column '" + model.feature_names[feature] +
                    "', which the model uses at lambda index " + std::to_string(k));
      }
      if (partners[feature] >= 0) {
        z += value * column_values(column).cwiseProduct(column_values(partners[feature]));
      } else if (data.is_sparse) {
        for (SparseMatrix::InnerIterator it(data.sparse, column); it; ++it) z[it.row()] += value * it.value();
      } else {
        z += value * data.dense.col(column);
      }
    }
    if (type == PredictionType::response && model.loss == "logistic") {
      z = z.unaryExpr([](double t) { return 1.0 / (1.0 + std::exp(-t)); });
    }
    out.col(static_cast<Index>(c)) = z;
  }
  return out;
}

}  // namespace sparsepath
