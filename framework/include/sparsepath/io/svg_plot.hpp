// Small self-contained SVG 1.1 charts, written with no external program: line charts (linear or
// logarithmic x axis, optionally reversed) with error bars, dashed vertical markers, labels at
// the lines' right ends and annotations along the top edge, and horizontal bar charts.
// Degenerate data never throws: non-finite values (and x <= 0 on a log axis) are skipped, a
// single point or a constant series gets a sensible range, and a chart with nothing to draw
// shows its frame and a "no data" note. Only malformed input (mismatched lengths, a size too
// small to draw in) is an Error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sparsepath::svg {

struct LineSeries {
  std::string name;           // hover title, and the legend entry when the chart has a legend
  std::vector<double> x;
  std::vector<double> y;      // as many as x
  std::vector<double> error;  // empty, or per point the half-height of an error bar (y +- error)
  std::string end_label;      // text beside the series' rightmost point ("" for none)
  std::string colour;         // any SVG colour; "" takes the next palette colour
  std::string error_colour;   // "" draws error bars in the series colour, lighter
  double line_width = 1.5;    // 0 draws no line
  double marker_radius = 0;   // > 0 draws a dot at every point
};

struct VerticalMarker {  // a dashed vertical line across the plot, labelled at the top
  double x = 0;
  std::string label;
};

struct TopLabel {  // text along the top edge at x (as glmnet prints the number of nonzeros)
  double x = 0;
  std::string text;
};

struct LineChart {
  std::string title;
  std::string x_title;
  std::string y_title;
  bool log_x = false;
  bool reverse_x = false;    // larger x on the left
  bool y_from_zero = false;  // the y range includes 0
  bool integer_y = false;    // y ticks at whole numbers only (counts)
  bool legend = false;       // list the named series in the right margin
  std::vector<LineSeries> series;
  std::vector<VerticalMarker> markers;
  std::string top_title;             // above the top labels
  std::vector<TopLabel> top_labels;  // labels that would overlap a neighbour are left out
  int width = 760;
  int height = 500;
};

struct Bar {
  std::string label;
  double value = 0;  // a non-finite value is drawn as "n/a" with no bar
};

struct BarChart {  // horizontal bars from 0, top to bottom in the given order, values printed
                   // at their ends; labels are cut to 60 characters
  std::string title;
  std::string value_title;
  std::vector<Bar> bars;
  std::string colour = "#1f77b4";
  std::string note;  // shown under the title ("" for none), e.g. what was left out
  int width = 760;   // at least; wider when long labels need it. The height follows the bars.
};

std::string render_line_chart(const LineChart& chart);
std::string render_bar_chart(const BarChart& chart);

// Text for XML content or attributes: & < > " ' escaped; control characters and bytes that are
// not valid UTF-8 replaced, so the document stays well-formed whatever the input.
std::string xml_escape(std::string_view text);

// The distinct series colours, taken in turn by series with no colour of their own.
const std::vector<std::string>& palette();

}  // namespace sparsepath::svg
