// Component schemas (the single source of keys, types, defaults, ranges and docs) and the typed
// parameters a component receives after validation.
#pragma once

#include "sparsepath/core/types.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sparsepath {

// choice_or_path: one of the choices, or else a file (resolved like a path).
enum class ValueType { real, integer, boolean, text, path, choice, real_list, text_list, choice_or_path };

std::string_view to_string(ValueType type);

struct Range {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;
  bool contains(double value) const;
  std::string describe(std::string_view key) const;  // "0 <= alpha <= 1"
};

Range closed(double low, double high);
Range open_closed(double low, double high);   // low < x <= high
Range at_least(double low);                   // low <= x
Range greater_than(double low);               // low < x

struct KeySpec {
  std::string key;
  ValueType type = ValueType::text;
  std::string default_value;  // canonical text; empty and !required means "unset"
  bool required = false;
  std::string doc;
  std::optional<Range> range;
  std::vector<std::string> choices;  // for ValueType::choice
};

class Schema {
 public:
  Schema() = default;
  Schema(std::string name, std::string summary);

  Schema& real(std::string key, std::optional<double> default_value, std::string doc,
               std::optional<Range> range = std::nullopt);
  Schema& integer(std::string key, std::optional<long long> default_value, std::string doc,
                  std::optional<Range> range = std::nullopt);
  Schema& boolean(std::string key, bool default_value, std::string doc);
  Schema& text(std::string key, std::optional<std::string> default_value, std::string doc);
  Schema& path(std::string key, std::optional<std::string> default_value, std::string doc);
  Schema& choice_or_path(std::string key, std::string default_value, std::vector<std::string> choices,
                         std::string doc);
  Schema& choice(std::string key, std::string default_value, std::vector<std::string> choices,
                 std::string doc);
  Schema& real_list(std::string key, std::optional<std::string> default_value, std::string doc,
                    std::optional<Range> range = std::nullopt);
  Schema& text_list(std::string key, std::optional<std::string> default_value, std::string doc);
  Schema& required();  // marks the last added key as required

  const std::string& name() const { return name_; }
  const std::string& summary() const { return summary_; }
  const std::vector<KeySpec>& keys() const { return keys_; }
  const KeySpec* find(std::string_view key) const;

 private:
  Schema& add(KeySpec spec);
  std::string name_;
  std::string summary_;
  std::vector<KeySpec> keys_;
};

// Validated parameters: every key of the schema that has a value, as canonical text, plus
// typed accessors. Construct through validate_params (config/validate.hpp); the accessors
// throw Error naming the key when a value is missing or of the wrong type.
class Params {
 public:
  Params() = default;
  explicit Params(std::string role) : role_(std::move(role)) {}

  void set(const std::string& key, std::string value) { values_[key] = std::move(value); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::string& text(const std::string& key) const;
  double real(const std::string& key) const;
  long long integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::vector<double> real_list(const std::string& key) const;
  std::vector<std::string> text_list(const std::string& key) const;
  const std::string& role() const { return role_; }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::string role_;
  std::map<std::string, std::string> values_;
};

// Parsing helpers shared by validation and the accessors; they return nullopt on bad syntax.
std::optional<double> parse_real(std::string_view text);
std::optional<long long> parse_integer(std::string_view text);
std::optional<bool> parse_boolean(std::string_view text);
std::vector<std::string> split_list(std::string_view text);  // comma or whitespace separated
std::string format_real(double value);                       // shortest round-trip text

}  // namespace sparsepath
