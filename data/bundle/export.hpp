#pragma once
// `onemap export`: a bundle's layers and tables back out, so data leaves as easily as it came.
//
//   GeoPackage  one file, every layer                   Shapefile  a folder, NAME.shp + .cpg (UTF-8)
//   GeoJSON     a folder, NAME.geojson                   CSV        a folder, NAME.csv (geometry as WKT)
//
// Layers: regions, projects, sites (geometry) and indicators, metrics (tables). Households are never
// exported: they hold people's data and leave only through the official systems.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

enum class ExportFormat { GeoPackage, Shapefile, GeoJSON, Csv };
std::optional<ExportFormat> parse_export_format(std::string_view key);  // gpkg, shp, geojson, csv

struct ExportOptions {
    std::filesystem::path bundle;
    std::filesystem::path out;        // a file (GeoPackage) or a folder (the others); must not exist
    ExportFormat format = ExportFormat::GeoPackage;
    std::vector<std::string> layers;  // empty: regions, projects, sites, indicators, metrics
};

// Returns the files written. Throws BundleError (bundle) or ImportError (out exists, layer unknown, GDAL fails).
std::vector<std::filesystem::path> export_bundle(const ExportOptions& options);

}  // namespace onemap::data
