// Readers for the data formats: CSV with a header, LIBSVM/svmlight, Matrix Market, and plain
// one-number-per-line vector files (weights, penalty factors, lambda grids, targets).
// Every reader throws sparsepath::Error with "FILE:LINE: what was found, what was expected".
#pragma once

#include "sparsepath/core/types.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sparsepath {

struct DataSet {
  bool is_sparse = false;
  Matrix dense;                      // n x p when !is_sparse
  SparseMatrix sparse;               // n x p when is_sparse (compressed)
  Vector y;                          // n
  std::vector<std::string> names;    // p feature names (index text when the format has none)
  std::string target_name = "y";
  Index rows() const { return is_sparse ? sparse.rows() : dense.rows(); }
  Index cols() const { return is_sparse ? sparse.cols() : dense.cols(); }
};

// CSV: first line is the header (comma separated, no quoting), every other line numeric.
// The column named `target` is y; every other column is a feature, in file order.
// Blank lines at the end are ignored; a line starting with '#' is a comment.
// When `target` is empty, the file has no target column (predict): y is left empty.
DataSet read_csv(const std::filesystem::path& file, const std::string& target);

// LIBSVM / svmlight: "label index:value ..." with 1-based strictly increasing indices.
// `features` = 0 means "the largest index seen" (at most 10^7: a larger one must be stated);
// otherwise indices above it are an error.
DataSet read_libsvm(const std::filesystem::path& file, Index features = 0);

// Matrix Market coordinate real/integer/pattern general matrix (rows = samples).
// The target comes from target_file (one number per line) when given.
DataSet read_matrix_market(const std::filesystem::path& file,
                           const std::filesystem::path& target_file);

// The rows `rows` of `data` (0-based, in that order; repeats allowed), dense or sparse.
DataSet select_rows(const DataSet& data, const std::vector<Index>& rows);

// One finite number per line ('#' comments and blank lines skipped). `what` names the content
// in messages ("sample weights"). expected_count < 0 means any count.
Vector read_vector_file(const std::filesystem::path& file, const std::string& what,
                        Index expected_count = -1);

// The text without leading and trailing blanks (spaces, tabs, carriage returns).
std::string_view trim(std::string_view text);

// Parses a number the way the readers do: the whole cell must be a finite double.
bool parse_finite(std::string_view cell, double& value);

}  // namespace sparsepath
