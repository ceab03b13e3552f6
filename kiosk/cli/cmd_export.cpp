// `onemap export --bundle F --format gpkg|shp|geojson|csv --out PATH [--layer L …]`
#include "data/bundle/bundle.hpp"
#include "data/bundle/export.hpp"
#include "data/import/import_report.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_export_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle, out, format = "gpkg";
        std::vector<std::string> layers;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("export", "导出 / write a bundle's layers and tables as GeoPackage, Shapefile (+.cpg), GeoJSON or CSV");
    cmd->add_option("--bundle", a->bundle, "bundle file (.gpkg)")->required();
    cmd->add_option("--out", a->out, "output file (gpkg) or folder (shp, geojson, csv); must not exist")->required();
    cmd->add_option("--format", a->format, "gpkg | shp | geojson | csv (default gpkg)");
    cmd->add_option("--layer", a->layers, "regions, projects, sites, indicators, metrics (default all; households never)");
    cmd->callback([a, &exit] {
        try {
            const auto format = data::parse_export_format(a->format);
            if (!format) throw data::ImportError(fmt::format("--format {}: expected gpkg, shp, geojson or csv", a->format));
            for (const auto& f : data::export_bundle({a->bundle, a->out, *format, a->layers})) fmt::print("{}\n", f.string());
        } catch (const data::ImportError& e) {
            fmt::print(stderr, "onemap export: {}\n", e.what());
            exit.value = 2;
        } catch (const data::BundleError& e) {
            fmt::print(stderr, "onemap export: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
