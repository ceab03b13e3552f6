#pragma once
// Which drawn regions stand for a region on the map. The map draws counties, townships and villages
// (and a city without counties among the counties); a city or the province is shown, fitted and
// focused as the regions under it that the map draws.
#include "data/bundle/region_index.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

// Region `code` itself where `drawn` says the map has it, else its nearest descendants that are
// drawn (a city: its counties; the province: every county), found through `regions`; depth first,
// in code order. Empty when there are none (an unknown code, or nothing under it drawn).
std::vector<std::string> drawn_stand_ins(std::string_view code, const data::RegionIndex& regions,
                                         const std::function<bool(std::string_view)>& drawn);

}  // namespace onemap::data
