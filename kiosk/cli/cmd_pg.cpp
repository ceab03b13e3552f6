// onemap serve-db init|load --pg URL, onemap publish --pg URL --region CODE --out F.gpkg
#include "data/bundle/bundle.hpp"
#include "data/pg/pg.hpp"
#include "data/pg/pg_publish.hpp"
#include "data/pg/pg_schema.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "kiosk/cli/commands.hpp"
#include "data/scene/map_scene.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_serve_db_command(CLI::App& app, ExitCode& exit) {
    CLI::App* cmd = app.add_subcommand("serve-db", "省级数据库 / the province's PostgreSQL/PostGIS database: schema, roles, loading a bundle");
    cmd->require_subcommand(1);
    {
        struct Args {
            std::string url;
            data::pg::Roles roles;
        };
        auto a = std::make_shared<Args>();
        CLI::App* init = cmd->add_subcommand("init", "create the schema (PostGIS, tables, indexes) and the writer/reader roles; safe to run again");
        init->add_option("--pg", a->url, "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (a superuser or the database owner)")->required();
        init->add_option("--writer-role", a->roles.writer, "role for data offices (read-write)")->capture_default_str();
        init->add_option("--reader-role", a->roles.reader, "role for screens (read-only)")->capture_default_str();
        init->callback([a, &exit] {
            try {
                data::pg::Connection c = data::pg::Connection::open(a->url);
                const auto done = data::pg::init_schema(c, a->roles);
                fmt::print("{}: onemap schema v{} ready\n", c.name(), data::pg::k_pg_schema_version);
                for (const auto& line : done) fmt::print("  {}\n", line);
                if (done.size() == 1) fmt::print("  (nothing else to do: already initialised)\n");
            } catch (const std::exception& e) {
                fmt::print(stderr, "onemap serve-db init: {}\n", e.what());
                exit.value = 2;
            }
        });
    }
    {
        struct Args {
            std::string url, bundle;
            bool replace = false;
        };
        auto a = std::make_shared<Args>();
        CLI::App* load = cmd->add_subcommand("load", "copy a whole bundle into the database (one transaction; e.g. the demo province)");
        load->add_option("--pg", a->url, "postgresql://… (the writer role or owner)")->required();
        load->add_option("--bundle", a->bundle, "bundle file (.gpkg)")->required()->check(CLI::ExistingFile);
        load->add_flag("--replace", a->replace, "empty the onemap tables first (otherwise they must be empty)");
        load->callback([a, &exit] {
            try {
                data::pg::Connection c = data::pg::Connection::open(a->url);
                const auto counts = data::pg::load_bundle(c, a->bundle, a->replace);
                fmt::print("{} → {}\n", a->bundle, c.name());
                for (const auto& [table, rows] : counts) fmt::print("  {:<20} {:>10}\n", table, rows);
            } catch (const std::exception& e) {
                fmt::print(stderr, "onemap serve-db load: {}\n(the database is unchanged)\n", e.what());
                exit.value = 2;
            }
        });
    }
}

void add_publish_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string url, region, out;
        bool no_prepare = false, no_households = false;
        int threads = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("publish", "发布快照 / one kiosk's or wall's bundle from PostgreSQL: one consistent snapshot, "
                                                  "render cache built, manifest beside it");
    cmd->add_option("--pg", a->url, "postgresql://… (the reader role is enough)")->required();
    cmd->add_option("--region", a->region, "region code: the snapshot holds it, the levels above it and everything below it")->required();
    cmd->add_option("--out", a->out, "bundle to write (.gpkg); replaced atomically")->required();
    cmd->add_flag("--no-households", a->no_households, "leave out the household look-up data and household alerts (a wall's snapshot)");
    cmd->add_flag("--no-prepare", a->no_prepare, "do not build the render cache (the kiosk builds it at start)");
    cmd->add_option("--threads", a->threads, "threads for the render cache (0: one per core)")->capture_default_str();
    cmd->callback([a, &exit] {
        try {
            data::pg::Connection c = data::pg::Connection::open(a->url);
            const auto s = data::publish_snapshot(c, a->region, a->out, [&](const std::filesystem::path& work) {
                if (!a->no_prepare) data::load_scene(work, false, true, a->threads);
            }, !a->no_households);
            data::write_snapshot_manifest(a->out, s.source, s.region_code);
            fmt::print("{} {} → {} ({:.1f} MiB): read {:.2f} s, render cache {:.2f} s\n", s.region_code, s.region_name, a->out,
                       static_cast<double>(s.bytes) / 1048576.0, s.seconds_read, s.seconds_prepare);
            fmt::print("  source {} snapshot {}\n", s.source, s.snapshot);
            for (const auto& [table, rows] : s.rows) fmt::print("  {:<20} {:>10}\n", table, rows);
            fmt::print("  manifest {}\n", data::manifest_path(a->out).string());
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap publish: {}\n({} is unchanged)\n", e.what(), a->out);
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
