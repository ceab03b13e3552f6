#pragma once
// One indicator for one period, for every region that has it: code → value. Regions without a row
// have no data (never 0).
#include "data/bundle.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

namespace onemap::data {

std::unordered_map<std::string, double> read_indicator_values(const Bundle& bundle, std::string_view metric,
                                                              std::string_view period);

}  // namespace onemap::data
