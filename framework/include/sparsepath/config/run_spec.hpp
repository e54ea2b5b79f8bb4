// The canonical experiment description. INI and XML readers both produce a RunSpec; nothing
// downstream sees INI or XML.
#pragma once

#include "sparsepath/core/schema.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace sparsepath {

struct SourceLocation {
  std::string file;
  int line = 0;  // 0 when unknown
  std::string describe() const;  // "file:line" or "file"
};

struct SectionSpec {
  std::string role;                        // section / element name
  std::map<std::string, std::string> values;
  std::map<std::string, SourceLocation> locations;  // per key
  SourceLocation location;                 // of the section header
};

struct RunSpec {
  std::filesystem::path file;               // the experiment file (absolute)
  std::filesystem::path base_directory;     // relative paths resolve against this
  std::vector<SectionSpec> sections;        // in file order

  SectionSpec* find(const std::string& role);
  const SectionSpec* find(const std::string& role) const;
  SectionSpec& get_or_add(const std::string& role);
};

// Reads an experiment from .ini or .xml (by extension). Throws Error naming the file and line.
RunSpec read_run_spec(const std::filesystem::path& file);
RunSpec read_run_spec_ini(const std::filesystem::path& file);
RunSpec read_run_spec_xml(const std::filesystem::path& file);

// Applies "role.key=value" overrides. Throws Error for malformed overrides.
void apply_override(RunSpec& spec, const std::string& assignment);
// Removes "role.key" from the spec (nothing when absent). Throws Error for a malformed name.
void remove_key(RunSpec& spec, const std::string& name);

// Writes the spec back as INI (used for resolved.ini).
std::string to_ini(const RunSpec& spec, const std::string& header_comment);

// Validates one section's values against a schema: fills defaults, checks types and ranges,
// rejects unknown keys with a "did you mean". Paths are resolved against base_directory.
Params validate_params(const Schema& schema, const SectionSpec& section,
                       const std::filesystem::path& base_directory,
                       const std::vector<std::string>& ignored_keys = {"type"});

// Closest candidate by edit distance, or empty when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sparsepath
