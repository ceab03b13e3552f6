#include "data/scene/map_scene.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/features.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/render_cache.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace onemap::data {

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

// A scene file as the scene's LOD source: the descriptor stays open, so a file replaced (renamed over)
// later keeps serving the scene that was opened.
class FileBlob final : public gis::SceneBlobReader {
public:
    explicit FileBlob(const std::filesystem::path& file) : m_path(file), m_fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (m_fd < 0) throw std::runtime_error(file.string() + ": cannot open");
        struct stat st {};
        if (::fstat(m_fd, &st) != 0) throw std::runtime_error(file.string() + ": cannot stat");
        m_size = static_cast<std::uint64_t>(st.st_size);
    }
    ~FileBlob() override { ::close(m_fd); }
    FileBlob(const FileBlob&) = delete;
    FileBlob& operator=(const FileBlob&) = delete;
    std::uint64_t size() const override { return m_size; }
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const override {
        if (offset > m_size || size > m_size - offset) throw std::runtime_error(m_path.string() + ": a read beyond the end");
        std::vector<std::uint8_t> out(size);
        for (std::uint64_t done = 0; done < size;) {
            const ssize_t n = ::pread(m_fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
            if (n <= 0) throw std::runtime_error(m_path.string() + ": cannot read");
            done += static_cast<std::uint64_t>(n);
        }
        return out;
    }
private:
    std::filesystem::path m_path;
    int m_fd;
    std::uint64_t m_size = 0;
};

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// The scene from the drawn levels' regions with geometry, read through `read` (a bundle or a source);
// seconds_read counts from `t0`.
void build(SceneLoad& out, const std::function<std::vector<data::Region>(data::Level)>& read, int threads,
           std::chrono::steady_clock::time_point t0) {
    std::vector<gis::SceneInputLayer> layers;
    for (data::Level level : {data::Level::County, data::Level::Township, data::Level::Village}) {
        gis::SceneInputLayer layer;
        layer.level = static_cast<int>(level);
        for (auto& r : read(level))
            layer.features.push_back({std::move(r.code), std::move(r.parent_code), std::move(r.name), r.population,
                                      std::move(r.geometry)});
        if (!layer.features.empty()) layers.push_back(std::move(layer));
    }
    out.seconds_read = since(t0);
    t0 = std::chrono::steady_clock::now();
    gis::SceneBuildOptions options;
    options.threads = threads;
    out.scene = gis::build_scene(layers, options, &out.stats);
    out.seconds_build = since(t0);
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
    build(out, [&](data::Level level) { return data::read_regions(path, level); }, threads, t0);
    if (write_cache && ::access(path.c_str(), W_OK) == 0) {
        t0 = clock::now();
        const auto blob = gis::serialize(out.scene);
        out.blob_bytes = blob.size();
        try {
            // the cache is optional: a bundle another program is writing is left alone (no wait at start)
            data::Bundle writable = data::Bundle::open(path, data::OpenMode::ReadWrite, 0.0);
            // Another program may have stored the same scene meanwhile; replacing it would pull the rug
            // from under whoever is reading its LODs.
            if (!use_cache || !data::has_render_cache(writable, k_scene_cache_key, hash)) {
                data::store_render_cache(writable, k_scene_cache_key, hash, blob);
                out.stored = true;
            }
            // so that the next start finds the key without a pass over the regions table
            if (!data::regions_fingerprint_stored(writable)) data::store_regions_fingerprint(writable);
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

std::filesystem::path private_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path dir = xdg && *xdg ? std::filesystem::path(xdg) / "onemap"
                                                  : std::filesystem::path(home && *home ? home : "/tmp") / ".cache" / "onemap";
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    return dir;
}

SceneLoad load_scene(const data::Source& source, const std::filesystem::path& cache_dir, int threads) {
    using clock = std::chrono::steady_clock;
    SceneLoad out;
    auto t0 = clock::now();
    const std::string hash = source.regions_hash() + "|scene-format " + std::to_string(gis::k_scene_format);
    // One file per source (its name), replaced when its regions change.
    const std::string prefix = "scene-" + data::sha256_hex(source.name()).substr(0, 16) + "-";
    const std::filesystem::path file = cache_dir / (prefix + data::sha256_hex(hash).substr(0, 32) + ".bin");
    if (std::filesystem::exists(file)) {
        try {  // the head now, each LOD when first drawn
            auto blob = std::make_shared<FileBlob>(file);
            out.blob_bytes = blob->size();
            out.scene = gis::open_scene(std::move(blob));
            out.from_cache = true;
            out.seconds_read = since(t0);
            return out;
        } catch (const std::exception& e) {
            out.cache_error = e.what();  // damaged or from another build: built again below and the file replaced
        }
    }
    build(out, [&](data::Level level) { return source.regions_with_geometry(level); }, threads, t0);
    t0 = clock::now();
    try {
        std::filesystem::create_directories(cache_dir);
        std::filesystem::permissions(cache_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
        const auto blob = gis::serialize(out.scene);
        out.blob_bytes = blob.size();
        const std::filesystem::path tmp = file.string() + ".tmp-" + std::to_string(::getpid());
        {
            std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
            o.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
            if (!o) throw std::runtime_error("cannot write " + tmp.string());
        }
        std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                     std::filesystem::perm_options::replace);
        std::filesystem::rename(tmp, file);
        for (const auto& e : std::filesystem::directory_iterator(cache_dir)) {  // this source's older scenes
            const std::string name = e.path().filename().string();
            if (name.rfind(prefix, 0) == 0 && e.path() != file && name.find(".tmp-") == std::string::npos) std::filesystem::remove(e.path());
        }
        out.stored = true;
    } catch (const std::exception& e) {
        out.store_error = e.what();
    }
    out.seconds_store = since(t0);
    return out;
}

}  // namespace onemap::data
