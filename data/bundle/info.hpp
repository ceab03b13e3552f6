#pragma once
// `onemap info`: what a bundle holds, read without changing a byte of it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace onemap::data {

struct BundleInfo {
    std::string path;
    int schema_version = 0;
    bool synthetic = false;
    std::string created_by;
    std::string layers_real;                   // meta.layers_real, e.g. "regions.county,indicators"
    std::string layers_synthetic;              // meta.layers_synthetic
    std::string bbox;                          // "minx,miny,maxx,maxy" (EPSG:4490)
    std::int64_t regions_per_level[6] = {};    // index = level 1…5
    std::vector<std::string> metrics;          // metric keys present in indicators
    std::vector<std::string> periods;          // periods present in indicators
    std::int64_t indicator_rows = 0;
    std::int64_t households = 0;
    std::int64_t projects = 0;
    std::int64_t sites = 0;
    std::int64_t alerts = 0;
};

// Throws BundleError with one clear line when the file is not a readable bundle.
BundleInfo read_info(const std::filesystem::path& path);
std::string to_text(const BundleInfo& info);  // for people, Chinese first
std::string to_json(const BundleInfo& info);  // for machines

}  // namespace onemap::data
