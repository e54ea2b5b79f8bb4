#include "sparsepath/io/svg_plot.hpp"

#include "sparsepath/core/types.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>

namespace sparsepath::svg {

namespace {

constexpr const char* font_family = "DejaVu Sans, Helvetica, Arial, sans-serif";
constexpr double title_font = 16;
constexpr double axis_title_font = 13;
constexpr double tick_font = 11;
constexpr double label_font = 11;
constexpr double tick_length = 5;
constexpr const char* ink = "#333333";
constexpr const char* grid_colour = "#e6e6e6";
constexpr const char* faint_ink = "#777777";

// Code points in valid UTF-8 (continuation bytes are not counted).
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A width estimate for sans-serif text (DejaVu Sans averages about 0.6 em per character); the
// layout only needs it to reserve margins and keep labels apart.
double text_width(std::string_view text, double font_size) {
  return 0.6 * font_size * static_cast<double>(characters(text));
}

// At most `limit` code points, the cut marked with an ellipsis.
std::string shortened(const std::string& text, std::size_t limit) {
  if (characters(text) <= limit || limit < 2) return text;
  std::size_t kept = 0, end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80) {
      if (kept == limit - 1) break;
      ++kept;
    }
  }
  return text.substr(0, end) + "\xE2\x80\xA6";
}

// Removes the '+' and leading zeros of a printf exponent: 2.5e+06 -> 2.5e6, 1e-05 -> 1e-5.
std::string tidy_exponent(std::string text) {
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e), exponent = text.substr(e + 1);
  std::string sign;
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
    if (exponent[0] == '-') sign = "-";
    exponent.erase(0, 1);
  }
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + sign + exponent;
}

std::string printed(const char* format, int precision, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, precision, value);
  std::string text = buffer;
  if (text == "-0" || text.find_first_not_of("-0.") == std::string::npos) {
    if (text.front() == '-') text.erase(0, 1);  // no "-0", "-0.00"
  }
  return tidy_exponent(text);
}

// A number printed into a fixed buffer: the document is built from many, with no allocation each.
struct Number {
  char text[48];
  std::size_t size = 0;
  operator std::string_view() const { return {text, size}; }
};

// SVG coordinates: two decimals at most, trailing zeros dropped.
Number coordinate(double value) {
  value = std::isfinite(value) ? std::clamp(value, -1e7, 1e7) : 0.0;  // always a short, valid number
  Number number;
  const int written = std::snprintf(number.text, sizeof(number.text), "%.2f", value);
  number.size = static_cast<std::size_t>(std::clamp(written, 0, static_cast<int>(sizeof(number.text)) - 1));
  if (std::string_view(number).find('.') != std::string_view::npos) {
    while (number.text[number.size - 1] == '0') --number.size;
    if (number.text[number.size - 1] == '.') --number.size;
  }
  if (std::string_view(number) == "-0") number = coordinate(0.0);
  return number;
}

// Appends the parts in turn: one call per element instead of a chain of string temporaries.
void append(std::string& out, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) out.append(part.data(), part.size());
}

// A readable value with three significant digits (plain notation up to a million).
std::string short_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1000 && magnitude < 1e6) return printed("%.*f", 0, value);
  return printed("%.*g", 3, value);
}

struct Tick {
  double value = 0;
  std::string label;  // empty for a minor tick
};

double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1.0;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / base;
  return (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0) * base;
}

// A label for a tick of a linear axis with the given step: as many decimals as the step needs,
// scientific notation for very large or very small values.
std::string linear_label(double value, double step, double largest) {
  if (value == 0.0) return "0";
  if (largest >= 1e6 || step < 1e-4) {
    const int digits = std::clamp(static_cast<int>(std::floor(std::log10(largest)) - std::floor(std::log10(step))) + 1, 1, 15);
    return printed("%.*g", digits, value);
  }
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return printed("%.*f", decimals, value);
}

std::vector<Tick> linear_ticks(double low, double high, double target, bool integer) {
  if (!std::isfinite(high - low)) return {{low, printed("%.*g", 3, low)}, {high, printed("%.*g", 3, high)}};
  double step = nice_step((high - low) / std::max(1.0, target));
  if (integer) step = std::max(1.0, step);
  std::vector<double> values;
  const double first = std::ceil(low / step - 1e-9) * step;
  for (int i = 0; i < 1000; ++i) {
    double value = first + i * step;
    if (value > high + 1e-9 * step) break;
    if (std::fabs(value) < 1e-9 * step) value = 0.0;
    values.push_back(value);
  }
  double largest = 0;
  for (double value : values) largest = std::max(largest, std::fabs(value));
  std::vector<Tick> ticks;
  for (double value : values) ticks.push_back({value, linear_label(value, step, largest)});
  return ticks;
}

std::string log_label(double value) {
  if (value >= 1e-4 && value < 1e5) return printed("%.*g", 6, value);
  return printed("%.*g", 3, value);
}

// Ticks for a logarithmic axis over [low, high] (both > 0): powers of ten (every few when the
// range spans many decades) with unlabelled minor ticks, or 1-2-5 / every-digit ticks when it
// spans less than two decades, or plain linear ticks over a very narrow range.
std::vector<Tick> log_ticks(double low, double high, double target) {
  const int first = static_cast<int>(std::ceil(std::log10(low) - 1e-9));
  const int last = static_cast<int>(std::floor(std::log10(high) + 1e-9));
  const int decades = last - first + 1;
  std::vector<Tick> ticks;
  auto inside = [&](double value) { return value >= low * (1 - 1e-9) && value <= high * (1 + 1e-9); };
  if (decades >= 2) {
    // Every power of ten, or every 2nd, 5th, 10th... labelled (the others get plain ticks while
    // they are few enough to stay apart).
    const int stride = decades <= target ? 1 : static_cast<int>(nice_step(decades / std::max(1.0, target)));
    for (int exponent = first; exponent <= last; ++exponent) {
      const bool labelled = ((exponent % stride) + stride) % stride == 0;
      const double value = std::pow(10.0, exponent);
      if (labelled || decades <= 60) ticks.push_back({value, labelled ? log_label(value) : std::string()});
    }
    if (stride == 1 && decades <= 7) {
      // Minor ticks at 2..9; with three decades or fewer the 2s and 5s are labelled too.
      for (int exponent = first - 1; exponent <= last; ++exponent) {
        for (int digit = 2; digit <= 9; ++digit) {
          const double value = digit * std::pow(10.0, exponent);
          const bool labelled = decades <= 3 && (digit == 2 || digit == 5);
          if (inside(value)) ticks.push_back({value, labelled ? log_label(value) : std::string()});
        }
      }
    }
    return ticks;
  }
  for (const std::vector<int>& digits : {std::vector<int>{1, 2, 5}, std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    ticks.clear();
    for (int exponent = first - 1; exponent <= last + 1; ++exponent) {
      for (int digit : digits) {
        const double value = digit * std::pow(10.0, exponent);
        if (inside(value)) ticks.push_back({value, log_label(value)});
      }
    }
    if (ticks.size() >= 3) return ticks;
  }
  ticks.clear();
  for (const Tick& tick : linear_ticks(low, high, 4, false)) {
    if (tick.value > 0) ticks.push_back(tick);
  }
  return ticks;
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double value) {
    if (!std::isfinite(value)) return;
    low = std::min(low, value);
    high = std::max(high, value);
  }
  bool empty() const { return !(low <= high); }
};

// The axis range: the data's plus 4% each side (in log space for a log axis), widened around a
// single value, [1, 10] or [0, 1] with no data.
Range padded(Range range, bool log, bool from_zero) {
  if (log) {
    if (range.empty()) return {1.0, 10.0};
    double a = std::log10(range.low), b = std::log10(range.high);
    if (b - a < 1e-12) {
      a -= 0.5;
      b += 0.5;
    } else {
      const double pad = 0.04 * (b - a);
      a -= pad;
      b += pad;
    }
    // Stay within the normal doubles, so the ends are finite and nonzero.
    return {std::pow(10.0, std::max(a, -307.0)), std::pow(10.0, std::min(b, 308.0))};
  }
  if (range.empty()) return {0.0, 1.0};
  if (from_zero) {
    range.low = std::min(range.low, 0.0);
    range.high = std::max(range.high, 0.0);
  }
  if (range.high - range.low <= 1e-12 * std::max(1.0, std::fabs(range.high))) {
    const double centre = range.low, half = centre == 0.0 ? 1.0 : 0.1 * std::fabs(centre);
    return {centre - half, centre + half};
  }
  const double pad = 0.04 * (range.high - range.low);
  if (!std::isfinite(range.low - pad) || !std::isfinite(range.high + pad)) return range;  // near the double limits
  return {range.low - pad, range.high + pad};
}

struct Scale {
  double low = 0, high = 1;
  bool log = false;
  bool reverse = false;
  double pixel_start = 0, pixel_end = 1;  // where low (high when reversed) and the other end go
  double position(double value) const {
    const double a = log ? std::log10(low) : low, b = log ? std::log10(high) : high;
    const double v = log ? std::log10(value) : value;
    double t = (v - a) / (b - a);
    if (!std::isfinite(t)) t = 0.5;  // a span beyond the doubles: never print nan
    if (reverse) t = 1.0 - t;
    return pixel_start + t * (pixel_end - pixel_start);
  }
};

// <text> with escaped content; `extra` holds further attributes.
void text_element(std::string& out, double x, double y, std::string_view content, double size,
                  std::string_view anchor, std::string_view extra = {}) {
  append(out, {"<text x=\"", coordinate(x), "\" y=\"", coordinate(y), "\" font-size=\"", coordinate(size),
               "\" text-anchor=\"", anchor, "\"", extra.empty() ? "" : " ", extra, ">", xml_escape(content),
               "</text>\n"});
}

void line_element(std::string& out, double x1, double y1, double x2, double y2, std::string_view stroke,
                  double width, std::string_view extra = {}) {
  append(out, {"<line x1=\"", coordinate(x1), "\" y1=\"", coordinate(y1), "\" x2=\"", coordinate(x2), "\" y2=\"",
               coordinate(y2), "\" stroke=\"", stroke, "\" stroke-width=\"", coordinate(width), "\"",
               extra.empty() ? "" : " ", extra, "/>\n"});
}

// A rectangle; `extra` holds its paint attributes.
void rectangle(std::string& out, double x, double y, double width, double height, std::string_view extra) {
  append(out, {"<rect x=\"", coordinate(x), "\" y=\"", coordinate(y), "\" width=\"", coordinate(width),
               "\" height=\"", coordinate(height), "\" ", extra, "/>\n"});
}

void circle(std::string& out, double x, double y, double radius, std::string_view colour) {
  append(out, {"<circle cx=\"", coordinate(x), "\" cy=\"", coordinate(y), "\" r=\"", coordinate(radius),
               "\" fill=\"", colour, "\"/>\n"});
}

void document_start(std::string& out, int width, int height, const std::string& title) {
  const std::string w = std::to_string(width), h = std::to_string(height);
  append(out, {"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n",
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"", w, "\" height=\"", h,
               "\" viewBox=\"0 0 ", w, " ", h, "\" font-family=\"", font_family, "\">\n", "<title>",
               xml_escape(title), "</title>\n", "<rect x=\"0\" y=\"0\" width=\"", w, "\" height=\"", h,
               "\" fill=\"white\"/>\n"});
}

// The title centred over the whole width, shrunk to fit; returns the baseline below it.
double draw_title(std::string& out, const std::string& title, int width) {
  if (title.empty()) return 8;
  const double size = std::max(
      9.0, std::min(title_font, (width - 20) / (0.62 * static_cast<double>(std::max<std::size_t>(1, characters(title))))));
  text_element(out, width / 2.0, 8 + size, title, size, "middle", "font-weight=\"bold\" fill=\"#222222\"");
  return 8 + size;
}

// The indices of `keys` in increasing key order, ties in index order (one sort serves every
// ordering the layout needs).
std::vector<std::size_t> order_of(const std::vector<double>& keys) {
  std::vector<std::pair<double, std::size_t>> keyed;
  for (std::size_t i = 0; i < keys.size(); ++i) keyed.emplace_back(keys[i], i);
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::size_t> order;
  for (const auto& [key, index] : keyed) order.push_back(index);
  return order;
}

bool usable_x(double x, bool log) { return std::isfinite(x) && (!log || x > 0); }

// A label placed by the layout: its box, to keep labels apart.
struct Box {
  double left, right, top, bottom;
  bool overlaps(const Box& other, double gap) const {
    return left < other.right + gap && other.left < right + gap && top < other.bottom + gap && other.top < bottom + gap;
  }
};

}  // namespace

const std::vector<std::string>& palette() {
  static const std::vector<std::string> colours = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                   "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#222222"};
  return colours;
}

std::string xml_escape(std::string_view text) {
  static const char replacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += (c < 0x20 || c == 0x7F) ? ' ' : static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: check its length, continuation bytes, overlong forms, surrogates
    // and the non-characters U+FFFE / U+FFFF, which XML does not allow.
    std::size_t length = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid) {
      const unsigned char second = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) || (c == 0xF0 && second < 0x90) ||
          (c == 0xF4 && second > 0x8F)) {
        valid = false;
      }
      if (c == 0xEF && second == 0xBF && (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) valid = false;
    }
    if (valid) {
      out.append(text.data() + i, length);
      i += length;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

std::string render_line_chart(const LineChart& chart) {
  const std::string what = "line chart '" + chart.title + "'";
  if (chart.width < 200 || chart.height < 150) {
    throw Error(what + ": size " + std::to_string(chart.width) + "x" + std::to_string(chart.height) +
                " is too small; expected at least 200x150");
  }
  for (const LineSeries& series : chart.series) {
    if (series.x.size() != series.y.size() || (!series.error.empty() && series.error.size() != series.y.size())) {
      throw Error(what + ": series '" + series.name + "' has " + std::to_string(series.x.size()) + " x values, " +
                  std::to_string(series.y.size()) + " y values and " + std::to_string(series.error.size()) +
                  " error values; expected as many y values as x values and no error values or as many");
    }
  }
  auto drawable = [&](const LineSeries& series, std::size_t i) {
    return usable_x(series.x[i], chart.log_x) && std::isfinite(series.y[i]);
  };
  auto error_of = [](const LineSeries& series, std::size_t i) {
    return series.error.empty() || !std::isfinite(series.error[i]) ? 0.0 : std::fabs(series.error[i]);
  };

  Range x_data, y_data;
  bool any_point = false;
  for (const LineSeries& series : chart.series) {
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!drawable(series, i)) continue;
      any_point = true;
      x_data.add(series.x[i]);
      y_data.add(series.y[i] - error_of(series, i));
      y_data.add(series.y[i] + error_of(series, i));
    }
  }
  for (const VerticalMarker& marker : chart.markers) {
    if (usable_x(marker.x, chart.log_x)) x_data.add(marker.x);
  }
  const Range x_range = padded(x_data, chart.log_x, false);
  const Range y_range = padded(y_data, false, chart.y_from_zero);

  // Vertical layout: title, then the top labels, the plot, tick labels and the x title.
  std::string title;
  double top = draw_title(title, chart.title, chart.width);
  const bool has_top = !chart.top_labels.empty();
  double top_title_baseline = 0, top_labels_baseline = 0;
  if (has_top) {
    if (!chart.top_title.empty()) {
      top_title_baseline = top + 18;
      top = top_title_baseline;
    }
    top_labels_baseline = top + 16;
    top = top_labels_baseline + 8;
  } else {
    top += 14;
  }
  const double plot_top = top;
  const double plot_bottom = chart.height - (chart.x_title.empty() ? 30 : 50);
  if (plot_bottom - plot_top < 40) {
    throw Error(what + ": height " + std::to_string(chart.height) + " leaves no room to plot");
  }
  const Scale y_scale{y_range.low, y_range.high, false, false, plot_bottom, plot_top};
  const std::vector<Tick> y_ticks =
      linear_ticks(y_range.low, y_range.high, std::max(2.0, (plot_bottom - plot_top) / 55.0), chart.integer_y);

  // Horizontal layout: y title and tick labels on the left, end labels and legend on the right.
  double widest_y_label = 0;
  for (const Tick& tick : y_ticks) widest_y_label = std::max(widest_y_label, text_width(tick.label, tick_font));
  const double plot_left = (chart.y_title.empty() ? 10 : 30) + widest_y_label + tick_length + 6;
  std::vector<std::string> end_labels(chart.series.size()), legend_names;
  double right_margin = 20;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    end_labels[s] = shortened(chart.series[s].end_label, 24);
    if (!end_labels[s].empty()) right_margin = std::max(right_margin, 24 + text_width(end_labels[s], label_font));
  }
  if (chart.legend) {
    for (const LineSeries& series : chart.series) {
      if (series.name.empty()) continue;
      legend_names.push_back(shortened(series.name, 30));
      right_margin = std::max(right_margin, 44 + text_width(legend_names.back(), label_font));
    }
  }
  right_margin = std::min(right_margin, 0.4 * chart.width);
  const double plot_right = chart.width - right_margin;
  if (plot_right - plot_left < 60) {
    throw Error(what + ": width " + std::to_string(chart.width) + " leaves no room to plot");
  }
  const Scale x_scale{x_range.low, x_range.high, chart.log_x, chart.reverse_x, plot_left, plot_right};
  const double x_target = std::max(2.0, (plot_right - plot_left) / 90.0);
  const std::vector<Tick> x_ticks = chart.log_x ? log_ticks(x_range.low, x_range.high, x_target)
                                                : linear_ticks(x_range.low, x_range.high, x_target, false);
  const double plot_width = plot_right - plot_left, plot_height = plot_bottom - plot_top;
  const double middle_x = (plot_left + plot_right) / 2, middle_y = (plot_top + plot_bottom) / 2;
  const std::string ink_fill = std::string("fill=\"") + ink + "\"";
  const std::string faint_fill = std::string("fill=\"") + faint_ink + "\"";

  std::string out;
  out.reserve(16384);
  document_start(out, chart.width, chart.height, chart.title);
  append(out, {"<defs><clipPath id=\"plot-area\"><rect x=\"", coordinate(plot_left), "\" y=\"", coordinate(plot_top),
               "\" width=\"", coordinate(plot_width), "\" height=\"", coordinate(plot_height),
               "\"/></clipPath></defs>\n", title});
  if (has_top && !chart.top_title.empty()) {
    text_element(out, middle_x, top_title_baseline, chart.top_title, tick_font, "middle", faint_fill);
  }

  // Grid, frame, ticks and tick labels.
  append(out, {"<g class=\"grid\">\n"});
  for (const Tick& tick : x_ticks) {
    if (tick.label.empty()) continue;
    const double x = x_scale.position(tick.value);
    line_element(out, x, plot_top, x, plot_bottom, grid_colour, 1);
  }
  for (const Tick& tick : y_ticks) {
    const double y = y_scale.position(tick.value);
    line_element(out, plot_left, y, plot_right, y, grid_colour, 1);
  }
  append(out, {"</g>\n<g class=\"x-axis\" ", ink_fill, ">\n"});
  std::vector<double> x_positions;
  for (const Tick& tick : x_ticks) x_positions.push_back(x_scale.position(tick.value));
  double last_label_right = -1e300;
  for (std::size_t t : order_of(x_positions)) {  // left to right, whichever way the axis runs
    const double x = x_positions[t];
    const Tick* tick = &x_ticks[t];
    line_element(out, x, plot_bottom, x, plot_bottom + (tick->label.empty() ? 3 : tick_length), ink, 1);
    if (tick->label.empty()) continue;
    const double half = text_width(tick->label, tick_font) / 2;
    const double centre = std::clamp(x, half + 2, chart.width - half - 2);
    if (centre - half < last_label_right + 8) continue;  // would touch its neighbour
    last_label_right = centre + half;
    text_element(out, centre, plot_bottom + tick_length + 3 + tick_font, tick->label, tick_font, "middle");
  }
  if (!chart.x_title.empty()) {
    text_element(out, middle_x, plot_bottom + tick_length + 3 + tick_font + 22, chart.x_title, axis_title_font,
                 "middle");
  }
  append(out, {"</g>\n<g class=\"y-axis\" ", ink_fill, ">\n"});
  for (const Tick& tick : y_ticks) {
    const double y = y_scale.position(tick.value);
    line_element(out, plot_left - tick_length, y, plot_left, y, ink, 1);
    text_element(out, plot_left - tick_length - 3, y + 0.35 * tick_font, tick.label, tick_font, "end");
  }
  if (!chart.y_title.empty()) {
    const double x = 10 + 0.75 * axis_title_font;
    std::string rotation;
    append(rotation, {"transform=\"rotate(-90 ", coordinate(x), " ", coordinate(middle_y), ")\""});
    text_element(out, x, middle_y, chart.y_title, axis_title_font, "middle", rotation);
  }
  append(out, {"</g>\n"});

  // Labels along the top edge, left to right, leaving out any that would touch the previous one.
  if (has_top) {
    std::vector<double> positions;
    std::vector<const std::string*> texts;
    for (const TopLabel& label : chart.top_labels) {
      if (!usable_x(label.x, chart.log_x) || label.x < x_range.low || label.x > x_range.high) continue;
      positions.push_back(x_scale.position(label.x));
      texts.push_back(&label.text);
    }
    append(out, {"<g class=\"top-labels\" ", faint_fill, ">\n"});
    double previous_right = -1e300;
    for (std::size_t k : order_of(positions)) {
      const double x = positions[k];
      const std::string* text = texts[k];
      const double half = text_width(*text, tick_font) / 2;
      if (x - half < previous_right + 6) continue;
      previous_right = x + half;
      line_element(out, x, plot_top - 4, x, plot_top, ink, 1);
      text_element(out, x, top_labels_baseline, *text, tick_font - 1, "middle");
    }
    append(out, {"</g>\n"});
  }

  // The series: error bars, then the line (broken at skipped points), then the dots.
  std::size_t next_colour = 0;
  struct End {
    double x, y, label_y;
    std::string text, colour;
  };
  std::vector<End> ends;
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const LineSeries& series = chart.series[s];
    const std::string colour = series.colour.empty() ? palette()[next_colour++ % palette().size()] : series.colour;
    append(out, {"<g class=\"series\" clip-path=\"url(#plot-area)\">\n"});
    if (!series.name.empty()) append(out, {"<title>", xml_escape(series.name), "</title>\n"});
    std::string bars;
    for (std::size_t i = 0; i < series.error.size(); ++i) {
      const double error = error_of(series, i);
      if (!drawable(series, i) || error == 0.0) continue;
      const Number x = coordinate(x_scale.position(series.x[i])), left = coordinate(x_scale.position(series.x[i]) - 2.5),
                   right = coordinate(x_scale.position(series.x[i]) + 2.5);
      const Number y1 = coordinate(y_scale.position(series.y[i] - error)),
                   y2 = coordinate(y_scale.position(series.y[i] + error));
      append(bars, {"M", x, " ", y1, "V", y2, "M", left, " ", y1, "H", right, "M", left, " ", y2, "H", right});
    }
    if (!bars.empty()) {
      const bool own = !series.error_colour.empty();
      append(out, {"<path class=\"error-bars\" d=\"", bars, "\" fill=\"none\" stroke=\"",
                   own ? series.error_colour : colour, "\" stroke-width=\"1\"", own ? "" : " stroke-opacity=\"0.55\"",
                   "/>\n"});
    }
    std::string path;
    std::size_t run = 0;
    bool any = false;
    double end_x = -1e300, end_y = 0;
    for (std::size_t i = 0; i <= series.x.size(); ++i) {
      if (i == series.x.size() || !drawable(series, i)) {
        if (run == 1 && series.line_width > 0 && series.marker_radius <= 0) {
          const std::size_t k = i - 1;  // a piece of one point draws no line: a dot instead
          circle(out, x_scale.position(series.x[k]), y_scale.position(series.y[k]), series.line_width + 0.5, colour);
        }
        run = 0;
        continue;
      }
      const double x = x_scale.position(series.x[i]), y = y_scale.position(series.y[i]);
      append(path, {run == 0 ? "M" : "L", coordinate(x), " ", coordinate(y)});
      ++run;
      any = true;
      if (x >= end_x) {
        end_x = x;
        end_y = y;
      }
    }
    if (series.line_width > 0 && !path.empty()) {
      append(out, {"<path class=\"line\" d=\"", path, "\" fill=\"none\" stroke=\"", colour, "\" stroke-width=\"",
                   coordinate(series.line_width), "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"});
    }
    if (series.marker_radius > 0) {
      for (std::size_t i = 0; i < series.x.size(); ++i) {
        if (drawable(series, i)) {
          circle(out, x_scale.position(series.x[i]), y_scale.position(series.y[i]), series.marker_radius, colour);
        }
      }
    }
    append(out, {"</g>\n"});
    if (any && !end_labels[s].empty()) ends.push_back({end_x, end_y, end_y, end_labels[s], colour});
  }
  std::string frame = "class=\"frame\" fill=\"none\" stroke-width=\"1\" stroke=\"";
  frame += ink;
  frame += "\"";
  rectangle(out, plot_left, plot_top, plot_width, plot_height, frame);
  if (!any_point) text_element(out, middle_x, middle_y, "no data to plot", axis_title_font, "middle", faint_fill);

  // Vertical markers: a dashed line each, then (so no line crosses a label) their labels at the
  // top of the plot, each on the first row where it touches no other marker's label.
  std::vector<double> marker_positions;
  std::vector<const VerticalMarker*> drawn_markers;
  for (const VerticalMarker& marker : chart.markers) {
    if (!usable_x(marker.x, chart.log_x)) continue;
    marker_positions.push_back(x_scale.position(marker.x));
    drawn_markers.push_back(&marker);
  }
  std::vector<std::pair<double, const VerticalMarker*>> markers;
  for (std::size_t m : order_of(marker_positions)) markers.emplace_back(marker_positions[m], drawn_markers[m]);
  for (const auto& [x, marker] : markers) {
    append(out, {"<g class=\"marker\">\n"});
    line_element(out, x, plot_top, x, plot_bottom, "#555555", 1, "stroke-dasharray=\"5 4\"");
    append(out, {"</g>\n"});
  }
  std::vector<Box> marker_boxes;
  for (const auto& [x, marker] : markers) {
    if (marker->label.empty()) continue;
    const std::string label = shortened(marker->label, 40);
    const double width = text_width(label, label_font);
    const bool right_side = x + 4 + width <= plot_right - 2 || x - 4 - width < plot_left + 2;
    const double left = right_side ? x + 4 : x - 4 - width;
    Box box{left - 2, left + width + 2, 0, 0};
    for (int row = 0; row <= 20; ++row) {
      box.top = plot_top + 4 + row * (label_font + 5);
      box.bottom = box.top + label_font + 4;
      if (std::none_of(marker_boxes.begin(), marker_boxes.end(),
                       [&](const Box& other) { return box.overlaps(other, 1); })) {
        break;
      }
    }
    marker_boxes.push_back(box);
    append(out, {"<g class=\"marker-label\">\n"});
    rectangle(out, box.left, box.top, box.right - box.left, box.bottom - box.top, "fill=\"white\" fill-opacity=\"0.85\"");
    text_element(out, left, box.bottom - 3.5, label, label_font, "start", "fill=\"#222222\"");
    append(out, {"</g>\n"});
  }

  // Legend at the top of the right margin; end labels share the margin below it.
  double right_top = plot_top + 6;
  if (!legend_names.empty()) {
    append(out, {"<g class=\"legend\">\n"});
    std::size_t colour_index = 0, entry = 0;
    for (const LineSeries& series : chart.series) {
      const std::string& colour = series.colour.empty() ? palette()[colour_index++ % palette().size()] : series.colour;
      if (series.name.empty()) continue;
      const double y = plot_top + 8 + 16 * static_cast<double>(entry);
      const double x = plot_right + 12;
      line_element(out, x, y, x + 20, y, colour, std::max(2.0, series.line_width));
      text_element(out, x + 26, y + 0.35 * label_font, legend_names[entry], label_font, "start", ink_fill);
      ++entry;
      right_top = y + 16;
    }
    append(out, {"</g>\n"});
  }
  if (!ends.empty()) {
    // Spread the labels to at least one line apart, inside the plot's height, nearest their ends.
    std::vector<double> heights;
    for (const End& end : ends) heights.push_back(end.y);
    std::vector<End> sorted;
    for (std::size_t e : order_of(heights)) sorted.push_back(ends[e]);
    ends.swap(sorted);
    const double spacing = label_font + 2, lowest = plot_bottom - 2;
    for (std::size_t i = 0; i < ends.size(); ++i) {
      ends[i].label_y = std::max(ends[i].y, i ? ends[i - 1].label_y + spacing : right_top);
    }
    for (std::size_t i = ends.size(); i-- > 0;) {
      ends[i].label_y = std::min(ends[i].label_y, i + 1 < ends.size() ? ends[i + 1].label_y - spacing : lowest);
    }
    for (std::size_t i = 0; i < ends.size(); ++i) {
      ends[i].label_y = std::max(ends[i].label_y, i ? ends[i - 1].label_y + spacing : right_top);
    }
    append(out, {"<g class=\"end-labels\">\n"});
    for (const End& end : ends) {
      append(out, {"<polyline points=\"", coordinate(end.x + 2), ",", coordinate(end.y), " ",
                   coordinate(plot_right + 4), ",", coordinate(end.y), " ", coordinate(plot_right + 12), ",",
                   coordinate(end.label_y), "\" fill=\"none\" stroke=\"", end.colour,
                   "\" stroke-width=\"0.8\" stroke-opacity=\"0.8\"/>\n"});
      text_element(out, plot_right + 15, end.label_y + 0.35 * label_font, end.text, label_font, "start",
                   "fill=\"" + end.colour + "\"");
    }
    append(out, {"</g>\n"});
  }
  append(out, {"</svg>\n"});
  return out;
}

std::string render_bar_chart(const BarChart& chart) {
  if (chart.width < 200) {
    throw Error("bar chart '" + chart.title + "': width " + std::to_string(chart.width) +
                " is too small; expected at least 200");
  }
  constexpr double minimum_height = 160;
  // Category labels on the left (up to 60 characters; the chart widens to keep 360 pixels for the
  // bars), value labels after the bars.
  const std::size_t limit = 60;
  std::vector<std::string> labels, values;
  double widest_label = 0, widest_value = 0;
  Range range;
  for (const Bar& bar : chart.bars) {
    labels.push_back(shortened(bar.label, limit));
    values.push_back(short_number(bar.value));
    widest_label = std::max(widest_label, text_width(labels.back(), label_font));
    widest_value = std::max(widest_value, text_width(values.back(), label_font));
    range.add(bar.value);
  }
  // Negative values put their labels left of the bar: room for them before the category labels.
  const bool any_negative = range.low < 0;
  const double labels_right = 12 + widest_label;
  const double plot_left = labels_right + 10 + (any_negative ? widest_value + 8 : 0);
  const double right_margin = std::max(20.0, 14 + widest_value);
  const int width = std::max(chart.width, static_cast<int>(std::ceil(plot_left + 360 + right_margin)));
  const double plot_right = width - right_margin;
  const std::string ink_fill = std::string("fill=\"") + ink + "\"";
  const std::string faint_fill = std::string("fill=\"") + faint_ink + "\"";

  std::string heading;
  double top = draw_title(heading, chart.title, width);
  if (!chart.note.empty()) {
    top += 18;
    text_element(heading, width / 2.0, top, shortened(chart.note, static_cast<std::size_t>((width - 20) / 6.0)),
                 label_font, "middle", faint_fill);
  }
  const double plot_top = top + 14, bottom_margin = chart.value_title.empty() ? 30 : 50;
  const std::size_t count = chart.bars.size();
  // 24 pixels a bar, more when there are too few bars for the minimum height.
  const double plot_bottom = std::max(plot_top + 24.0 * static_cast<double>(std::max<std::size_t>(1, count)),
                                      minimum_height - bottom_margin);
  const double slot = (plot_bottom - plot_top) / static_cast<double>(std::max<std::size_t>(1, count));
  const double bar_height = std::min(16.0, 0.7 * slot);
  const int height = static_cast<int>(std::ceil(plot_bottom + bottom_margin));

  if (range.empty()) range = {0.0, 1.0};
  range.low = std::min(range.low, 0.0);
  range.high = std::max(range.high, 0.0);
  if (range.high == range.low) range.high = 1.0;
  const double step = nice_step((range.high - range.low) / std::max(2.0, (plot_right - plot_left) / 80.0));
  range.low = std::floor(range.low / step + 1e-9) * step;
  range.high = std::ceil(range.high / step - 1e-9) * step;
  const Scale scale{range.low, range.high, false, false, plot_left, plot_right};
  const std::vector<Tick> ticks = linear_ticks(range.low, range.high, (range.high - range.low) / step, false);

  std::string out;
  out.reserve(8192);
  document_start(out, width, height, chart.title);
  append(out, {heading, "<g class=\"grid\">\n"});
  for (const Tick& tick : ticks) {
    const double x = scale.position(tick.value);
    line_element(out, x, plot_top, x, plot_bottom, grid_colour, 1);
  }
  append(out, {"</g>\n<g class=\"x-axis\" ", ink_fill, ">\n"});
  line_element(out, plot_left, plot_bottom, plot_right, plot_bottom, ink, 1);
  for (const Tick& tick : ticks) {
    const double x = scale.position(tick.value);
    line_element(out, x, plot_bottom, x, plot_bottom + tick_length, ink, 1);
    text_element(out, x, plot_bottom + tick_length + 3 + tick_font, tick.label, tick_font, "middle");
  }
  if (!chart.value_title.empty()) {
    text_element(out, (plot_left + plot_right) / 2, plot_bottom + tick_length + 3 + tick_font + 22,
                 chart.value_title, axis_title_font, "middle");
  }
  append(out, {"</g>\n"});
  const double zero = scale.position(0.0);
  const std::string bar_fill = "fill=\"" + chart.colour + "\"";
  for (std::size_t i = 0; i < count; ++i) {
    const Bar& bar = chart.bars[i];
    const double centre = plot_top + slot * (static_cast<double>(i) + 0.5), baseline = centre + 0.35 * label_font;
    append(out, {"<g class=\"bar\">\n<title>", xml_escape(bar.label + ": " + values[i]), "</title>\n"});
    text_element(out, labels_right, baseline, labels[i], label_font, "end", ink_fill);
    if (std::isfinite(bar.value)) {
      const double end = scale.position(bar.value);
      rectangle(out, std::min(zero, end), centre - bar_height / 2, std::max(0.5, std::fabs(end - zero)), bar_height,
                bar_fill);
      const bool negative = bar.value < 0;
      text_element(out, negative ? end - 4 : end + 4, baseline, values[i], label_font, negative ? "end" : "start",
                   ink_fill);
    } else {
      text_element(out, zero + 4, baseline, "n/a", label_font, "start", faint_fill);
    }
    append(out, {"</g>\n"});
  }
  line_element(out, zero, plot_top, zero, plot_bottom, ink, 1);
  if (count == 0) {
    text_element(out, (plot_left + plot_right) / 2, plot_top + slot / 2 + 0.35 * axis_title_font, "no data to plot",
                 axis_title_font, "middle", faint_fill);
  }
  append(out, {"</svg>\n"});
  return out;
}

}  // namespace sparsepath::svg
