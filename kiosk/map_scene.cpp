#include "kiosk/map_scene.hpp"

#include "data/bundle.hpp"
#include "data/features.hpp"
#include "data/render_cache.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <cstdio>
#include <unistd.h>

namespace onemap::app {

namespace {
// The render cache's blob as the scene's LOD source.
class BundleBlob final : public gis::SceneBlobReader {
public:
    explicit BundleBlob(std::unique_ptr<data::RenderCacheBlob> blob) : m_blob(std::move(blob)) {}
    std::uint64_t size() const override { return m_blob->size(); }
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const override {
        try {
            return m_blob->read(offset, size);
        } catch (const data::BundleError& e) {
            throw std::runtime_error(e.what());
        }
    }
private:
    std::unique_ptr<data::RenderCacheBlob> m_blob;
};

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
            // Only the head now: each LOD is read when first drawn.
            if (auto blob = data::RenderCacheBlob::open(path, k_scene_cache_key, hash)) {
                out.blob_bytes = blob->size();
                try {
                    out.scene = gis::open_scene(std::make_shared<BundleBlob>(std::move(blob)));
                    out.from_cache = true;
                    out.seconds_read = since(t0);
                    return out;
                } catch (const std::runtime_error& e) {
                    out.cache_error = e.what();
                }
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
            // Another program may have stored the same scene meanwhile; replacing it would pull the rug
            // from under whoever is reading its LODs.
            if (!use_cache || !data::has_render_cache(writable, k_scene_cache_key, hash)) {
                data::store_render_cache(writable, k_scene_cache_key, hash, blob);
                out.stored = true;
            }
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
