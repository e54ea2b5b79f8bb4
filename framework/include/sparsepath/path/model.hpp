// A fitted path read back from path.json, and predictions from it.
#pragma once

#include "sparsepath/io/data_readers.hpp"
#include "sparsepath/path/path_result.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sparsepath {

struct FittedPath {
  std::string loss;
  std::vector<std::string> feature_names;
  std::string target;
  std::vector<double> lambdas;
  std::vector<double> intercepts;
  std::vector<std::vector<std::pair<Index, double>>> coefficients;
};

FittedPath read_fitted_path(const std::filesystem::path& path_json);

// Every recorded field of the points of a path.json, as the path solver produced them (what
// `fit --resume` keeps of an interrupted run). Throws Error naming the file.
std::vector<PathPoint> read_path_points(const std::filesystem::path& path_json);

enum class PredictionType { link, response };

// Rows x selected lambdas. Features are matched by name (data columns not in the model, such
// as the target, are ignored; a model feature missing from the data is an error).
Matrix predict(const FittedPath& model, const DataSet& data, const std::vector<Index>& lambda_indices,
               PredictionType type);

}  // namespace sparsepath
