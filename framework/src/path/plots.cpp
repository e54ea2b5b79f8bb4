#include "sparsepath/path/plots.hpp"

#include "sparsepath/core/types.hpp"
#include "sparsepath/io/svg_plot.hpp"
#include "sparsepath/io/text_output.hpp"
#include "sparsepath/path/model.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

namespace sparsepath {

namespace {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

const char* const lambda_axis_title = "\u03bb (log scale, decreasing to the right)";

std::string lambda_text(double lambda) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3g", lambda);
  return buffer;
}

// ---- CSV ----------------------------------------------------------------------------------

struct CsvRow {
  std::size_t line = 0;  // where the row starts in the file (1-based)
  std::vector<std::string> fields;
};

// RFC 4180 fields: double-quoted when they hold commas, quotes ("" inside) or line breaks; CRLF
// or LF line ends; blank lines skipped.
std::vector<CsvRow> read_csv(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read '" + file.string() + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<CsvRow> rows;
  CsvRow row;
  row.line = 1;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1;
  auto end_row = [&] {
    if (field_started || !row.fields.empty() || !field.empty()) {
      row.fields.push_back(field);
      rows.push_back(row);
    }
    row = CsvRow();
    field.clear();
    field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (row.fields.empty() && field.empty() && !field_started) row.line = line;
    if (c == '"') {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.fields.push_back(field);
      field.clear();
      field_started = true;
    } else if (c == '\n') {
      end_row();
      ++line;
    } else if (c != '\r') {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw Error(file.string() + ":" + std::to_string(row.line) + ": a quoted field is never closed");
  end_row();
  return rows;
}

std::size_t column_of(const std::vector<CsvRow>& rows, const std::string& name, const fs::path& file,
                      const std::string& expected) {
  if (rows.empty()) throw Error(file.string() + ": the file is empty; expected a header " + expected);
  const auto& header = rows.front().fields;
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    throw Error(file.string() + ":1: no column '" + name + "' in the header; expected " + expected);
  }
  return static_cast<std::size_t>(it - header.begin());
}

const std::string& field_of(const CsvRow& row, std::size_t column, const fs::path& file) {
  if (column >= row.fields.size()) {
    throw Error(file.string() + ":" + std::to_string(row.line) + ": the row has " +
                std::to_string(row.fields.size()) + " fields; expected at least " + std::to_string(column + 1));
  }
  return row.fields[column];
}

// A number field; empty, "nan" or "NA" read as NaN.
double number_of(const CsvRow& row, std::size_t column, const std::string& name, const fs::path& file) {
  const std::string& text = field_of(row, column, file);
  if (text.empty() || text == "NA" || text == "null") return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') {
    throw Error(file.string() + ":" + std::to_string(row.line) + ": column '" + name + "' holds '" + text +
                "'; expected a number");
  }
  return value;
}

// ---- path.json ----------------------------------------------------------------------------

FittedPath read_path(const fs::path& path_json) {
  try {
    return read_fitted_path(path_json);
  } catch (const pt::ptree_error& failure) {
    throw Error(path_json.string() + ": " + failure.what() + "; expected a path.json written by sparsepath fit");
  }
}

std::vector<std::size_t> nonzero_counts(const FittedPath& model) {
  std::vector<std::size_t> counts;
  for (const auto& coefficients : model.coefficients) {
    counts.push_back(static_cast<std::size_t>(std::count_if(
        coefficients.begin(), coefficients.end(), [](const auto& entry) { return entry.second != 0.0; })));
  }
  return counts;
}

std::vector<svg::TopLabel> nonzero_labels(const FittedPath& model) {
  std::vector<svg::TopLabel> labels;
  const std::vector<std::size_t> counts = nonzero_counts(model);
  for (std::size_t k = 0; k < counts.size(); ++k) labels.push_back({model.lambdas[k], std::to_string(counts[k])});
  return labels;
}

// One line per feature that is ever nonzero; the (up to) ten largest in magnitude at the last
// lambda are coloured and named at their line ends, the rest are grey when there are more lines
// than colours.
svg::LineChart coefficient_chart(const FittedPath& model) {
  const std::size_t points = model.lambdas.size(), features = model.feature_names.size();
  std::vector<std::vector<double>> values(features);
  std::vector<std::size_t> entered;
  for (std::size_t k = 0; k < points; ++k) {
    for (const auto& [feature, value] : model.coefficients[k]) {
      auto& line = values[static_cast<std::size_t>(feature)];
      if (line.empty()) {
        line.assign(points, 0.0);
        entered.push_back(static_cast<std::size_t>(feature));
      }
      line[k] = value;
    }
  }
  std::sort(entered.begin(), entered.end());
  std::vector<std::size_t> ranked;
  for (std::size_t feature : entered) {
    if (values[feature].back() != 0.0 && std::isfinite(values[feature].back())) ranked.push_back(feature);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    return std::fabs(values[a].back()) > std::fabs(values[b].back());
  });
  constexpr std::size_t labelled = 10;
  if (ranked.size() > labelled) ranked.resize(labelled);
  const bool all_coloured = entered.size() <= svg::palette().size();

  svg::LineChart chart;
  chart.title = "Coefficient paths: " + std::to_string(entered.size()) + " of " + std::to_string(features) +
                " features enter";
  chart.x_title = lambda_axis_title;
  chart.y_title = "coefficient (original scale)";
  chart.log_x = true;
  chart.reverse_x = true;
  chart.y_from_zero = true;
  chart.top_title = "nonzero coefficients";
  chart.top_labels = nonzero_labels(model);
  // Grey lines first so the coloured ones are drawn over them, then the labelled ones by rank.
  std::vector<std::size_t> order;
  for (std::size_t feature : entered) {
    if (std::find(ranked.begin(), ranked.end(), feature) == ranked.end()) order.push_back(feature);
  }
  if (all_coloured) {
    std::vector<std::size_t> rest = order;
    order = ranked;
    order.insert(order.end(), rest.begin(), rest.end());
  } else {
    order.insert(order.end(), ranked.begin(), ranked.end());
  }
  std::size_t colour = 0;
  for (std::size_t feature : order) {
    svg::LineSeries series;
    series.name = model.feature_names[feature];
    series.x = model.lambdas;
    series.y = values[feature];
    const bool named = std::find(ranked.begin(), ranked.end(), feature) != ranked.end();
    if (named) series.end_label = model.feature_names[feature];
    if (named || all_coloured) {
      series.colour = svg::palette()[colour++ % svg::palette().size()];
    } else {
      series.colour = "#c4c4c4";
      series.line_width = 1.0;
    }
    chart.series.push_back(std::move(series));
  }
  return chart;
}

svg::LineChart support_chart(const FittedPath& model) {
  svg::LineChart chart;
  chart.title = "Support size along the path";
  chart.x_title = lambda_axis_title;
  chart.y_title = "nonzero coefficients";
  chart.log_x = true;
  chart.reverse_x = true;
  chart.y_from_zero = true;
  chart.integer_y = true;
  svg::LineSeries series;
  series.name = "nonzero coefficients";
  series.x = model.lambdas;
  for (std::size_t count : nonzero_counts(model)) series.y.push_back(static_cast<double>(count));
  series.colour = svg::palette()[0];
  series.marker_radius = 2.0;
  chart.series.push_back(std::move(series));
  return chart;
}

// ---- cross-validation ---------------------------------------------------------------------

std::string measure_title(const std::string& measure) {
  static const std::map<std::string, std::string> titles = {
      {"mse", "Mean-squared error"}, {"mae", "Mean absolute error"}, {"deviance", "Deviance"},
      {"auc", "AUC"},                {"accuracy", "Accuracy"},       {"log_loss", "Log loss"}};
  const auto it = titles.find(measure);
  return it == titles.end() ? measure : it->second;
}

svg::LineChart cv_chart(const fs::path& directory, const FittedPath* full, std::ostream* warnings) {
  const fs::path json = directory / "cv.json", csv = directory / "cv.csv";
  pt::ptree tree;
  try {
    pt::read_json(json.string(), tree);
  } catch (const pt::json_parser_error& failure) {
    throw Error(json.string() + ":" + std::to_string(failure.line()) + ": " + failure.message() +
                "; expected a cv.json written by sparsepath cv");
  }
  const std::string measure = tree.get<std::string>("measure", "");
  if (measure.empty()) throw Error(json.string() + ": no \"measure\"; expected e.g. \"measure\": \"mse\"");
  if (!fs::exists(csv)) throw Error("'" + directory.string() + "' holds cv.json but no cv.csv to plot");

  const std::string expected = "lambda_index,lambda,metric,mean,se";
  const std::vector<CsvRow> rows = read_csv(csv);
  const std::size_t index_column = column_of(rows, "lambda_index", csv, expected),
                    lambda_column = column_of(rows, "lambda", csv, expected),
                    metric_column = column_of(rows, "metric", csv, expected),
                    mean_column = column_of(rows, "mean", csv, expected),
                    se_column = column_of(rows, "se", csv, expected);
  struct Point {
    double index, lambda, mean, se;
  };
  std::vector<Point> points;
  std::vector<std::string> metrics;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string& metric = field_of(rows[r], metric_column, csv);
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) metrics.push_back(metric);
    if (metric != measure) continue;
    points.push_back({number_of(rows[r], index_column, "lambda_index", csv),
                      number_of(rows[r], lambda_column, "lambda", csv), number_of(rows[r], mean_column, "mean", csv),
                      number_of(rows[r], se_column, "se", csv)});
  }
  if (points.empty()) {
    std::string found;
    for (const std::string& metric : metrics) found += (found.empty() ? "" : ", ") + metric;
    throw Error(csv.string() + ": no rows for the measure '" + measure + "' named in cv.json; the file has " +
                (found.empty() ? std::string("no rows") : "rows for " + found));
  }
  std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.index < b.index; });

  // lambda_min / lambda_1se from cv.json, or from the row at index_min / index_1se.
  auto chosen = [&](const std::string& key) -> double {
    if (auto value = tree.get_optional<double>("lambda_" + key); value && std::isfinite(*value)) return *value;
    if (auto index = tree.get_optional<double>("index_" + key)) {
      for (const Point& point : points) {
        if (point.index == *index) return point.lambda;
      }
    }
    if (warnings) *warnings << json.string() << ": no usable lambda_" << key << "; its line is left out of cv.svg\n";
    return std::numeric_limits<double>::quiet_NaN();
  };
  const double lambda_min = chosen("min"), lambda_1se = chosen("1se");

  svg::LineChart chart;
  chart.title = "Cross-validation: " + measure_title(measure);
  chart.x_title = lambda_axis_title;
  chart.y_title = measure_title(measure) + " (mean \u00b1 1 se)";
  chart.log_x = true;
  chart.reverse_x = true;
  svg::LineSeries series;
  series.name = measure;
  for (const Point& point : points) {
    series.x.push_back(point.lambda);
    series.y.push_back(point.mean);
    series.error.push_back(point.se);
  }
  series.colour = "#d62728";
  series.error_colour = "#a0a0a0";
  series.line_width = 0;
  series.marker_radius = 3;
  chart.series.push_back(std::move(series));
  if (std::isfinite(lambda_min) && std::isfinite(lambda_1se) &&
      std::fabs(lambda_min - lambda_1se) <= 1e-12 * std::fabs(lambda_min)) {
    chart.markers.push_back({lambda_min, "\u03bb min = \u03bb 1se = " + lambda_text(lambda_min)});
  } else {
    if (std::isfinite(lambda_min)) chart.markers.push_back({lambda_min, "\u03bb min = " + lambda_text(lambda_min)});
    if (std::isfinite(lambda_1se)) chart.markers.push_back({lambda_1se, "\u03bb 1se = " + lambda_text(lambda_1se)});
  }
  // The number of nonzeros at each lambda along the top: cv.json's "nonzeros" (one per lambda
  // index) when it has them, else the full fit's at the same lambdas.
  std::vector<double> nonzeros;
  if (const auto list = tree.get_child_optional("nonzeros")) {
    for (const auto& item : *list) nonzeros.push_back(item.second.get_value<double>(-1.0));
  }
  for (const Point& point : points) {
    if (point.index >= 0 && point.index < static_cast<double>(nonzeros.size()) &&
        nonzeros[static_cast<std::size_t>(point.index)] >= 0) {
      chart.top_labels.push_back(
          {point.lambda, std::to_string(static_cast<long>(nonzeros[static_cast<std::size_t>(point.index)]))});
    }
  }
  if (!chart.top_labels.empty()) {
    chart.top_title = "nonzero coefficients";
  } else if (full != nullptr) {
    const std::vector<std::size_t> counts = nonzero_counts(*full);
    for (const Point& point : points) {
      for (std::size_t k = 0; k < full->lambdas.size(); ++k) {
        if (std::fabs(full->lambdas[k] - point.lambda) <= 1e-6 * std::fabs(point.lambda)) {
          chart.top_labels.push_back({point.lambda, std::to_string(counts[k])});
          break;
        }
      }
    }
    if (!chart.top_labels.empty()) chart.top_title = "nonzero coefficients (full fit)";
  }
  return chart;
}

// ---- sweeps -------------------------------------------------------------------------------

svg::BarChart timing_chart(const fs::path& csv, std::ostream* warnings) {
  const std::string expected = "item,folder,<swept keys>,status,fit_seconds,...";
  const std::vector<CsvRow> rows = read_csv(csv);
  const std::size_t item_column = column_of(rows, "item", csv, expected),
                    folder_column = column_of(rows, "folder", csv, expected),
                    status_column = column_of(rows, "status", csv, expected),
                    seconds_column = column_of(rows, "fit_seconds", csv, expected);
  svg::BarChart chart;
  chart.title = "Fit time per sweep item";
  chart.value_title = "fit seconds";
  std::size_t left_out = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string& item = field_of(rows[r], item_column, csv);
    const std::string& folder = field_of(rows[r], folder_column, csv);
    const std::string& status = field_of(rows[r], status_column, csv);
    fs::path folder_path(folder);
    std::string label = folder_path.filename().string();
    if (label.empty()) label = folder_path.parent_path().filename().string();
    if (label.empty()) label = item;
    if (status != "ok") {
      ++left_out;
      if (warnings) {
        *warnings << csv.string() << ":" << rows[r].line << ": item " << item << " (" << label
                  << ") left out of timing.svg: its status is '" << status << "'\n";
      }
      continue;
    }
    chart.bars.push_back({label, number_of(rows[r], seconds_column, "fit_seconds", csv)});
  }
  if (left_out > 0) {
    chart.note = std::to_string(left_out) + (left_out == 1 ? " item" : " items") +
                 " left out: status not ok (see sweep.csv)";
  }
  return chart;
}

}  // namespace

std::vector<fs::path> write_plots(const fs::path& directory, std::ostream* warnings) {
  if (!fs::is_directory(directory)) {
    throw Error("cannot plot '" + directory.string() + "': not a folder; expected a results folder");
  }
  std::vector<fs::path> written;
  auto write = [&](const std::string& name, const std::string& svg) {
    const fs::path file = directory / name;
    write_file_atomically(file, svg);
    written.push_back(file);
  };
  auto path_plots = [&](const FittedPath& model) {
    write("coefficients.svg", svg::render_line_chart(coefficient_chart(model)));
    write("support.svg", svg::render_line_chart(support_chart(model)));
  };

  const bool has_path = fs::exists(directory / "path.json");
  if (has_path) path_plots(read_path(directory / "path.json"));
  if (fs::exists(directory / "cv.json")) {
    const fs::path full_json = directory / "full" / "path.json";
    const bool has_full = fs::exists(full_json);
    FittedPath full;
    if (has_full) full = read_path(full_json);
    write("cv.svg", svg::render_line_chart(cv_chart(directory, has_full ? &full : nullptr, warnings)));
    if (has_full && !has_path) path_plots(full);
  } else if (fs::exists(directory / "cv.csv")) {
    throw Error("'" + directory.string() + "' holds cv.csv but no cv.json (which names the measure and lambda_min)");
  }
  if (fs::exists(directory / "sweep.csv")) {
    write("timing.svg", svg::render_bar_chart(timing_chart(directory / "sweep.csv", warnings)));
  }
  if (written.empty()) {
    throw Error("'" + directory.string() +
                "' holds nothing to plot; expected path.json (a fit), cv.json and cv.csv (a cross-validation) "
                "or sweep.csv (a sweep)");
  }
  return written;
}

}  // namespace sparsepath
