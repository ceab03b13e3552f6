// onemap manifest BUNDLE [--source S] [--region CODE] [--no-prepare] | --verify
//
// Makes a bundle already at hand into a snapshot that `onemap sync` can fetch: the render cache is
// built first when it is missing or stale (a kiosk opens its bundle read-only and would otherwise
// build the scene at every start), then BUNDLE.manifest.json is written beside it.
#include "data/bundle/bundle.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "kiosk/cli/commands.hpp"
#include "data/scene/map_scene.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_manifest_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle, source, region;
        bool no_prepare = false, verify = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("manifest", "快照清单 / make a bundle a snapshot for `onemap sync`: write BUNDLE.manifest.json "
                                                   "(SHA-256, size, time, source)");
    cmd->add_option("bundle", args->bundle, "bundle file (.gpkg)")->required();
    cmd->add_option("--source", args->source, "where the snapshot comes from (default: the bundle's absolute path); passwords are removed");
    cmd->add_option("--region", args->region, "the region code the snapshot was cut for (informational)");
    cmd->add_flag("--no-prepare", args->no_prepare, "do not build a missing render cache first");
    cmd->add_flag("--verify", args->verify, "check the bundle against its existing manifest instead (size, SHA-256, opens, quick_check)");
    cmd->callback([args, &exit] {
        const std::filesystem::path bundle = args->bundle;
        try {
            if (args->verify) {
                const auto m = data::read_snapshot_manifest(data::manifest_path(bundle));
                data::verify_snapshot(bundle, m);
                fmt::print("{}: matches its manifest (sha256 {}, {} bytes, created {})\n", bundle.string(), m.sha256, m.size, m.created);
                return;
            }
            if (!args->no_prepare) {
                const data::SceneLoad s = data::load_scene(bundle, true, true);
                if (!s.from_cache && !s.stored) {
                    throw data::BundleError(fmt::format("{}: the render cache is missing and the bundle is not writable; run onemap prepare "
                                                        "where it is, or pass --no-prepare", bundle.string()));
                }
                if (s.stored) fmt::print("render cache built ({:.1f} MiB)\n", s.blob_bytes / 1048576.0);
            }
            const std::string source = args->source.empty() ? std::filesystem::absolute(bundle).string() : args->source;
            const auto m = data::write_snapshot_manifest(bundle, source, args->region);
            fmt::print("{}: sha256 {}, {} bytes, schema v{}\n", data::manifest_path(bundle).string(), m.sha256, m.size, m.schema_version);
        } catch (const data::SnapshotError& e) {
            fmt::print(stderr, "onemap manifest: {} [{}]\n", e.what(), data::snapshot_check_key(e.check()));
            exit.value = 2;
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap manifest: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
