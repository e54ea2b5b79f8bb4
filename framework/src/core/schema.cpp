#include "sparsepath/core/schema.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace sparsepath {

namespace {
std::string trim(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}
std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}
}  // namespace

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::real: return "real";
    case ValueType::integer: return "integer";
    case ValueType::boolean: return "boolean";
    case ValueType::text: return "text";
    case ValueType::path: return "path";
    case ValueType::choice: return "choice";
    case ValueType::choice_or_path: return "choice or path";
    case ValueType::real_list: return "list of reals";
    case ValueType::text_list: return "list";
  }
  return "unknown";
}

std::string format_real(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::optional<double> parse_real(std::string_view raw) {
  std::string text = lower(trim(raw));
  if (text.empty()) return std::nullopt;
  if (text == "inf" || text == "+inf" || text == "infinity") return std::numeric_limits<double>::infinity();
  if (text == "-inf" || text == "-infinity") return -std::numeric_limits<double>::infinity();
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  double value = 0.0;
  auto result = std::from_chars(begin, text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || std::isnan(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<long long> parse_integer(std::string_view raw) {
  std::string text = trim(raw);
  if (text.empty()) return std::nullopt;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  long long value = 0;
  auto result = std::from_chars(begin, text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_boolean(std::string_view raw) {
  std::string text = lower(trim(raw));
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) items.push_back(current);
  return items;
}

bool Range::contains(double value) const {
  if (low_open ? !(value > low) : !(value >= low)) return false;
  if (high_open ? !(value < high) : !(value <= high)) return false;
  return true;
}

std::string Range::describe(std::string_view key) const {
  std::string out;
  bool has_low = std::isfinite(low), has_high = std::isfinite(high);
  if (has_low) out += format_real(low) + (low_open ? " < " : " <= ");
  out += key;
  if (has_high) out += std::string(high_open ? " < " : " <= ") + format_real(high);
  if (!has_low && !has_high) out += " is any number";
  return out;
}

Range closed(double low, double high) { return Range{low, high, false, false}; }
Range open_closed(double low, double high) { return Range{low, high, true, false}; }
Range at_least(double low) { return Range{low, std::numeric_limits<double>::infinity(), false, false}; }
Range greater_than(double low) { return Range{low, std::numeric_limits<double>::infinity(), true, false}; }

Schema::Schema(std::string name, std::string summary)
    : name_(std::move(name)), summary_(std::move(summary)) {}

Schema& Schema::add(KeySpec spec) {
  if (find(spec.key) != nullptr) throw Error("schema '" + name_ + "' declares key '" + spec.key + "' twice");
  keys_.push_back(std::move(spec));
  return *this;
}

Schema& Schema::real(std::string key, std::optional<double> default_value, std::string doc,
                     std::optional<Range> range) {
  return add({std::move(key), ValueType::real, default_value ? format_real(*default_value) : "",
              false, std::move(doc), range, {}});
}
Schema& Schema::integer(std::string key, std::optional<long long> default_value, std::string doc,
                        std::optional<Range> range) {
  return add({std::move(key), ValueType::integer,
              default_value ? std::to_string(*default_value) : "", false, std::move(doc), range, {}});
}
Schema& Schema::boolean(std::string key, bool default_value, std::string doc) {
  return add({std::move(key), ValueType::boolean, default_value ? "true" : "false", false,
              std::move(doc), std::nullopt, {}});
}
Schema& Schema::text(std::string key, std::optional<std::string> default_value, std::string doc) {
  return add({std::move(key), ValueType::text, default_value.value_or(""), false, std::move(doc),
              std::nullopt, {}});
}
Schema& Schema::path(std::string key, std::optional<std::string> default_value, std::string doc) {
  return add({std::move(key), ValueType::path, default_value.value_or(""), false, std::move(doc),
              std::nullopt, {}});
}
Schema& Schema::choice_or_path(std::string key, std::string default_value, std::vector<std::string> choices,
                               std::string doc) {
  return add({std::move(key), ValueType::choice_or_path, std::move(default_value), false, std::move(doc),
              std::nullopt, std::move(choices)});
}
Schema& Schema::choice(std::string key, std::string default_value, std::vector<std::string> choices,
                       std::string doc) {
  return add({std::move(key), ValueType::choice, std::move(default_value), false, std::move(doc),
              std::nullopt, std::move(choices)});
}
Schema& Schema::real_list(std::string key, std::optional<std::string> default_value, std::string doc,
                          std::optional<Range> range) {
  return add({std::move(key), ValueType::real_list, default_value.value_or(""), false,
              std::move(doc), range, {}});
}
Schema& Schema::text_list(std::string key, std::optional<std::string> default_value, std::string doc) {
  return add({std::move(key), ValueType::text_list, default_value.value_or(""), false,
              std::move(doc), std::nullopt, {}});
}
Schema& Schema::required() {
  if (keys_.empty()) throw Error("Schema::required() called before any key");
  keys_.back().required = true;
  return *this;
}

const KeySpec* Schema::find(std::string_view key) const {
  for (const KeySpec& spec : keys_) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

const std::string& Params::text(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error(role_ + "." + key + " has no value");
  return it->second;
}
double Params::real(const std::string& key) const {
  auto value = parse_real(text(key));
  if (!value) throw Error(role_ + "." + key + " = '" + text(key) + "' is not a number");
  return *value;
}
long long Params::integer(const std::string& key) const {
  auto value = parse_integer(text(key));
  if (!value) throw Error(role_ + "." + key + " = '" + text(key) + "' is not an integer");
  return *value;
}
bool Params::boolean(const std::string& key) const {
  auto value = parse_boolean(text(key));
  if (!value) throw Error(role_ + "." + key + " = '" + text(key) + "' is not true/false");
  return *value;
}
std::vector<double> Params::real_list(const std::string& key) const {
  std::vector<double> out;
  for (const std::string& item : split_list(text(key))) {
    auto value = parse_real(item);
    if (!value) throw Error(role_ + "." + key + " item '" + item + "' is not a number");
    out.push_back(*value);
  }
  return out;
}
std::vector<std::string> Params::text_list(const std::string& key) const {
  return split_list(text(key));
}

}  // namespace sparsepath
