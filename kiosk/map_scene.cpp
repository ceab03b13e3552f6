#include "kiosk/map_scene.hpp"

#include "data/bundle.hpp"
#include "data/features.hpp"
#include "data/render_cache.hpp"

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace onemap::app {

namespace {
double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

SceneLoad load_scene(const data::Bundle& bundle, bool use_cache, bool write_cache, int threads) {
    using clock = std::chrono::steady_clock;
    const std::filesystem::path& path = bundle.path();
    SceneLoad out;
    auto t0 = clock::now();
    std::string hash;
    {
        hash = data::regions_fingerprint(bundle) + "|scene-format " + std::to_string(gis::k_scene_format);
        if (use_cache) {
            if (auto blob = data::load_render_cache(bundle, k_scene_cache_key, hash)) {
                out.scene = gis::deserialize_scene(*blob);
                out.from_cache = true;
                out.blob_bytes = blob->size();
                out.seconds_read = since(t0);
                return out;
            }
        }
    }
    std::vector<gis::SceneInputLayer> layers;
    for (data::Level level : {data::Level::County, data::Level::Township, data::Level::Village}) {
        gis::SceneInputLayer layer;
        layer.level = static_cast<int>(level);
        for (auto& r : data::read_regions(path, level))
            layer.features.push_back({std::move(r.code), std::move(r.parent_code), std::move(r.name), r.population,
                                      std::move(r.geometry)});
        if (!layer.features.empty()) layers.push_back(std::move(layer));
    }
    out.seconds_read = since(t0);
    t0 = clock::now();
    gis::SceneBuildOptions options;
    options.threads = threads;
    out.scene = gis::build_scene(layers, options, &out.stats);
    out.seconds_build = since(t0);
    if (write_cache && ::access(path.c_str(), W_OK) == 0) {
        t0 = clock::now();
        const auto blob = gis::serialize(out.scene);
        out.blob_bytes = blob.size();
        try {
            data::Bundle writable = data::Bundle::open(path, data::OpenMode::ReadWrite);
            data::store_render_cache(writable, k_scene_cache_key, hash, blob);
            out.stored = true;
        } catch (const data::BundleError& e) {
            out.store_error = e.what();
        }
        out.seconds_store = since(t0);
    }
    return out;
}

SceneLoad load_scene(const std::filesystem::path& path, bool use_cache, bool write_cache, int threads) {
    const data::Bundle bundle = data::Bundle::open(path, data::OpenMode::ReadOnly);
    return load_scene(bundle, use_cache, write_cache, threads);
}

}  // namespace onemap::app
