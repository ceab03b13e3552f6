#include "data/bundle/bundle.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_lookup.hpp"
#include "data/bundle/render_cache.hpp"
#include "kiosk/cli/commands.hpp"
#include "data/scene/map_scene.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include <unistd.h>

namespace onemap::app {

void add_prepare_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle;
        bool force = false;
        int threads = 0;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("prepare", "预处理地图 / build the render scene into the bundle's render cache");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg)")->required();
    cmd->add_flag("--force", args->force, "rebuild even when the cache is current");
    cmd->add_option("--threads", args->threads, "worker threads (0: one per core)")->capture_default_str();
    cmd->callback([args, &exit] {
        try {
            const data::Bundle bundle = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
            // What a kiosk would otherwise derive from the household tables at start: the card's
            // characters and the look-up summary (a bundle from before they were stored, or --force).
            // Only a count is printed.
            const bool glyphs = args->force || !data::household_card_glyphs_stored(bundle);
            const bool summary = args->force || !data::household_lookup_summary_stored(bundle);
            if ((glyphs || summary) && ::access(args->bundle.c_str(), W_OK) == 0) {
                const auto t0 = std::chrono::steady_clock::now();
                data::Bundle writable = data::Bundle::open(args->bundle, data::OpenMode::ReadWrite);
                data::Transaction tx(writable);
                const std::size_t n = glyphs ? data::store_household_card_glyphs(writable) : 0;
                if (summary) data::store_household_lookup_summary(writable);
                tx.commit();
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (glyphs) fmt::print("household card characters stored: {} in {:.2f} s\n", n, seconds);
                if (summary) fmt::print("household look-up summary stored\n");
            } else if (glyphs || summary) {
                fmt::print("household card characters and look-up summary not stored (bundle not writable): kiosks derive "
                           "them at start\n");
            }
            const data::SceneLoad s = data::load_scene(bundle, !args->force, true, args->threads);
            if (!s.store_error.empty()) throw data::BundleError("render cache built but not stored: " + s.store_error);
            // The cache's key, stored so that a start need not compute it (a bundle from before it was
            // stored: its scene came from the cache, and nothing stored it)
            if (!data::regions_fingerprint_stored(bundle) && ::access(args->bundle.c_str(), W_OK) == 0) {
                data::Bundle writable = data::Bundle::open(args->bundle, data::OpenMode::ReadWrite);
                data::store_regions_fingerprint(writable);
                fmt::print("regions fingerprint stored\n");
            }
            if (s.from_cache) {
                fmt::print("render cache current ({:.1f} MiB), read in {:.3f} s\n", s.blob_bytes / 1048576.0, s.seconds_read);
                return;
            }
            const auto& st = s.stats;
            fmt::print("scene built: read {:.2f} s, build {:.2f} s (topology {:.2f}, simplify {:.2f}, triangulate {:.2f}, "
                       "anchors {:.2f} — thread-summed where parallel), store {:.2f} s\n",
                       s.seconds_read, s.seconds_build, st.seconds_topology, st.seconds_simplify, st.seconds_triangulate,
                       st.seconds_anchors, s.seconds_store);
            fmt::print("{} input vertices, {} arcs, {} triangles over all LODs, {} features repaired at a finer "
                       "tolerance, {} failed triangulations, blob {:.1f} MiB{}\n",
                       st.input_vertices, st.arcs, st.triangles, st.repaired_features, st.failed_triangulations,
                       s.blob_bytes / 1048576.0, s.stored ? "" : " (bundle not writable: not stored)");
            for (const auto& layer : s.scene.layers)
                for (const auto& lod : layer.lods)
                    fmt::print("  level {} tol {:.4f}°: {} vertices, {} triangles, {} border segments, {} chunks\n",
                               layer.level, lod.tolerance, lod.vertex_feature.size(), lod.indices.size() / 3,
                               lod.segments.size() / 4, lod.fill_chunks.size());
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap prepare: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
