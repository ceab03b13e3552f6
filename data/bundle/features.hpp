#pragma once
// The bundle's three GeoPackage feature tables: written through GDAL's GPKG driver (features.cpp),
// read straight from SQLite with GEOS parsing the geometry (feature_read.cpp), so that a program
// which only reads a bundle — `onemap render` — never loads GDAL and its hundred libraries.
//
//   regions   MultiPolygon, EPSG:4490: code (unique), parent_code, level 1…5, name, population …
//   projects  Point: industrial assistance projects (产业帮扶项目)
//   sites     Point: relocation sites (易地扶贫搬迁安置点)
#include "data/policy/catalogue.hpp"
#include "gis/geometry.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace onemap::data {

struct Region {
    std::string code;
    std::string parent_code;  // empty for the province
    Level level = Level::Village;
    std::string name;
    std::int64_t population = 0;     // rural residents
    std::int64_t tp_population = 0;  // people lifted out of poverty (脱贫人口)
    std::int64_t tp_households = 0;
    gis::MultiPolygon geometry;      // lon/lat, CGCS2000
};

struct Project {
    std::int64_t fid = 0;            // assigned by the bundle
    std::string name;
    std::string county_code;
    std::string village_code;
    std::string category;            // 种植, 养殖, 加工, 光伏, 乡村旅游, 电商, 手工
    std::string batch;               // one of k_project_batches
    bool farmer_linkage = true;      // 联农带农机制
    bool operating = true;           // false: idle (闲置)
    std::int64_t beneficiary_households = 0;
    double investment = 0;           // 万元
    gis::Point location;
};

struct Site {
    std::int64_t fid = 0;
    std::string name;
    std::string county_code;
    std::int64_t households = 0;
    std::int64_t persons = 0;
    std::int64_t employed_households = 0;
    gis::Point location;
};

// Create a new GeoPackage at `path` (which must not exist) with the three feature tables filled.
// Throws BundleError naming the file on failure.
void write_features(const std::filesystem::path& path, const std::vector<Region>& regions,
                    const std::vector<Project>& projects, const std::vector<Site>& sites);

// In an existing bundle: delete the regions of `level` and write `regions` (all of that level) in
// one GDAL transaction. Used by the importers on their working copy (data/bundle/bundle_swap.hpp).
// WorkCopy::Private: `path` is a private copy that replace_atomically fsyncs before it replaces the
// bundle, and throws away on any failure — so it is written without a rollback journal or syncs
// (the copy-and-rename is what makes the import all or nothing).
enum class WorkCopy { Shared, Private };
void replace_regions(const std::filesystem::path& path, Level level, const std::vector<Region>& regions, WorkCopy copy = WorkCopy::Shared);

// In an existing bundle: replace every project / site (one GDAL transaction each).
void replace_projects(const std::filesystem::path& path, const std::vector<Project>& projects);
void replace_sites(const std::filesystem::path& path, const std::vector<Site>& sites);

// Read regions (all, or one level) with geometry, ordered by code.
std::vector<Region> read_regions(const std::filesystem::path& path, std::optional<Level> level = std::nullopt);
std::vector<Project> read_projects(const std::filesystem::path& path);
std::vector<Site> read_sites(const std::filesystem::path& path);

// The same three tables in the province's PostGIS database, through GDAL's PostgreSQL driver
// ("PG:" + `url` as libpq takes it); `shown` (the redacted URL) names it in errors. `codes`: only
// those regions (codes are digits; anything else is left out). Throws BundleError.
std::vector<Region> read_pg_regions(const std::string& url, const std::string& shown, Level level,
                                    const std::vector<std::string>* codes = nullptr);
std::vector<Project> read_pg_projects(const std::string& url, const std::string& shown);
std::vector<Site> read_pg_sites(const std::string& url, const std::string& shown);

// Geometry as ISO WKB (little-endian), exact to the bit: written through OGR, read through GEOS. The
// readers accept Polygon or MultiPolygon (resp. Point) and throw BundleError on anything else or
// malformed bytes.
std::vector<unsigned char> to_wkb(const gis::MultiPolygon& geometry);
std::vector<unsigned char> to_wkb(const gis::Point& point);
gis::MultiPolygon multipolygon_from_wkb(const unsigned char* wkb, std::size_t size);
gis::Point point_from_wkb(const unsigned char* wkb, std::size_t size);

}  // namespace onemap::data
