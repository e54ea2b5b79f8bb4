#include "sparsepath/config/run_spec.hpp"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

namespace sparsepath {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

std::string SourceLocation::describe() const {
  if (file.empty()) return "(command line)";
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

SectionSpec* RunSpec::find(const std::string& role) {
  for (SectionSpec& section : sections) {
    if (section.role == role) return &section;
  }
  return nullptr;
}
const SectionSpec* RunSpec::find(const std::string& role) const {
  for (const SectionSpec& section : sections) {
    if (section.role == role) return &section;
  }
  return nullptr;
}
SectionSpec& RunSpec::get_or_add(const std::string& role) {
  if (SectionSpec* found = find(role)) return *found;
  SectionSpec section;
  section.role = role;
  sections.push_back(std::move(section));
  return sections.back();
}

namespace {

std::string trim(const std::string& text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot open experiment file '" + file.string() + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

RunSpec make_spec(const fs::path& file) {
  RunSpec spec;
  std::error_code error;
  spec.file = fs::absolute(file, error);
  spec.base_directory = spec.file.parent_path();
  return spec;
}

}  // namespace

RunSpec read_run_spec_ini(const fs::path& file) {
  const std::string text = read_text(file);
  RunSpec spec = make_spec(file);
  const std::string name = file.string();
  // ...and a line scan recovers where each key is, for messages, and catches what it allows.
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  SectionSpec* current = nullptr;
  while (std::getline(lines, line)) {
    ++number;
    std::string content = trim(line);
    if (content.empty() || content[0] == ';' || content[0] == '#') continue;
    if (content.front() == '[') {
      if (content.back() != ']') {
        throw Error(name + ":" + std::to_string(number) + ": malformed section header '" +
                    content + "'; expected [name]");
      }
      std::string role = trim(content.substr(1, content.size() - 2));
      for (const SectionSpec& existing : spec.sections) {
        if (existing.role == role) {
          throw Error(name + ":" + std::to_string(number) + ": section [" + role +
                      "] appears twice (first at line " + std::to_string(existing.location.line) + ")");
        }
      }
      SectionSpec section;
      section.role = role;
      section.location = {name, number};
      spec.sections.push_back(std::move(section));
      current = &spec.sections.back();
      continue;
    }
    std::size_t equals = content.find('=');
    if (equals == std::string::npos) {
      throw Error(name + ":" + std::to_string(number) + ": '" + content +
                  "' is not a 'key = value' line; expected key = value, [section] or a ; comment");
    }
    std::string key = trim(content.substr(0, equals));
    std::string value = trim(content.substr(equals + 1));
    if (current == nullptr) {
      throw Error(name + ":" + std::to_string(number) + ": key '" + key +
                  "' appears before any [section]");
    }
    if (key.empty()) throw Error(name + ":" + std::to_string(number) + ": empty key");
    if (value.find(" ;") != std::string::npos || value.find("\t;") != std::string::npos) {
      throw Error(name + ":" + std::to_string(number) + ": value of '" + current->role + "." +
                  key + "' contains ' ;': INI comments must be on their own line");
    }
    if (current->values.count(key) != 0) {
      throw Error(name + ":" + std::to_string(number) + ": duplicate key '" + current->role + "." +
                  key + "' (first given at line " + std::to_string(current->locations[key].line) +
                  "); expected each key once per section");
    }
    current->values[key] = value;
    current->locations[key] = {name, number};
  }
  // Boost.PropertyTree must accept the file too (it is the reference INI reader).
  pt::ptree tree;
  try {
    std::istringstream stream(text);
    pt::read_ini(stream, tree);
  } catch (const pt::ini_parser_error& failure) {
    throw Error(name + ":" + std::to_string(failure.line()) + ": " + failure.message());
  }
  return spec;
}

namespace {

// Boost's XML reader does not check that closing tags match their opening tags; this does.
void check_tags_balanced(const std::string& text, const std::string& name) {
  std::vector<std::pair<std::string, int>> open;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] != '<') continue;
    if (text.compare(i, 4, "<!--") == 0) {
      std::size_t end = text.find("-->", i);
      if (end == std::string::npos) break;
      line += static_cast<int>(std::count(text.begin() + i, text.begin() + end, '\n'));
      i = end + 2;
      continue;
    }
    if (i + 1 < text.size() && (text[i + 1] == '?' || text[i + 1] == '!')) continue;
    std::size_t end = text.find('>', i);
    if (end == std::string::npos) break;
    std::string tag = text.substr(i + 1, end - i - 1);
    const int tag_line = line;
    line += static_cast<int>(std::count(tag.begin(), tag.end(), '\n'));
    i = end;
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool self_closing = !tag.empty() && tag.back() == '/';
    std::size_t start = closing ? 1 : 0;
    std::size_t stop = start;
    while (stop < tag.size() && !std::isspace(static_cast<unsigned char>(tag[stop])) && tag[stop] != '/') ++stop;
    const std::string element = tag.substr(start, stop - start);
    if (closing) {
      if (open.empty() || open.back().first != element) {
        throw Error(name + ":" + std::to_string(tag_line) + ": malformed XML: closing tag </" + element +
                    "> does not match " + (open.empty() ? std::string("any open element")
                                                        : "<" + open.back().first + "> opened at line " +
                                                              std::to_string(open.back().second)));
      }
      open.pop_back();
    } else if (!self_closing) {
      open.emplace_back(element, tag_line);
    }
  }
  if (!open.empty()) {
    throw Error(name + ":" + std::to_string(open.back().second) + ": malformed XML: <" + open.back().first +
                "> is never closed");
  }
}

}  // namespace

RunSpec read_run_spec_xml(const fs::path& file) {
  const std::string text = read_text(file);
  RunSpec spec = make_spec(file);
  const std::string name = file.string();
  check_tags_balanced(text, name);
  pt::ptree tree;
  try {
    std::istringstream stream(text);
    pt::read_xml(stream, tree, pt::xml_parser::trim_whitespace);
  } catch (const pt::xml_parser_error& failure) {
    throw Error(name + ":" + std::to_string(failure.line()) + ": malformed XML: " +
                failure.message());
  }
  if (tree.size() != 1 || tree.begin()->first != "sparsepath") {
    throw Error(name + ": the root element must be <sparsepath>");
  }
  // Line of each element's first appearance, for messages.
  auto line_of = [&](const std::string& tag, std::size_t occurrence) {
    std::size_t position = 0;
    for (std::size_t seen = 0;; ++seen) {
      position = text.find("<" + tag, position);
      if (position == std::string::npos) return 0;
      char next = position + tag.size() + 1 < text.size() ? text[position + tag.size() + 1] : ' ';
      if (!(std::isspace(static_cast<unsigned char>(next)) || next == '>' || next == '/')) {
        ++position;
        --seen;
        continue;
      }
      if (seen == occurrence) break;
      ++position;
    }
    return static_cast<int>(std::count(text.begin(), text.begin() + position, '\n') + 1);
  };
  std::map<std::string, std::size_t> occurrences;
  for (const auto& [role, node] : tree.begin()->second) {
    if (role == "<xmlcomment>") continue;
    if (role == "<xmlattr>") throw Error(name + ": <sparsepath> takes no attributes");
    if (spec.find(role) != nullptr) {
      throw Error(name + ":" + std::to_string(line_of(role, occurrences[role])) + ": section <" +
                  role + "> appears twice");
    }
    SectionSpec section;
    section.role = role;
    section.location = {name, line_of(role, occurrences[role]++)};
    auto put = [&](const std::string& key, const std::string& value) {
      if (section.values.count(key) != 0) {
        throw Error(section.location.describe() + ": key '" + section.role + "." + key + "' given twice");
      }
      section.values[key] = trim(value);
      section.locations[key] = section.location;
    };
    for (const auto& [key, child] : node) {
      if (key == "<xmlcomment>") continue;
      if (key == "<xmlattr>") {
        for (const auto& [attribute, value] : child) put(attribute, value.data());
        continue;
      }
      if (!child.empty()) {
        throw Error(section.location.describe() + ": <" + role + "><" + key +
                    "> has children; parameters are plain values (two levels only)");
      }
      put(key, child.data());
    }
    if (!trim(node.data()).empty()) {
      throw Error(section.location.describe() + ": <" + role + "> has text '" + trim(node.data()) +
                  "'; expected parameters as attributes or child elements");
    }
    spec.sections.push_back(std::move(section));
  }
  return spec;
}

RunSpec read_run_spec(const fs::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::error_code error;
  if (!fs::exists(file, error)) throw Error("experiment file '" + file.string() + "' does not exist");
  if (extension == ".ini") return read_run_spec_ini(file);
  if (extension == ".xml") return read_run_spec_xml(file);
  throw Error("experiment file '" + file.string() + "' has extension '" + extension +
              "'; expected .ini or .xml");
}

void apply_override(RunSpec& spec, const std::string& assignment) {
  std::size_t equals = assignment.find('=');
  std::size_t dot = assignment.find('.');
  if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 ||
      dot + 1 == equals) {
    throw Error("--set '" + assignment + "' is malformed; expected role.key=value");
  }
  std::string role = trim(assignment.substr(0, dot));
  std::string key = trim(assignment.substr(dot + 1, equals - dot - 1));
  std::string value = trim(assignment.substr(equals + 1));
  SectionSpec& section = spec.get_or_add(role);
  section.values[key] = value;
  section.locations[key] = SourceLocation{"--set " + assignment, 0};
}

void remove_key(RunSpec& spec, const std::string& name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
    throw Error("--unset '" + name + "' is malformed; expected role.key");
  }
  SectionSpec* section = spec.find(trim(name.substr(0, dot)));
  if (section == nullptr) return;
  const std::string key = trim(name.substr(dot + 1));
  section->values.erase(key);
  section->locations.erase(key);
}

std::string to_ini(const RunSpec& spec, const std::string& header_comment) {
  std::ostringstream out;
  std::istringstream comment(header_comment);
  std::string line;
  while (std::getline(comment, line)) out << "; " << line << "\n";
  for (const SectionSpec& section : spec.sections) {
    out << "\n[" << section.role << "]\n";
    auto type = section.values.find("type");
    if (type != section.values.end()) out << "type = " << type->second << "\n";
    for (const auto& [key, value] : section.values) {
      if (key != "type") out << key << " = " << value << "\n";
    }
  }
  return out.str();
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    std::size_t distance = edit_distance(word, candidate);
    if (candidate.find(word) != std::string::npos || word.find(candidate) != std::string::npos) {
      distance = std::min<std::size_t>(distance, 1);
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

Params validate_params(const Schema& schema, const SectionSpec& section,
                       const fs::path& base_directory, const std::vector<std::string>& ignored_keys) {
  Params params(section.role);
  std::vector<std::string> known;
  for (const KeySpec& spec : schema.keys()) known.push_back(spec.key);
  auto where = [&](const std::string& key) {
    auto it = section.locations.find(key);
    return (it != section.locations.end() ? it->second : section.location).describe();
  };
  for (const auto& [key, value] : section.values) {
    if (std::find(ignored_keys.begin(), ignored_keys.end(), key) != ignored_keys.end()) continue;
    if (schema.find(key) == nullptr) {
      std::string suggestion = closest_match(key, known);
      throw Error(where(key) + ": unknown key '" + section.role + "." + key + "' for " +
                  section.role + " '" + schema.name() + "'" +
                  (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                  "; valid keys: " + (known.empty() ? "(none)" : join(known)));
    }
  }
  for (const KeySpec& spec : schema.keys()) {
    auto given = section.values.find(spec.key);
    const bool from_file = given != section.values.end();
    std::string value = from_file ? given->second : spec.default_value;
    const std::string name = section.role + "." + spec.key;
    if (value.empty()) {
      if (spec.required) {
        throw Error(section.location.describe() + ": " + name + " is required (" + spec.doc + ")");
      }
      continue;
    }
    const std::string location = from_file ? where(spec.key) + ": " : "";
    auto bad = [&](const std::string& expected) {
      return Error(location + name + " = '" + value + "' is not valid; expected " + expected);
    };
    switch (spec.type) {
      case ValueType::real: {
        auto number = parse_real(value);
        if (!number) throw bad("a number");
        if (spec.range && !spec.range->contains(*number)) {
          throw Error(location + name + " = " + value + " violates " + spec.range->describe(name));
        }
        value = format_real(*number);
        break;
      }
      case ValueType::integer: {
        auto number = parse_integer(value);
        if (!number) throw bad("an integer");
        if (spec.range && !spec.range->contains(static_cast<double>(*number))) {
          throw Error(location + name + " = " + value + " violates " + spec.range->describe(name));
        }
        value = std::to_string(*number);
        break;
      }
      case ValueType::boolean: {
        auto flag = parse_boolean(value);
        if (!flag) throw bad("true or false");
        value = *flag ? "true" : "false";
        break;
      }
      case ValueType::choice: {
        if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
          std::string suggestion = closest_match(value, spec.choices);
          throw Error(location + name + " = '" + value + "' is not one of: " + join(spec.choices) +
                      (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
        }
        break;
      }
      case ValueType::choice_or_path: {
        if (std::find(spec.choices.begin(), spec.choices.end(), value) != spec.choices.end()) break;
        fs::path file(value);
        if (file.is_relative() && !base_directory.empty()) file = base_directory / file;
        value = file.lexically_normal().string();
        break;
      }
      case ValueType::path: {
        fs::path file(value);
        if (file.is_relative() && !base_directory.empty()) file = base_directory / file;
        value = file.lexically_normal().string();
        break;
      }
      case ValueType::real_list: {
        std::vector<std::string> items = split_list(value);
        std::string canonical;
        for (const std::string& item : items) {
          auto number = parse_real(item);
          if (!number) throw bad("a list of numbers (item '" + item + "' is not a number)");
          if (spec.range && !spec.range->contains(*number)) {
            throw Error(location + name + " item " + item + " violates " + spec.range->describe(name));
          }
          canonical += (canonical.empty() ? "" : ", ") + format_real(*number);
        }
        value = canonical;
        break;
      }
      case ValueType::text:
      case ValueType::text_list:
        break;
    }
    params.set(spec.key, value);
  }
  return params;
}

}  // namespace sparsepath
