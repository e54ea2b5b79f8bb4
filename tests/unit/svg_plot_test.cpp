// The SVG chart writer and the results-folder plots: every document is well-formed XML (parsed
// by Boost.PropertyTree, tags balanced) with the expected series, error bars, markers and labels;
// degenerate data (no points, one point, constant, NaN / inf, x <= 0 on a log axis) still renders;
// and, when rsvg-convert is installed (tools/install_deps.sh installs it), each SVG converts to a
// PNG. Set SPARSEPATH_KEEP_PLOTS=<folder> to keep every SVG and PNG there for a look.
#define BOOST_TEST_MODULE svg_plot
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

#include "sparsepath/core/types.hpp"
#include "sparsepath/io/svg_plot.hpp"
#include "sparsepath/path/model.hpp"
#include "sparsepath/path/plots.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
namespace pt = boost::property_tree;
using namespace sparsepath;
using sparsepath::testing::CommandResult;
using sparsepath::testing::driver_path;
using sparsepath::testing::quoted;
using sparsepath::testing::run_command;
using sparsepath::testing::source_path;
using sparsepath::testing::TemporaryFolder;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinity = std::numeric_limits<double>::infinity();

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// What a parsed SVG holds: elements by name and by class, and every <text>'s content.
struct Parsed {
  pt::ptree root;
  std::map<std::string, int> elements;
  std::map<std::string, int> classes;
  std::vector<std::string> texts;
  std::vector<std::string> bad_attributes;
  bool has_text(const std::string& wanted) const {
    return std::find(texts.begin(), texts.end(), wanted) != texts.end();
  }
  bool has_text_containing(const std::string& part) const {
    return std::any_of(texts.begin(), texts.end(), [&](const std::string& t) { return t.find(part) != std::string::npos; });
  }
};

void walk(const pt::ptree& tree, Parsed& parsed) {
  for (const auto& [name, child] : tree) {
    if (name == "<xmlattr>") {
      for (const auto& [attribute, value] : child) {  // no coordinate printed as nan / inf
        const std::string text = value.data();
        if (text.find("nan") != std::string::npos || text.find("inf") != std::string::npos) {
          parsed.bad_attributes.push_back(attribute + "=\"" + text + "\"");
        }
      }
      continue;
    }
    if (name == "<xmlcomment>" || name == "<xmltext>") continue;
    ++parsed.elements[name];
    const std::string css = child.get<std::string>("<xmlattr>.class", "");
    if (!css.empty()) ++parsed.classes[css];
    if (name == "text") parsed.texts.push_back(child.data());
    walk(child, parsed);
  }
}

// Start and end tags pair up (the property-tree parser does not check closing names).
// The <text> elements inside the top-level group of the given class.
int texts_in(const Parsed& parsed, const std::string& group) {
  int count = 0;
  for (const auto& [name, child] : parsed.root.get_child("svg")) {
    if (child.get<std::string>("<xmlattr>.class", "") != group) continue;
    for (const auto& [inner, element] : child) count += inner == "text";
  }
  return count;
}

bool tags_balance(const std::string& svg) {
  std::vector<std::string> open;
  std::size_t at = 0;
  while ((at = svg.find('<', at)) != std::string::npos) {
    const std::size_t end = svg.find('>', at);
    if (end == std::string::npos) return false;
    const std::string tag = svg.substr(at + 1, end - at - 1);
    at = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
    }
  }
  return open.empty();
}

bool have_rsvg() {
  static const bool present = std::system("command -v rsvg-convert > /dev/null 2>&1") == 0;
  return present;
}

// Parses the SVG, checks the document element, and renders it to PNG when rsvg-convert exists.
Parsed check_svg(const std::string& svg, const std::string& name) {
  Parsed parsed;
  BOOST_TEST_CONTEXT("svg " << name) {
    BOOST_TEST(tags_balance(svg));
    std::istringstream in(svg);
    BOOST_REQUIRE_NO_THROW(pt::read_xml(in, parsed.root));
    const pt::ptree& document = parsed.root.get_child("svg");
    BOOST_TEST(document.get<std::string>("<xmlattr>.xmlns") == "http://www.w3.org/2000/svg");
    BOOST_TEST(document.get<std::string>("<xmlattr>.version") == "1.1");
    const int width = document.get<int>("<xmlattr>.width"), height = document.get<int>("<xmlattr>.height");
    BOOST_TEST(width >= 200);
    BOOST_TEST(height >= 150);
    BOOST_TEST(document.get<std::string>("<xmlattr>.viewBox") ==
               "0 0 " + std::to_string(width) + " " + std::to_string(height));
    walk(parsed.root, parsed);
    std::string bad;
    for (std::size_t i = 0; i < std::min<std::size_t>(5, parsed.bad_attributes.size()); ++i) {
      bad += " " + parsed.bad_attributes[i];
    }
    BOOST_TEST(bad.empty(), "attributes with nan / inf:" << bad);

    TemporaryFolder folder;
    const fs::path file = folder.write(name + ".svg", svg), png = folder.path / (name + ".png");
    if (have_rsvg()) {
      const CommandResult result = run_command("rsvg-convert -o " + quoted(png) + " " + quoted(file));
      BOOST_TEST(result.exit_code == 0, "rsvg-convert failed: " << result.err);
      BOOST_TEST(fs::exists(png));
      if (fs::exists(png)) BOOST_TEST(fs::file_size(png) > 3000u);  // a blank canvas is far smaller
    }
    if (const char* keep = std::getenv("SPARSEPATH_KEEP_PLOTS")) {
      fs::create_directories(keep);
      fs::copy_file(file, fs::path(keep) / file.filename(), fs::copy_options::overwrite_existing);
      if (fs::exists(png)) fs::copy_file(png, fs::path(keep) / png.filename(), fs::copy_options::overwrite_existing);
    }
  }
  return parsed;
}

Parsed check_svg_file(const fs::path& file, const std::string& name) { return check_svg(slurp(file), name); }

// A fitted path from the driver, shared by the tests that need one.
const fs::path& fitted_folder() {
  static TemporaryFolder* folder = [] {
    auto* created = new TemporaryFolder();  // lives to the end of the run
    const CommandResult result = run_command(quoted(driver_path()) + " fit " +
                                             quoted(source_path("configs/quickstart.ini")) + " --out " +
                                             quoted(created->path / "fit") + " --quiet");
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, "the quickstart fit failed:\n" << result.out << result.err);
    return created;
  }();
  return folder->path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(xml_escape_keeps_any_text_well_formed) {
  BOOST_TEST(svg::xml_escape("a<b & \"c\" > 'd'") == "a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos;");
  BOOST_TEST(svg::xml_escape("tab\there\nnew\x01") == "tab here new ");
  BOOST_TEST(svg::xml_escape("\xCE\xBB \xE2\x80\xA6 \xF0\x9F\x98\x80") == "\xCE\xBB \xE2\x80\xA6 \xF0\x9F\x98\x80");
  // Bytes that are not UTF-8 (Latin-1, a lone continuation, an overlong form, a surrogate,
  // a truncated sequence) become U+FFFD.
  const std::string replacement = "\xEF\xBF\xBD";
  BOOST_TEST(svg::xml_escape("caf\xE9") == "caf" + replacement);
  BOOST_TEST(svg::xml_escape("\x80x") == replacement + "x");
  BOOST_TEST(svg::xml_escape("\xC0\xAF") == replacement + replacement);
  BOOST_TEST(svg::xml_escape("\xED\xA0\x80").find("\xED") == std::string::npos);
  BOOST_TEST(svg::xml_escape("\xE2\x80") == replacement + replacement);
  // A chart whose every text is hostile still parses.
  svg::LineChart chart;
  chart.title = "<b>&\"title\"</b> \xFF";
  chart.x_title = "x ]]> <!--";
  chart.y_title = "y'";
  chart.series.push_back({"<series>", {1, 2, 3}, {1, 4, 9}, {}, "end & <label>"});
  chart.markers.push_back({2, "<marker>"});
  chart.legend = true;
  const Parsed parsed = check_svg(svg::render_line_chart(chart), "hostile_text");
  BOOST_TEST(parsed.has_text("end & <label>"));
  BOOST_TEST(parsed.has_text("<marker>"));
  BOOST_TEST(parsed.has_text("<series>"));  // the legend
}

BOOST_AUTO_TEST_CASE(line_chart_has_its_series_error_bars_markers_and_labels) {
  svg::LineChart chart;
  chart.title = "Three series";
  chart.x_title = "lambda (log scale, decreasing to the right)";
  chart.y_title = "value";
  chart.log_x = true;
  chart.reverse_x = true;
  std::vector<double> x;
  for (int k = 0; k < 30; ++k) x.push_back(std::pow(10.0, 1.0 - 0.15 * k));
  for (int s = 0; s < 3; ++s) {
    svg::LineSeries series;
    series.name = "series " + std::to_string(s);
    series.x = x;
    for (double value : x) series.y.push_back((s + 1) * std::log10(value));
    series.end_label = "end " + std::to_string(s);
    if (s == 1) {
      series.error.assign(x.size(), 0.3);
      series.marker_radius = 2.5;
    }
    chart.series.push_back(series);
  }
  chart.markers = {{0.1, "lambda min"}, {0.12, "lambda 1se"}};  // close: labels on two rows
  chart.top_title = "nonzeros";
  for (int k = 0; k < 120; ++k) chart.top_labels.push_back({std::pow(10.0, 1.0 - 0.0365 * k), std::to_string(k)});
  const std::string text = svg::render_line_chart(chart);
  const Parsed parsed = check_svg(text, "three_series");
  BOOST_TEST(parsed.classes.at("series") == 3);
  BOOST_TEST(parsed.classes.at("line") == 3);
  BOOST_TEST(parsed.classes.at("error-bars") == 1);
  BOOST_TEST(parsed.classes.at("marker") == 2);
  BOOST_TEST(parsed.classes.at("marker-label") == 2);
  BOOST_TEST(parsed.elements.at("circle") == 30);  // the dots of series 1
  for (const std::string wanted : {"Three series", "value", "end 0", "end 1", "end 2", "lambda min", "lambda 1se",
                                   "nonzeros", "10", "1", "0.1", "0.01"}) {
    BOOST_TEST(parsed.has_text(wanted), "no text '" << wanted << "'");
  }
  BOOST_TEST(text.find("stroke-dasharray") != std::string::npos);
  // The two marker labels are on different rows; the top labels were thinned, not overlapped.
  BOOST_TEST(parsed.classes.at("top-labels") == 1);
  const int top_texts = texts_in(parsed, "top-labels");
  BOOST_TEST(top_texts >= 5);
  BOOST_TEST(top_texts < 60);
  std::set<std::string> label_rows;
  for (const auto& [name, child] : parsed.root.get_child("svg")) {
    if (child.get<std::string>("<xmlattr>.class", "") != "marker-label") continue;
    label_rows.insert(child.get<std::string>("text.<xmlattr>.y"));
  }
  BOOST_TEST(label_rows.size() == 2u);
}

BOOST_AUTO_TEST_CASE(degenerate_line_charts_still_render) {
  auto chart_with = [](std::vector<svg::LineSeries> series, bool log_x) {
    svg::LineChart chart;
    chart.title = "degenerate";
    chart.x_title = "x";
    chart.y_title = "y";
    chart.log_x = log_x;
    chart.series = std::move(series);
    return chart;
  };
  // Nothing at all, an empty series, only unusable values: the frame and a note.
  for (const auto& [name, chart] :
       {std::pair<std::string, svg::LineChart>{"no_series", chart_with({}, false)},
        {"empty_series", chart_with({svg::LineSeries{}}, true)},
        {"only_nan", chart_with({{"s", {not_a_number, 1, infinity}, {1, not_a_number, 2}}}, false)},
        {"only_nonpositive_on_log", chart_with({{"s", {0, -1, -2}, {1, 2, 3}}}, true)}}) {
    const Parsed parsed = check_svg(svg::render_line_chart(chart), name);
    BOOST_TEST(parsed.has_text("no data to plot"), name);
  }
  // One point, a constant series, gaps: drawn, with finite ticks.
  svg::LineSeries one{"one", {0.5}, {3}, {0.2}, "only"};
  const Parsed single = check_svg(svg::render_line_chart(chart_with({one}, true)), "one_point");
  BOOST_TEST(!single.has_text("no data to plot"));
  BOOST_TEST(single.has_text("only"));
  BOOST_TEST(single.elements.at("circle") == 1);  // a lone point shows as a dot
  svg::LineSeries constant{"constant", {1, 2, 3, 4}, {5, 5, 5, 5}};
  svg::LineSeries zero{"zero", {1, 2, 3, 4}, {0, 0, 0, 0}};
  const Parsed flat = check_svg(svg::render_line_chart(chart_with({constant}, false)), "constant");
  BOOST_TEST(flat.has_text("5.0"));
  check_svg(svg::render_line_chart(chart_with({zero}, false)), "constant_zero");
  svg::LineSeries gaps{"gaps", {1, 2, 3, not_a_number, 5, 6, 7}, {1, infinity, 3, 4, 5, not_a_number, 7}, {1, 1, not_a_number, 1, -1, 1, infinity}};
  const std::string text = svg::render_line_chart(chart_with({gaps}, true));
  check_svg(text, "gaps");
  // Tiny and huge values get readable tick labels.
  svg::LineSeries tiny{"tiny", {1, 1.0001, 1.0002}, {1e-9, 2e-9, 3e-9}};
  check_svg(svg::render_line_chart(chart_with({tiny}, true)), "tiny");
  svg::LineSeries huge{"huge", {1e-300, 1, 1e300}, {-1e12, 0, 1e12}};
  check_svg(svg::render_line_chart(chart_with({huge}, true)), "huge");
  // Malformed input is an Error.
  svg::LineSeries mismatched{"bad", {1, 2}, {1}};
  BOOST_CHECK_THROW(svg::render_line_chart(chart_with({mismatched}, false)), Error);
  svg::LineSeries bad_errors{"bad", {1, 2}, {1, 2}, {1}};
  BOOST_CHECK_THROW(svg::render_line_chart(chart_with({bad_errors}, false)), Error);
  svg::LineChart small = chart_with({}, false);
  small.width = 50;
  BOOST_CHECK_THROW(svg::render_line_chart(small), Error);
}

BOOST_AUTO_TEST_CASE(bar_chart_has_a_bar_per_finite_value) {
  svg::BarChart chart;
  chart.title = "Fit time";
  chart.value_title = "seconds";
  chart.bars = {{"short", 0.5},
                {"a much longer category label that will not fit in the margin at all", 12.25},
                {"failed", not_a_number},
                {"zero", 0}};
  const Parsed parsed = check_svg(svg::render_bar_chart(chart), "bars");
  BOOST_TEST(parsed.classes.at("bar") == 4);
  BOOST_TEST(parsed.elements.at("rect") == 1 + 3);  // the background and three bars
  BOOST_TEST(parsed.has_text("n/a"));
  BOOST_TEST(parsed.has_text("12.2"));
  BOOST_TEST(parsed.has_text("short"));
  BOOST_TEST(parsed.has_text_containing("\xE2\x80\xA6"));  // the long label was shortened
  BOOST_TEST(parsed.has_text("seconds"));

  svg::BarChart empty;
  empty.title = "nothing";
  BOOST_TEST(check_svg(svg::render_bar_chart(empty), "bars_empty").has_text("no data to plot"));
  svg::BarChart negative;
  negative.bars = {{"down", -3}, {"up", 2}, {"infinite", infinity}};
  check_svg(svg::render_bar_chart(negative), "bars_negative");
  negative.width = 10;
  BOOST_CHECK_THROW(svg::render_bar_chart(negative), Error);
}

BOOST_AUTO_TEST_CASE(a_fit_folder_gets_coefficient_and_support_plots) {
  const fs::path folder = fitted_folder() / "fit";
  std::ostringstream warnings;
  const std::vector<fs::path> written = write_plots(folder, &warnings);
  BOOST_TEST(written.size() == 2u);
  BOOST_TEST(fs::exists(folder / "coefficients.svg"));
  BOOST_TEST(fs::exists(folder / "support.svg"));
  BOOST_TEST(warnings.str().empty());

  const FittedPath model = read_fitted_path(folder / "path.json");
  std::set<Index> ever;
  for (const auto& point : model.coefficients) {
    for (const auto& [feature, value] : point) ever.insert(feature);
  }
  const Parsed coefficients = check_svg_file(folder / "coefficients.svg", "coefficients");
  BOOST_TEST(coefficients.classes.at("series") == static_cast<int>(ever.size()));
  // The ten largest at the smallest lambda are named at their line ends.
  std::vector<std::pair<double, Index>> last;
  for (const auto& [feature, value] : model.coefficients.back()) last.emplace_back(-std::fabs(value), feature);
  std::sort(last.begin(), last.end());
  BOOST_REQUIRE(!last.empty());
  for (std::size_t i = 0; i < std::min<std::size_t>(10, last.size()); ++i) {
    BOOST_TEST(coefficients.has_text(model.feature_names[last[i].second]));
  }
  BOOST_TEST(coefficients.has_text("nonzero coefficients"));
  BOOST_TEST(coefficients.has_text_containing("decreasing to the right"));

  const Parsed support = check_svg_file(folder / "support.svg", "support");
  BOOST_TEST(support.classes.at("series") == 1);
  BOOST_TEST(support.elements.at("circle") == static_cast<int>(model.lambdas.size()));
  BOOST_TEST(support.has_text("0"));
}

BOOST_AUTO_TEST_CASE(a_cross_validation_folder_gets_the_cv_curve) {
  TemporaryFolder folder;
  const FittedPath model = read_fitted_path(fitted_folder() / "fit" / "path.json");
  // A synthetic CV curve over the fit's lambdas (the full fit beside it), with a NaN row.
  std::ostringstream csv;
  csv.precision(17);
  csv << "lambda_index,lambda,metric,mean,se\n";
  const std::size_t points = model.lambdas.size();
  for (std::size_t k = 0; k < points; ++k) {
    const double t = static_cast<double>(k) / static_cast<double>(points - 1);
    csv << k << "," << model.lambdas[k] << ",mse," << (k == 3 ? std::string("nan") : std::to_string(3000 + 3000 * (1 - t) * (1 - t) + 400 * t * t))
        << "," << 150 + 50 * t << "\n";
    csv << k << "," << model.lambdas[k] << ",mae," << 40 + 10 * (1 - t) << "," << 2 << "\n";
  }
  folder.write("cv.csv", csv.str());
  const std::size_t index_min = points * 3 / 4, index_1se = points / 2;
  folder.write("cv.json", "{\"measure\": \"mse\", \"lambda_min\": " + std::to_string(model.lambdas[index_min]) +
                              ", \"lambda_1se\": " + std::to_string(model.lambdas[index_1se]) +
                              ", \"index_min\": " + std::to_string(index_min) + ", \"index_1se\": " +
                              std::to_string(index_1se) + ", \"folds\": 10}\n");
  fs::create_directories(folder.path / "full");
  fs::copy_file(fitted_folder() / "fit" / "path.json", folder.path / "full" / "path.json");

  std::ostringstream warnings;
  const std::vector<fs::path> written = write_plots(folder.path, &warnings);
  BOOST_TEST(written.size() == 3u);
  BOOST_TEST(fs::exists(folder.path / "coefficients.svg"));
  BOOST_TEST(fs::exists(folder.path / "support.svg"));
  BOOST_TEST(!fs::exists(folder.path / "full" / "coefficients.svg"));
  const Parsed cv = check_svg_file(folder.path / "cv.svg", "cv");
  BOOST_TEST(cv.classes.at("series") == 1);
  BOOST_TEST(cv.classes.at("error-bars") == 1);
  BOOST_TEST(cv.classes.at("marker") == 2);
  BOOST_TEST(cv.elements.at("circle") == static_cast<int>(points) - 1);  // the NaN mean is skipped
  BOOST_TEST(cv.has_text_containing("\xCE\xBB min = "));
  BOOST_TEST(cv.has_text_containing("\xCE\xBB 1se = "));
  BOOST_TEST(cv.has_text_containing("Mean-squared error"));
  BOOST_TEST(cv.has_text("nonzero coefficients (full fit)"));
  BOOST_TEST(texts_in(cv, "top-labels") >= 8);  // thinned to fit, from the full fit's lambdas
  check_svg_file(folder.path / "coefficients.svg", "cv_coefficients");

  // lambda_min / lambda_1se missing: taken from index_min / index_1se; the measure's name is
  // checked against cv.csv.
  folder.write("cv.json", "{\"measure\": \"mae\", \"index_min\": 5, \"index_1se\": 2}");
  write_plots(folder.path, &warnings);
  BOOST_TEST(check_svg_file(folder.path / "cv.svg", "cv_mae").classes.at("marker") == 2);
  folder.write("cv.json", "{\"measure\": \"auc\", \"lambda_min\": 1, \"lambda_1se\": 2}");
  try {
    write_plots(folder.path);
    BOOST_FAIL("a measure missing from cv.csv was accepted");
  } catch (const Error& error) {
    const std::string message = error.what();
    BOOST_TEST(message.find("cv.csv") != std::string::npos, message);
    BOOST_TEST(message.find("'auc'") != std::string::npos, message);
    BOOST_TEST(message.find("mse, mae") != std::string::npos, message);
  }
  folder.write("cv.json", "{\"measure\": \"mse\"");
  BOOST_CHECK_THROW(write_plots(folder.path), Error);
  folder.write("cv.json", "{\"measure\": \"mse\", \"lambda_min\": 1, \"lambda_1se\": 2}");
  folder.write("cv.csv", "lambda_index,lambda,metric,mean,se\n0,1,mse,oops,1\n");
  try {
    write_plots(folder.path);
    BOOST_FAIL("a bad number was accepted");
  } catch (const Error& error) {
    BOOST_TEST(std::string(error.what()).find("cv.csv:2: column 'mean' holds 'oops'") != std::string::npos,
               error.what());
  }
}

BOOST_AUTO_TEST_CASE(a_sweep_folder_gets_a_timing_chart_without_failed_items) {
  TemporaryFolder folder;
  folder.write("sweep.csv",
               "item,folder,penalty.type,penalty.alpha,status,fit_seconds,points,certified_points,stop_reason,passes,"
               "nonzeros,cv_measure,cv_best\n"
               "0,items/000-lasso,lasso,,ok,0.0123,100,100,complete,812,0;1;5;10,,\n"
               "1,items/001-elastic_net/,elastic_net,0.5,ok,1.5,100,100,complete,900,0;2;8;10,,\n"
               "2,items/002-mcp,mcp,,\"error: bad value \"\"x\"\", expected a number\",,0,0,,0,,,\n"
               "3,items/003-scad,scad,,ok,0.75,100,98,complete,1000,0;3;9;10,mse,3000.5\n");
  std::ostringstream warnings;
  const std::vector<fs::path> written = write_plots(folder.path, &warnings);
  BOOST_TEST(written.size() == 1u);
  BOOST_TEST(warnings.str().find("002-mcp") != std::string::npos, warnings.str());
  BOOST_TEST(warnings.str().find("error: bad value \"x\", expected a number") != std::string::npos, warnings.str());
  const Parsed timing = check_svg_file(folder.path / "timing.svg", "timing");
  BOOST_TEST(timing.classes.at("bar") == 3);
  for (const std::string wanted : {"000-lasso", "001-elastic_net", "003-scad", "1.5", "0.0123"}) {
    BOOST_TEST(timing.has_text(wanted), "no text '" << wanted << "'");
  }
  BOOST_TEST(!timing.has_text("002-mcp"));
  BOOST_TEST(timing.has_text_containing("1 item left out"));
  folder.write("sweep.csv", "item,folder,status\n0,a,ok\n");
  BOOST_CHECK_THROW(write_plots(folder.path), Error);  // no fit_seconds column
}

BOOST_AUTO_TEST_CASE(a_folder_with_nothing_to_plot_is_an_error_naming_it) {
  TemporaryFolder folder;
  folder.write("notes.txt", "hello");
  try {
    write_plots(folder.path);
    BOOST_FAIL("an empty folder was accepted");
  } catch (const Error& error) {
    BOOST_TEST(std::string(error.what()).find(folder.path.string()) != std::string::npos, error.what());
    BOOST_TEST(std::string(error.what()).find("nothing to plot") != std::string::npos, error.what());
  }
  BOOST_CHECK_THROW(write_plots(folder.path / "missing"), Error);
  folder.write("cv.csv", "lambda_index,lambda,metric,mean,se\n");
  BOOST_CHECK_THROW(write_plots(folder.path), Error);  // cv.csv but no cv.json
  folder.write("path.json", "{\"format\": \"something else\"}");
  BOOST_CHECK_THROW(write_plots(folder.path), Error);
  if (!have_rsvg()) {
    BOOST_TEST_MESSAGE("rsvg-convert is not installed: the SVGs were checked for structure only, not rendered "
                       "(tools/install_deps.sh installs librsvg2-bin)");
  }
}
