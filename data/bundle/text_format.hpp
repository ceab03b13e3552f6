#pragma once
// Text for the machine-readable outputs: quoting (JSON from `info --json`, `check --format json`, the GUI's
// state file; CSV exports). One definition, so every output escapes the same way.
#include <string>
#include <string_view>

namespace onemap::data {

std::string json_string(std::string_view s);  // "…" with ", \, control characters escaped
std::string csv_field(std::string_view s);    // quoted only when it holds a comma, quote or newline
std::string utc_now_iso();                     // "2026-11-29T10:15:00Z", for audit rows and reports

}  // namespace onemap::data
