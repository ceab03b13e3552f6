#pragma once
// Division codes (GB/T 2260 and the statistical extensions) as people and files write them.
//
//   province 41 · city 4101 · county 410102 · township 410102001 · village 410102001001
//
// Files pad them ("410000", "410100", 12-digit "410102001000"), store them as numbers
// ("410102001000.0", "4.10102001e+11") or type them with full-width digits; all normalise here.
// Province-administered county-level cities (济源 419001) are city-level units with 6-digit codes.
#include "data/policy/catalogue.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace onemap::data {

std::size_t code_length(Level level);  // 2, 4, 6, 9, 12

// onemap's form of `raw` at `level`; nullopt when it is not a code of that level.
std::optional<std::string> normalise_code(std::string_view raw, Level level);

// The level a normalised code belongs to, by its length (6 digits with "90" in the city place: city).
std::optional<Level> level_of_code(std::string_view code);

// The parent's code derived from the code itself ("" for the province): 410102 → 4101,
// 419001001 → 419001, 410102001001 → 410102001.
std::string derived_parent(std::string_view code, Level level);

// Full-width digits and letters (０-９, Ｘ) to ASCII, surrounding spaces removed.
std::string ascii_digits(std::string_view text);

}  // namespace onemap::data
