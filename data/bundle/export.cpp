#include "export.hpp"

#include "data/bundle/bundle.hpp"
#include "data/import/import_report.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>

#include <fmt/format.h>

#include <algorithm>

namespace onemap::data {

std::optional<ExportFormat> parse_export_format(std::string_view key) {
    if (key == "gpkg" || key == "geopackage") return ExportFormat::GeoPackage;
    if (key == "shp" || key == "shapefile") return ExportFormat::Shapefile;
    if (key == "geojson" || key == "json") return ExportFormat::GeoJSON;
    if (key == "csv") return ExportFormat::Csv;
    return std::nullopt;
}

std::vector<std::filesystem::path> export_bundle(const ExportOptions& opt) {
    namespace fs = std::filesystem;
    { Bundle check = Bundle::open(opt.bundle, OpenMode::ReadOnly); }
    if (fs::exists(opt.out)) throw ImportError(fmt::format("{}: already exists; choose a new name", opt.out.string()));
    static const std::vector<std::string> k_known = {"regions", "projects", "sites", "indicators", "metrics"};
    std::vector<std::string> layers = opt.layers.empty() ? k_known : opt.layers;
    for (const auto& l : layers) {
        if (l == "households") throw ImportError("households are never exported: they hold people's data");
        if (std::find(k_known.begin(), k_known.end(), l) == k_known.end()) {
            throw ImportError(fmt::format("--layer {}: unknown (regions, projects, sites, indicators, metrics)", l));
        }
    }
    GDALAllRegister();
    GDALDatasetH src = GDALOpenEx(opt.bundle.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    if (!src) throw ImportError(fmt::format("{}: GDAL cannot open the bundle: {}", opt.bundle.string(), CPLGetLastErrorMsg()));
    if (opt.format != ExportFormat::GeoPackage) fs::create_directories(opt.out);
    std::vector<fs::path> written;
    try {
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const std::string& layer = layers[i];
            const bool table = layer == "indicators" || layer == "metrics";
            fs::path dest;
            CPLStringList argv;
            switch (opt.format) {
                case ExportFormat::GeoPackage:
                    dest = opt.out;
                    argv.AddString("-f"); argv.AddString("GPKG");
                    if (i > 0) argv.AddString("-update");
                    break;
                case ExportFormat::Shapefile:
                    dest = opt.out / (layer + (table ? ".dbf" : ".shp"));
                    argv.AddString("-f"); argv.AddString("ESRI Shapefile");
                    argv.AddString("-lco"); argv.AddString("ENCODING=UTF-8");  // writes the .cpg
                    break;
                case ExportFormat::GeoJSON:
                    if (table) dest = opt.out / (layer + ".csv");
                    else dest = opt.out / (layer + ".geojson");
                    argv.AddString("-f"); argv.AddString(table ? "CSV" : "GeoJSON");
                    break;
                case ExportFormat::Csv:
                    dest = opt.out / (layer + ".csv");
                    argv.AddString("-f"); argv.AddString("CSV");
                    // points as X and Y columns — what `onemap import projects|sites` reads back — and
                    // regions as WKT
                    if (!table) { argv.AddString("-lco"); argv.AddString(layer == "regions" ? "GEOMETRY=AS_WKT" : "GEOMETRY=AS_XY"); }
                    // regions.csvt names the WKT column, and with it GDAL writes regions.prj (CGCS2000)
                    // and reads it back: `onemap import boundaries regions.csv` needs no --s-srs
                    if (layer == "regions") { argv.AddString("-lco"); argv.AddString("CREATE_CSVT=YES"); }
                    break;
            }
            argv.AddString("-nln"); argv.AddString(layer.c_str());
            if (table) {  // plain SQLite tables, not registered as GeoPackage layers
                argv.AddString("-sql");
                argv.AddString(fmt::format("SELECT * FROM {}", layer).c_str());
            } else {
                argv.AddString(layer.c_str());
            }
            GDALVectorTranslateOptions* vto = GDALVectorTranslateOptionsNew(argv.List(), nullptr);
            int usage_error = 0;
            CPLErrorReset();
            GDALDatasetH out = GDALVectorTranslate(dest.string().c_str(), nullptr, 1, &src, vto, &usage_error);
            GDALVectorTranslateOptionsFree(vto);
            if (!out) throw ImportError(fmt::format("{}: cannot write layer {}: {}", dest.string(), layer, CPLGetLastErrorMsg()));
            GDALClose(out);
            if (std::find(written.begin(), written.end(), dest) == written.end()) written.push_back(dest);
        }
    } catch (...) {
        GDALClose(src);
        throw;
    }
    GDALClose(src);
    return written;
}

}  // namespace onemap::data
