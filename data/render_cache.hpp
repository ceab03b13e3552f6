#pragma once
// The bundle's render cache: prepared render data (the gis::Scene blob) stored in the table
//
//   render_cache(key TEXT PRIMARY KEY, content_hash TEXT, data BLOB)
//
// keyed by what it is ("scene/v1") and valid only while content_hash matches the bundle's current
// content. A bundle whose regions changed gets a new fingerprint, so its old blob is ignored and
// rebuilt; an unchanged one starts by reading the blob.
#include "data/bundle.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

// A cheap fingerprint of the regions table: GeoPackage last_change, row count, highest fid, sum of fids
// and total geometry bytes. Changes whenever
// GDAL rewrites or edits the regions. Cost: one pass over the fid and geometry-length columns.
std::string regions_fingerprint(const Bundle& bundle);

// The stored blob for `key` when its hash equals `content_hash`; nullopt when absent or stale.
std::optional<std::vector<std::uint8_t>> load_render_cache(const Bundle& bundle, std::string_view key,
                                                           std::string_view content_hash);

// Store (replace) the blob for `key`. Throws BundleError when the bundle is read-only or the write fails.
void store_render_cache(Bundle& bundle, std::string_view key, std::string_view content_hash,
                        std::span<const std::uint8_t> data);

}  // namespace onemap::data
