// `onemap import boundaries|indicators|households|projects|sites SRC --bundle F | --pg URL`
#include "data/bundle/bundle.hpp"
#include "data/import/import_boundaries.hpp"
#include "data/import/import_tables.hpp"
#include "data/import/import_target.hpp"
#include "data/pg/pg.hpp"
#include "kiosk/cli/commands.hpp"
#include "data/scene/map_scene.hpp"
#include "kiosk/cli/progress.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

namespace onemap::app {

namespace {

struct CommonArgs {
    std::string source;
    std::string bundle;
    std::string pg;
    std::string layer;
    std::string encoding;
    std::string report;
};

void add_common(CLI::App* cmd, CommonArgs& a) {
    cmd->add_option("source", a.source, "file to import (Shapefile, .zip, GeoPackage, GeoJSON, KML, FlatGeobuf, CSV, XLSX)")->required();
    auto* bundle = cmd->add_option("--bundle", a.bundle, "bundle file (.gpkg); created when it does not exist");
    auto* pg = cmd->add_option("--pg", a.pg, "instead of a bundle: the province's PostgreSQL database, postgresql://USER[:PASSWORD]@HOST/DB "
                                             "(the writer role; one transaction)");
    bundle->excludes(pg);
    pg->excludes(bundle);
    cmd->add_option("--layer", a.layer, "layer (or sheet) to read; default the first");
    cmd->add_option("--encoding", a.encoding, "text encoding of a Shapefile/CSV (UTF-8, GBK); default: .cpg, else detected");
    cmd->add_option("--report", a.report, "write every repaired/rejected item to this CSV file");
}

// Where the rows go: --bundle F or --pg URL (exactly one).
std::unique_ptr<data::ImportTarget> target_of(const CommonArgs& a) {
    if (a.bundle.empty() == a.pg.empty()) throw data::ImportError("give --bundle FILE.gpkg or --pg postgresql://… (one of them)");
    return a.pg.empty() ? data::bundle_target(a.bundle) : data::postgres_target(a.pg);
}

// Prints the summary, writes the report, sets the exit code: 0 imported, 3 nothing imported.
void finish(const data::ImportSummary& s, const CommonArgs& a, ExitCode& exit) {
    fmt::print("{}", data::to_text(s));
    if (!a.report.empty()) {
        data::write_report_csv(s, a.report);
        fmt::print("report: {} ({} items)\n", a.report, s.items.size());
    }
    exit.value = s.committed ? 0 : 3;
}

template <typename Fn>
void guarded(const char* what, const CommonArgs& a, ExitCode& exit, Fn&& fn) {
    const char* unchanged = a.pg.empty() ? "(the bundle is unchanged)" : "(the database is unchanged)";
    try {
        fn();
    } catch (const gis::SourceError& e) {
        fmt::print(stderr, "onemap import {}: {}\n{}\n", what, e.what(), unchanged);
        exit.value = 2;
    } catch (const data::ImportError& e) {
        fmt::print(stderr, "onemap import {}: {}\n{}\n", what, e.what(), unchanged);
        exit.value = 2;
    } catch (const data::BundleError& e) {
        fmt::print(stderr, "onemap import {}: {}\n{}\n", what, e.what(), unchanged);
        exit.value = 2;
    } catch (const data::pg::PgError& e) {
        fmt::print(stderr, "onemap import {}: {}\n{}\n", what, e.what(), unchanged);
        exit.value = 2;
    } catch (const std::filesystem::filesystem_error& e) {  // no room or no permission for the working copy
        fmt::print(stderr, "onemap import {}: {}\n{}\n", what, e.what(), unchanged);
        exit.value = 2;
    }
}

}  // namespace

void add_import_command(CLI::App& app, ExitCode& exit) {
    CLI::App* imp = app.add_subcommand("import", "导入数据 / import official boundaries and tables into a bundle (all or nothing)");
    imp->require_subcommand(1);

    {
        struct Args : CommonArgs {
            std::string level, code_field, name_field, parent_field, s_srs;
            bool from_gcj02 = false;
            bool no_prepare = false;
            bool allow_partial = false;
            bool force = false;
            double min_area = 10000;
        };
        auto a = std::make_shared<Args>();
        CLI::App* cmd = imp->add_subcommand("boundaries", "行政区划边界 / one level of region boundaries");
        add_common(cmd, *a);
        cmd->add_option("--level", a->level, "province|city|county|township|village")->required();
        cmd->add_option("--code-field", a->code_field, "column with the division code (default: XZQDM, adcode, code, 代码 … recognised)");
        cmd->add_option("--name-field", a->name_field, "column with the name (default: XZQMC, name, 名称 … recognised)");
        cmd->add_option("--parent-field", a->parent_field, "column with the parent's code (default: recognised, else derived from the code)");
        cmd->add_option("--s-srs", a->s_srs, "source CRS when the file has none or a wrong one (EPSG:4490, EPSG:4547 …)");
        cmd->add_flag("--from-gcj02", a->from_gcj02,
                      "undo the GCJ-02 shift of web-map data (Amap/Gaode, DataV, Tencent); use it for boundaries downloaded from those "
                      "services, never for surveyed (CGCS2000) data");
        cmd->add_flag("--no-prepare", a->no_prepare, "do not rebuild the render cache now (the next start or `onemap prepare` does)");
        cmd->add_option("--min-area", a->min_area, "overlaps, gaps and parts outside the parent below this many m² are not reported (default 10000)");
        cmd->add_flag("--allow-partial", a->allow_partial,
                      "replace the level even when the file has fewer regions than the bundle holds (otherwise refused: a damaged or "
                      "partial file would drop the rest)");
        cmd->add_flag("--force", a->force,
                      "import features that mostly lie away from Henan where they are (otherwise refused as a wrong CRS, naming a likely one)");
        cmd->callback([a, &exit] {
            guarded("boundaries", *a, exit, [&] {
                data::BoundaryImportOptions o;
                const auto level = data::parse_level(a->level);
                if (!level) throw data::ImportError(fmt::format("--level {}: expected province, city, county, township or village", a->level));
                o.level = *level;
                o.source = {a->source, a->layer, a->encoding, a->s_srs, a->from_gcj02, false};
                o.code_field = a->code_field;
                o.name_field = a->name_field;
                o.parent_field = a->parent_field;
                o.min_area_m2 = a->min_area;
                o.allow_partial = a->allow_partial;
                o.force_placement = a->force;
                ProgressLine progress("reading");
                o.progress = progress.callback();
                const auto target = target_of(*a);
                const data::ImportSummary s = data::import_boundaries(*target, o);
                progress.finish();
                finish(s, *a, exit);
                if (s.committed && !a->no_prepare && a->pg.empty()) {  // the map shows the new boundaries from the next start on
                    try {
                        const data::SceneLoad scene = data::load_scene(a->bundle, true, true);
                        if (!scene.store_error.empty()) throw data::BundleError(scene.store_error);
                        fmt::print("render cache rebuilt: {:.1f} MiB in {:.1f} s\n", scene.blob_bytes / 1048576.0,
                                   scene.seconds_read + scene.seconds_build + scene.seconds_store);
                    } catch (const std::exception& e) {  // the import itself has landed; the cache is rebuilt on next start
                        fmt::print(stderr, "onemap import boundaries: render cache not rebuilt ({}); run `onemap prepare --bundle {}`\n", e.what(), a->bundle);
                    }
                }
            });
        });
    }

    for (const auto kind : {data::TableKind::Indicators, data::TableKind::Households, data::TableKind::Projects, data::TableKind::Sites}) {
        struct Args : CommonArgs {
            std::string key, period, s_srs;
            std::vector<std::string> columns;
            bool from_gcj02 = false;
            int iterations = 20000;
        };
        auto a = std::make_shared<Args>();
        const std::string name(data::table_kind_key(kind));
        CLI::App* cmd = imp->add_subcommand(name, std::string(data::table_kind_help(kind)));
        add_common(cmd, *a);
        if (kind == data::TableKind::Indicators) {
            cmd->add_option("--period", a->period, "period (YYYY or YYYY-MM) for wide tables whose headers carry no year");
            cmd->add_option("--column", a->columns,
                            "COLUMN=METRIC: read this column as that metric (key or Chinese name), e.g. --column income=tp_income_pc; "
                            "repeat for more columns")->allow_extra_args(false);
        }
        if (kind == data::TableKind::Households) {
            cmd->add_option("--key", a->key, "household key file made by `onemap keygen` (kept outside the bundle)")->required();
            cmd->add_option("--second-factor-iterations", a->iterations, "PBKDF2 rounds for the phone/PIN second factor (default 20000, at least 10000)")
                ->check(CLI::Range(10000, 10000000));
        }
        if (kind == data::TableKind::Projects || kind == data::TableKind::Sites) {
            cmd->add_option("--s-srs", a->s_srs, "CRS of a point layer without one");
            cmd->add_flag("--from-gcj02", a->from_gcj02, "lon/lat picked on a web map (Amap/Gaode, Tencent): undo the GCJ-02 shift");
        }
        cmd->callback([a, kind, name, &exit] {
            guarded(name.c_str(), *a, exit, [&] {
                data::TableImportOptions o;
                o.kind = kind;
                o.source = {a->source, a->layer, a->encoding, a->s_srs, a->from_gcj02, true};
                o.period = a->period;
                for (const std::string& m : a->columns) {
                    const auto eq = m.find('=');
                    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
                        throw data::ImportError(fmt::format("--column {}: expected COLUMN=METRIC, e.g. income=tp_income_pc", m));
                    o.columns.emplace_back(m.substr(0, eq), m.substr(eq + 1));
                }
                o.key_file = a->key;
                o.second_factor_iterations = a->iterations;
                ProgressLine progress("importing");
                o.progress = progress.callback();
                const auto target = target_of(*a);
                const data::ImportSummary s = data::import_table(*target, o);
                progress.finish();
                finish(s, *a, exit);
            });
        });
    }
}

}  // namespace onemap::app
