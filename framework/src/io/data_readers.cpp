// Readers for CSV, LIBSVM/svmlight, Matrix Market and one-number-per-line vector files.
// Each reader loads the whole file into memory once and scans it with string_views, so no
// per-cell allocation happens on the success path. Every problem is reported as
// sparsepath::Error("FILE:LINE: <what was found>; expected <what>").
#include "sparsepath/io/data_readers.hpp"

#include "sparsepath/core/memory.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace sparsepath {

namespace {

// ----------------------------------------------------------------------------------------------
// Messages

[[noreturn]] void fail(const std::string& file, std::size_t line, const std::string& found,
                       const std::string& expected) {
  std::string message = file;
  if (line > 0) message += ":" + std::to_string(line);
  message += ": ";
  message += found;
  if (!expected.empty()) {
    message += "; expected ";
    message += expected;
  }
  throw Error(message);
}

// A value quoted for a message, shortened when very long (a whole garbage line, say).
std::string quote(std::string_view text) {
  constexpr std::size_t max_length = 60;
  std::string out = "'";
  if (text.size() > max_length) {
    out.append(text.substr(0, max_length - 3));
    out += "...";
  } else {
    out.append(text);
  }
  out += "'";
  return out;
}

std::string plural(std::size_t count, const char* singular, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? singular : many);
}

// ----------------------------------------------------------------------------------------------
// Text helpers

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }


bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Splits on spaces and tabs.
std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_blank_char(text[i])) ++i;
    if (i == text.size()) break;
    std::size_t start = i;
    while (i < text.size() && !is_blank_char(text[i])) ++i;
    tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

// Iterates over the lines of an in-memory file; strips '\n' and a trailing '\r'.
struct LineCursor {
  std::string_view text;
  std::size_t pos = 0;
  std::size_t line_no = 0;  // 1-based number of the line last returned

  explicit LineCursor(std::string_view all) : text(all) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 BOM
  }

  bool next(std::string_view& line) {
    if (pos >= text.size()) return false;
    const std::size_t newline = text.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    line = text.substr(pos, end - pos);
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }
};

// True for a line that holds nothing but blanks, or whose first non-blank is `comment`.
bool skippable(std::string_view line, char comment) {
  std::size_t i = 0;
  while (i < line.size() && is_blank_char(line[i])) ++i;
  return i == line.size() || line[i] == comment;
}

std::string read_whole_file(const std::filesystem::path& file, const std::string& kind) {
  const std::string name = file.string();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw Error("cannot open " + kind + " '" + name + "': it is a directory; expected a file");
  }
  errno = 0;
  std::FILE* handle = std::fopen(name.c_str(), "rb");
  if (handle == nullptr) {
    const int error = errno;
    throw Error("cannot open " + kind + " '" + name +
                "': " + (error != 0 ? std::strerror(error) : "unknown error"));
  }
  std::string text;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > 0) text.reserve(static_cast<std::size_t>(size));
  char buffer[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(buffer, 1, sizeof buffer, handle);
    if (got > 0) text.append(buffer, got);
    if (got < sizeof buffer) break;
  }
  const bool failed = std::ferror(handle) != 0;
  const int error = errno;
  std::fclose(handle);
  if (failed) {
    throw Error("cannot read " + kind + " '" + name +
                "': " + (error != 0 ? std::strerror(error) : "read error"));
  }
  return text;
}

// ----------------------------------------------------------------------------------------------
// Numbers

enum class NumberKind { ok, empty, invalid, non_finite, overflow };

// `text` must already be trimmed. Accepts one leading '+'. Sets `value` only when ok.
NumberKind parse_number(std::string_view text, double& value) {
  if (text.empty()) return NumberKind::empty;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') {
    ++begin;
    if (begin == end || *begin == '+' || *begin == '-') return NumberKind::invalid;
  }
  double parsed = 0.0;
  const auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ptr != end) return NumberKind::invalid;
  if (ec == std::errc::result_out_of_range) {
    // Either overflow (reject) or underflow to a denormal/zero (accept); strtod tells which.
    const std::string copy(begin, end);
    const double d = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(d) || std::fabs(d) == HUGE_VAL) return NumberKind::overflow;
    value = d;
    return NumberKind::ok;
  }
  if (ec != std::errc()) return NumberKind::invalid;
  if (!std::isfinite(parsed)) return NumberKind::non_finite;
  value = parsed;
  return NumberKind::ok;
}

// "<found>" and "<expected>" halves of a message about a bad number.
std::pair<std::string, std::string> describe_number(NumberKind kind, std::string_view text) {
  switch (kind) {
    case NumberKind::empty:
      return {"an empty value", "a finite number"};
    case NumberKind::non_finite:
      return {"value " + quote(text), "a finite number (NaN and Inf are not allowed)"};
    case NumberKind::overflow:
      return {"value " + quote(text), "a finite number (this one is outside the double range)"};
    case NumberKind::invalid:
    case NumberKind::ok:
      break;
  }
  return {"non-numeric value " + quote(text), "a finite number"};
}

// Parses a non-negative/positive integer token; false when it is not an integer at all.
bool parse_integer(std::string_view text, long long& value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    value = (text.front() == '-') ? LLONG_MIN : LLONG_MAX;
    return true;
  }
  return ec == std::errc() && ptr == end && begin != end;
}

std::vector<std::string> index_names(Index count) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  for (Index j = 0; j < count; ++j) names.push_back(std::to_string(j));
  return names;
}

constexpr long long max_int_index = INT_MAX;

// ----------------------------------------------------------------------------------------------
// CSV helpers

std::string column_list(const std::vector<std::string>& columns) {
  constexpr std::size_t shown = 20;
  std::string list;
  for (std::size_t i = 0; i < columns.size() && i < shown; ++i) {
    if (i > 0) list += ", ";
    list += columns[i];
  }
  if (columns.size() > shown) {
    list += ", ... (" + std::to_string(columns.size()) + " columns in all)";
  }
  return list;
}

}  // namespace

std::string_view trim(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_blank_char(text[begin])) ++begin;
  while (end > begin && is_blank_char(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

bool parse_finite(std::string_view cell, double& value) {
  double parsed = 0.0;
  if (parse_number(trim(cell), parsed) != NumberKind::ok) return false;
  value = parsed;
  return true;
}

// ================================================================================================
// CSV

DataSet read_csv(const std::filesystem::path& file, const std::string& target) {
  const std::string name = file.string();
  const std::string text = read_whole_file(file, "data file");
  LineCursor cursor(text);
  std::string_view line;

  // Header: the first line that is neither blank nor a comment.
  std::size_t header_line = 0;
  while (cursor.next(line)) {
    if (skippable(line, '#')) continue;
    header_line = cursor.line_no;
    break;
  }
  if (header_line == 0) {
    fail(name, 0,
         trim(text).empty() ? "file is empty" : "file is empty (only comments and blank lines)",
         "a header line");
  }

  std::vector<std::string> columns;
  {
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      const std::size_t stop = comma == std::string_view::npos ? line.size() : comma;
      const std::string_view cell = trim(line.substr(start, stop - start));
      const std::size_t number = columns.size() + 1;
      if (cell.empty()) {
        fail(name, header_line, "header column " + std::to_string(number) + " has an empty name",
             "a non-empty name in every header cell");
      }
      if (cell.front() == '"') {
        fail(name, header_line,
             "header column " + std::to_string(number) + " is quoted (" + quote(cell) + ")",
             "plain comma-separated names (quoted fields are not supported)");
      }
      columns.emplace_back(cell);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }

  // Duplicate names, then the target.
  {
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(columns.size() * 2);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto [it, inserted] = seen.emplace(columns[c], c);
      if (inserted) continue;
      const std::string where =
          " (columns " + std::to_string(it->second + 1) + " and " + std::to_string(c + 1) + ")";
      if (!target.empty() && columns[c] == target) {
        fail(name, header_line, "target column " + quote(target) + " appears twice in the header" + where,
             "exactly one column named " + quote(target));
      }
      fail(name, header_line, "column name " + quote(columns[c]) + " appears twice in the header" + where,
           "unique column names");
    }
  }

  const std::size_t cells = columns.size();
  std::size_t target_column = cells;  // == cells: no target
  if (!target.empty()) {
    for (std::size_t c = 0; c < cells; ++c) {
      if (columns[c] == target) target_column = c;
    }
    if (target_column == cells) {
      std::string message = name + ":" + std::to_string(header_line) + ": no column named " +
                            quote(target) + " in the header; columns are: " + column_list(columns);
      for (const auto& column : columns) {
        if (iequals(trim(column), trim(target))) {
          message += " (did you mean " + quote(column) + "?)";
          break;
        }
      }
      bool all_numeric = true;
      double ignored = 0.0;
      for (const auto& column : columns) all_numeric = all_numeric && parse_finite(column, ignored);
      if (all_numeric) message += " (the first line holds numbers: the file needs a header line)";
      throw Error(message);
    }
    if (cells == 1) {
      fail(name, header_line, "the header has only the target column " + quote(target),
           "at least one feature column besides the target");
    }
  }

  DataSet data;
  data.is_sparse = false;
  if (!target.empty()) data.target_name = target;
  const std::size_t features = target_column == cells ? cells : cells - 1;
  data.names.reserve(features);
  for (std::size_t c = 0; c < cells; ++c) {
    if (c != target_column) data.names.push_back(columns[c]);
  }

  // Rows, parsed into row-major storage.
  const std::string_view rest = std::string_view(text).substr(cursor.pos);
  const std::size_t line_estimate =
      static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '\n')) + 1;
  std::vector<double> values;
  std::vector<double> targets;
  values.reserve(line_estimate * features);
  if (target_column != cells) targets.reserve(line_estimate);

  std::size_t rows = 0;
  while (cursor.next(line)) {
    if (skippable(line, '#')) continue;
    const std::size_t found_cells =
        static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    if (found_cells != cells) {
      fail(name, cursor.line_no, "row has " + plural(found_cells, "cell", "cells"),
           std::to_string(cells) + " (as in the header)");
    }
    const char* p = line.data();
    const char* const end = p + line.size();
    for (std::size_t c = 0; c < cells; ++c) {
      const char* stop = end;
      if (c + 1 < cells) stop = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(end - p)));
      const std::string_view cell = trim(std::string_view(p, static_cast<std::size_t>(stop - p)));
      p = stop + 1;
      double value = 0.0;
      const NumberKind kind = parse_number(cell, value);
      if (kind != NumberKind::ok) {
        if (!cell.empty() && cell.front() == '"') {
          fail(name, cursor.line_no,
               "column " + quote(columns[c]) + " has quoted value " + quote(cell),
               "a plain number (quoted fields are not supported)");
        }
        const auto [found, expected] = describe_number(kind, cell);
        fail(name, cursor.line_no, "column " + quote(columns[c]) + " has " + found, expected);
      }
      if (c == target_column) {
        targets.push_back(value);
      } else {
        values.push_back(value);
      }
    }
    ++rows;
  }
  if (rows == 0) {
    fail(name, 0, "no data rows after the header (line " + std::to_string(header_line) + ")",
         "at least one row of numbers");
  }

  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  resize_on_huge_pages(data.dense, static_cast<Index>(rows), static_cast<Index>(features));
  data.dense = Eigen::Map<const RowMajor>(values.data(), static_cast<Index>(rows),
                                          static_cast<Index>(features));
  if (target_column != cells) {
    data.y = Eigen::Map<const Vector>(targets.data(), static_cast<Index>(rows));
  }
  return data;
}

// ================================================================================================
// LIBSVM / svmlight

DataSet select_rows(const DataSet& data, const std::vector<Index>& rows) {
  DataSet out;
  out.is_sparse = data.is_sparse;
  out.names = data.names;
  out.target_name = data.target_name;
  const Index n = static_cast<Index>(rows.size());
  out.y.resize(n);
  for (Index i = 0; i < n; ++i) out.y[i] = data.y[rows[static_cast<std::size_t>(i)]];
  if (!data.is_sparse) {
    resize_on_huge_pages(out.dense, n, data.dense.cols());
    for (Index i = 0; i < n; ++i) out.dense.row(i) = data.dense.row(rows[static_cast<std::size_t>(i)]);
    return out;
  }
  std::vector<Index> position(static_cast<std::size_t>(data.sparse.rows()), -1);
  for (Index i = 0; i < n; ++i) position[static_cast<std::size_t>(rows[static_cast<std::size_t>(i)])] = i;
  std::vector<Eigen::Triplet<double>> entries;
  for (Index j = 0; j < data.sparse.outerSize(); ++j) {
    for (SparseMatrix::InnerIterator it(data.sparse, j); it; ++it) {
      const Index row = position[static_cast<std::size_t>(it.row())];
      if (row >= 0) entries.emplace_back(static_cast<int>(row), static_cast<int>(j), it.value());
    }
  }
  out.sparse.resize(n, data.sparse.cols());
  out.sparse.setFromTriplets(entries.begin(), entries.end());
  out.sparse.makeCompressed();
  return out;
}

constexpr long long max_inferred_features = 10'000'000;

DataSet read_libsvm(const std::filesystem::path& file, Index features) {
  const std::string name = file.string();
  if (features < 0 || features > max_int_index) {
    throw Error(name + ": features = " + std::to_string(features) +
                "; expected 0 (use the largest index) or a positive count up to " +
                std::to_string(max_int_index));
  }
  const std::string text = read_whole_file(file, "data file");
  LineCursor cursor(text);
  std::string_view line;

  std::vector<double> labels;
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(text.size() / 8);
  long long max_index = 0;

  while (cursor.next(line)) {
    // svmlight allows a trailing "# info" comment; a line starting with '#' is all comment.
    const std::size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const std::size_t ln = cursor.line_no;

    if (labels.size() >= static_cast<std::size_t>(max_int_index)) {
      fail(name, ln, "more than " + std::to_string(max_int_index) + " rows",
           "at most " + std::to_string(max_int_index) + " rows");
    }
    const int row = static_cast<int>(labels.size());

    std::size_t i = 0;
    auto next_token = [&]() -> std::string_view {
      while (i < line.size() && is_blank_char(line[i])) ++i;
      const std::size_t start = i;
      while (i < line.size() && !is_blank_char(line[i])) ++i;
      return line.substr(start, i - start);
    };

    const std::string_view label_text = next_token();
    double label = 0.0;
    const NumberKind label_kind = parse_number(label_text, label);
    if (label_kind != NumberKind::ok) {
      if (label_text.find(':') != std::string_view::npos) {
        fail(name, ln, "line starts with " + quote(label_text),
             "a label (a finite number) before the index:value pairs");
      }
      const auto [found, expected] = describe_number(label_kind, label_text);
      fail(name, ln, "label is " + found, expected);
    }
    labels.push_back(label);

    long long previous = 0;
    for (std::string_view token = next_token(); !token.empty(); token = next_token()) {
      const std::size_t colon = token.find(':');
      if (colon == std::string_view::npos) {
        fail(name, ln, "entry " + quote(token) + " has no ':'", "index:value");
      }
      const std::string_view index_text = token.substr(0, colon);
      const std::string_view value_text = token.substr(colon + 1);
      if (iequals(index_text, "qid")) {
        fail(name, ln, "entry " + quote(token) + " is a query id",
             "only index:value pairs (query ids are not supported)");
      }
      long long index = 0;
      if (!parse_integer(index_text, index)) {
        fail(name, ln, "feature index " + quote(index_text) + " in entry " + quote(token),
             "a positive integer (indices are 1-based)");
      }
      if (index <= 0) {
        fail(name, ln, "feature index " + quote(index_text) + " in entry " + quote(token),
             "indices of 1 or more (LIBSVM indices are 1-based)");
      }
      if (index > max_int_index) {
        fail(name, ln, "feature index " + quote(index_text) + " is too large",
             "at most " + std::to_string(max_int_index));
      }
      if (features > 0 && index > features) {
        fail(name, ln, "feature index " + quote(index_text) + " is above the " +
                           std::to_string(features) + " features",
             "indices 1.." + std::to_string(features));
      }
      // Inferred from the largest index, the feature count sizes the design (and one name per
      // feature): one stray huge index would take gigabytes. Past 10^7 it must be stated.
      if (features == 0 && index > max_inferred_features) {
        fail(name, ln, "feature index " + quote(index_text) + " is above " + std::to_string(max_inferred_features) +
                           ", the most features a LIBSVM file may imply",
             "[data] n_features set to the number of features when there really are that many");
      }
      if (index <= previous) {
        fail(name, ln,
             "feature index " + quote(index_text) + " comes after index " + std::to_string(previous),
             "strictly increasing indices within a line");
      }
      previous = index;
      double value = 0.0;
      const NumberKind kind = parse_number(value_text, value);
      if (kind != NumberKind::ok) {
        const auto [found, expected] = describe_number(kind, value_text);
        fail(name, ln, "feature index " + std::string(index_text) + " has " + found, expected);
      }
      triplets.emplace_back(row, static_cast<int>(index - 1), value);
    }
    max_index = std::max(max_index, previous);
  }

  if (labels.empty()) {
    fail(name, 0, text.empty() ? "file is empty" : "no data rows (only comments and blank lines)",
         "lines of the form 'label index:value ...'");
  }

  DataSet data;
  data.is_sparse = true;
  const Index rows = static_cast<Index>(labels.size());
  const Index cols = features > 0 ? features : static_cast<Index>(max_index);
  data.sparse.resize(rows, cols);
  data.sparse.setFromTriplets(triplets.begin(), triplets.end());
  data.sparse.makeCompressed();
  data.y = Eigen::Map<const Vector>(labels.data(), rows);
  data.names = index_names(cols);
  return data;
}

// ================================================================================================
// Matrix Market

DataSet read_matrix_market(const std::filesystem::path& file,
                           const std::filesystem::path& target_file) {
  const std::string name = file.string();
  const std::string text = read_whole_file(file, "data file");
  static const char* const supported =
      "'%%MatrixMarket matrix coordinate real|integer|pattern general'";
  LineCursor cursor(text);
  std::string_view line;

  if (!cursor.next(line) || trim(text).empty()) {
    fail(name, 0, "file is empty", std::string("a header line ") + supported);
  }
  const std::string_view banner = trim(line);
  const std::vector<std::string_view> words = split_whitespace(banner);
  if (words.empty() || !iequals(words[0], "%%MatrixMarket")) {
    fail(name, 1, "first line is " + quote(banner), std::string("a Matrix Market header ") + supported);
  }
  if (words.size() != 5) {
    fail(name, 1, "header " + quote(banner) + " has " + plural(words.size(), "word", "words"),
         std::string("5 words: ") + supported);
  }
  const std::string header = "header " + quote(banner);
  if (!iequals(words[1], "matrix")) {
    fail(name, 1, header + " describes a " + quote(words[1]),
         std::string("a matrix: ") + supported);
  }
  if (!iequals(words[2], "coordinate")) {
    fail(name, 1, header + " uses format " + quote(words[2]),
         std::string("'coordinate' (dense 'array' files are not supported): ") + supported);
  }
  const bool pattern = iequals(words[3], "pattern");
  if (!pattern && !iequals(words[3], "real") && !iequals(words[3], "integer")) {
    fail(name, 1, header + " has field " + quote(words[3]),
         std::string("real, integer or pattern (complex is not supported): ") + supported);
  }
  if (!iequals(words[4], "general")) {
    fail(name, 1, header + " has symmetry " + quote(words[4]),
         std::string("general (symmetric, skew-symmetric and hermitian storage are not "
                     "supported): ") + supported);
  }

  // Size line after '%' comments.
  std::size_t size_line = 0;
  while (cursor.next(line)) {
    if (skippable(line, '%')) continue;
    size_line = cursor.line_no;
    break;
  }
  if (size_line == 0) {
    fail(name, 0, "no size line after the header", "a line 'rows columns entries'");
  }
  long long rows = 0, cols = 0, declared = 0;
  {
    const std::vector<std::string_view> size_words = split_whitespace(line);
    if (size_words.size() != 3 || !parse_integer(size_words[0], rows) ||
        !parse_integer(size_words[1], cols) || !parse_integer(size_words[2], declared) ||
        rows < 0 || cols < 0 || declared < 0) {
      fail(name, size_line, "size line is " + quote(trim(line)),
           "three non-negative integers 'rows columns entries'");
    }
    if (rows == 0) fail(name, size_line, "the matrix has 0 rows", "at least one data row");
    if (cols == 0) fail(name, size_line, "the matrix has 0 columns", "at least one feature column");
    // Every column gets a name and a slot in the design: a tiny file must not claim billions.
    if (cols > max_inferred_features) {
      fail(name, size_line, std::to_string(cols) + " columns declared",
           "at most " + std::to_string(max_inferred_features) + " feature columns");
    }
    if (rows > max_int_index || cols > max_int_index) {
      fail(name, size_line, "size " + std::to_string(rows) + " x " + std::to_string(cols),
           "at most " + std::to_string(max_int_index) + " rows and columns");
    }
    if (static_cast<double>(declared) > static_cast<double>(rows) * static_cast<double>(cols)) {
      fail(name, size_line,
           std::to_string(declared) + " entries declared for a " + std::to_string(rows) + " x " +
               std::to_string(cols) + " matrix",
           "at most rows x columns entries");
    }
  }
  const std::string declared_text =
      std::to_string(declared) + " (as declared on line " + std::to_string(size_line) + ")";

  const LineCursor entries_start = cursor;
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(static_cast<std::size_t>(
      std::min<long long>(declared, static_cast<long long>(text.size() / 4 + 1))));
  const std::size_t fields = pattern ? 2 : 3;
  const char* const field_names = pattern ? "'row column'" : "'row column value'";

  while (cursor.next(line)) {
    if (skippable(line, '%')) continue;
    const std::size_t ln = cursor.line_no;
    if (static_cast<long long>(triplets.size()) == declared) {
      std::size_t total = triplets.size() + 1;
      while (cursor.next(line)) {
        if (!skippable(line, '%')) ++total;
      }
      fail(name, ln, "has " + plural(total, "entry", "entries"), declared_text);
    }
    const std::vector<std::string_view> entry = split_whitespace(line);
    if (entry.size() != fields) {
      fail(name, ln,
           "entry " + quote(trim(line)) + " has " + plural(entry.size(), "field", "fields"),
           std::to_string(fields) + " fields " + field_names);
    }
    long long i = 0, j = 0;
    if (!parse_integer(entry[0], i) || i < 1 || i > rows) {
      fail(name, ln, "row index " + quote(entry[0]), "an integer in 1.." + std::to_string(rows));
    }
    if (!parse_integer(entry[1], j) || j < 1 || j > cols) {
      fail(name, ln, "column index " + quote(entry[1]),
           "an integer in 1.." + std::to_string(cols));
    }
    double value = 1.0;
    if (!pattern) {
      const NumberKind kind = parse_number(entry[2], value);
      if (kind != NumberKind::ok) {
        const auto [found, expected] = describe_number(kind, entry[2]);
        fail(name, ln, "entry (" + std::to_string(i) + ", " + std::to_string(j) + ") has " + found,
             expected);
      }
    }
    triplets.emplace_back(static_cast<int>(i - 1), static_cast<int>(j - 1), value);
  }
  if (static_cast<long long>(triplets.size()) != declared) {
    fail(name, 0, "has " + plural(triplets.size(), "entry", "entries"), declared_text);
  }

  DataSet data;
  data.is_sparse = true;
  data.sparse.resize(static_cast<Index>(rows), static_cast<Index>(cols));
  data.sparse.setFromTriplets(triplets.begin(), triplets.end());  // sums duplicates
  data.sparse.makeCompressed();

  if (static_cast<std::size_t>(data.sparse.nonZeros()) != triplets.size()) {
    // Find a duplicated (i, j) and the lines holding it (error path only).
    std::vector<std::size_t> order(triplets.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = triplets[a];
      const auto& y = triplets[b];
      return x.col() != y.col() ? x.col() < y.col() : x.row() < y.row();
    });
    std::size_t first = 0, second = 0;
    for (std::size_t k = 1; k < order.size(); ++k) {
      const auto& x = triplets[order[k - 1]];
      const auto& y = triplets[order[k]];
      if (x.row() == y.row() && x.col() == y.col()) {
        first = std::min(order[k - 1], order[k]);
        second = std::max(order[k - 1], order[k]);
        break;
      }
    }
    std::size_t first_line = 0, second_line = 0, count = 0;
    LineCursor again = entries_start;
    while (again.next(line)) {
      if (skippable(line, '%')) continue;
      if (count == first) first_line = again.line_no;
      if (count == second) {
        second_line = again.line_no;
        break;
      }
      ++count;
    }
    const auto& dup = triplets[second];
    fail(name, second_line,
         "entry (" + std::to_string(dup.row() + 1) + ", " + std::to_string(dup.col() + 1) +
             ") appears again (first on line " + std::to_string(first_line) + ")",
         "each (row, column) at most once");
  }

  if (!target_file.empty()) {
    data.y = read_vector_file(target_file, "targets", static_cast<Index>(rows));
  }
  data.names = index_names(static_cast<Index>(cols));
  return data;
}

// ================================================================================================
// Vector files

Vector read_vector_file(const std::filesystem::path& file, const std::string& what,
                        Index expected_count) {
  const std::string name = file.string();
  const std::string text = read_whole_file(file, what + " file");
  LineCursor cursor(text);
  std::string_view line;
  std::vector<double> values;
  if (expected_count > 0) values.reserve(static_cast<std::size_t>(expected_count));
  while (cursor.next(line)) {
    if (skippable(line, '#')) continue;
    const std::string_view cell = trim(line);
    double value = 0.0;
    switch (parse_number(cell, value)) {
      case NumberKind::ok:
        values.push_back(value);
        continue;
      case NumberKind::non_finite:
        fail(name, cursor.line_no, what + " value " + quote(cell) + " is not a finite number",
             "a finite number (NaN and Inf are not allowed)");
      case NumberKind::overflow:
        fail(name, cursor.line_no, what + " value " + quote(cell) + " is not a finite number",
             "a finite number (this one is outside the double range)");
      case NumberKind::empty:
      case NumberKind::invalid:
        fail(name, cursor.line_no, what + " value " + quote(cell) + " is not a finite number",
             "one finite number per line");
    }
  }
  if (expected_count >= 0 && static_cast<Index>(values.size()) != expected_count) {
    fail(name, 0, "has " + std::to_string(values.size()) + " " + what,
         std::to_string(expected_count));
  }
  if (expected_count < 0 && values.empty()) {
    fail(name, 0, text.empty() ? "file is empty" : "file has no numbers (only comments and blank lines)",
         "one " + what + " value per line");
  }
  return Eigen::Map<const Vector>(values.data(), static_cast<Index>(values.size()));
}

}  // namespace sparsepath
