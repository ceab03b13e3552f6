#pragma once
// Private to the importers (data/import_*.cpp): column recognition and the bookkeeping every import
// does on the bundle afterwards.
#include "data/bundle/bundle.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onemap::data::detail {

// Index of the field named `wanted` (exact, case-insensitive), else of the first of `candidates`
// present; nullopt when none. `wanted` that is given but absent also yields nullopt.
std::optional<std::size_t> find_field(const std::vector<std::string>& fields, const std::string& wanted,
                                      const std::vector<std::string_view>& candidates);

// meta.layers_real / layers_synthetic: move `layer` (e.g. "regions.county", "indicators") to real.
// A demo bundle's plain "regions" entry is first split into its five levels. meta.synthetic follows.
void mark_layer_real(Bundle& b, const std::string& layer);
// The same on the values: (layers_real, layers_synthetic) before → after; synthetic = !after.second.empty().
std::pair<std::string, std::string> layers_after_real(const std::string& real, const std::string& synthetic, const std::string& layer);

// The render cache is keyed by content hash; after an import its entries describe old content.
void clear_render_cache(Bundle& b);

std::string join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace onemap::data::detail
