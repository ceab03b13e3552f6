#pragma once
// The render scene: everything the renderer draws, prepared once per bundle and cached as a blob.
//
//   Scene ── origin (lon/lat subtracted from every stored coordinate, so floats keep precision)
//     └─ layers[] (one per level: county, township, village …)
//          ├─ features[i]  code, parent, name, population, anchor (pole of inaccessibility), bounds
//          └─ lods[k]      tolerance (degrees), coarser as k grows
//               ├─ fill:    xy[2v], vertex_feature[v], indices[3t], fill_chunks (index ranges)
//               └─ borders: segments[4s] (x0 y0 x1 y1), border_chunks (segment ranges)
//
// Chunks are cells of a coarse grid over the layer (16×16 up to 64×64, about 32 features a cell), in
// row order: culling keeps the visible ones and merges neighbouring ranges, so draw calls stay in the
// tens whatever the feature count.
// Borders are the coverage topology's arcs (each shared border once), simplified once per LOD.
#include "gis/geometry.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace onemap::gis {

struct SceneFeature {
    std::string code;
    std::string parent_code;
    std::string name;
    std::int64_t population = 0;
    Point anchor;          // lon/lat
    double anchor_radius = 0;
    Box bounds;            // lon/lat
};

struct SceneChunk {
    Box bounds;            // relative to the scene origin
    std::uint32_t first = 0;
    std::uint32_t count = 0;
};

struct SceneLod {
    double tolerance = 0;
    bool loaded = true;                       // false: still in the blob (Scene::lod reads it)
    std::uint64_t blob_offset = 0, blob_size = 0, blob_checksum = 0;
    std::vector<float> xy;                    // relative to origin
    std::vector<std::uint32_t> vertex_feature;
    std::vector<std::uint32_t> indices;
    std::vector<SceneChunk> fill_chunks;      // ranges of indices
    std::vector<float> segments;              // x0 y0 x1 y1 per border segment
    std::vector<SceneChunk> border_chunks;    // ranges of segments
};

struct SceneLayer {
    int level = 0;
    std::vector<SceneFeature> features;
    // Tolerances are always there; the arrays only once loaded. Read them through Scene::lod.
    mutable std::vector<SceneLod> lods;
};

// Where a lazily opened scene reads its LODs from (a blob in a bundle's render cache, a file, memory).
class SceneBlobReader {
public:
    virtual ~SceneBlobReader() = default;
    virtual std::uint64_t size() const = 0;
    // `size` bytes at `offset`; throws std::runtime_error when they cannot be read. Safe to call from
    // two threads at once (gis::LodPrefetch reads on its own).
    virtual std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const = 0;
};

struct Scene {
    Point origin;
    Box bounds;                               // lon/lat of everything
    std::vector<SceneLayer> layers;
    std::shared_ptr<const SceneBlobReader> reader;  // set by open_scene: where unloaded LODs come from
    const SceneLayer* layer(int level) const;  // nullptr when absent
    // LOD `k` of layers[li], read from the blob and checked on first use. Not thread-safe: call it
    // from the one thread that draws. Throws std::runtime_error on a damaged or changed blob.
    const SceneLod& lod(std::size_t li, std::size_t k) const;
    // Reads one LOD not read yet (layer by layer, LOD by LOD); false when every LOD is in memory.
    bool read_next_lod() const;
};

// The arrays of the LOD stored where `where` says (its blob offset, size and checksum; its tolerance
// is kept), read and checked: safe on any thread, it touches no scene. Throws std::runtime_error on a
// damaged or changed blob.
SceneLod read_scene_lod(const SceneBlobReader& reader, const SceneLod& where);

struct SceneInputFeature {
    std::string code;
    std::string parent_code;
    std::string name;
    std::int64_t population = 0;
    MultiPolygon geometry;
};

struct SceneInputLayer {
    int level = 0;
    std::vector<SceneInputFeature> features;
};

struct SceneBuildOptions {
    std::vector<double> tolerances{0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064};  // degrees, finest first, ×2 apart
    int threads = 0;                                      // 0: one per core
    int grid = 0;                                         // chunk grid per side; 0: by feature count
    static constexpr int k_features_per_chunk = 32, k_min_grid = 16, k_max_grid = 64;
};

struct SceneBuildStats {
    double seconds_topology = 0;
    double seconds_simplify = 0;
    double seconds_triangulate = 0;
    double seconds_anchors = 0;
    std::size_t arcs = 0;
    std::size_t input_vertices = 0;
    std::size_t triangles = 0;
    std::size_t repaired_features = 0;
    std::size_t failed_triangulations = 0;
    int threads = 0;  // worker threads it used
};

Scene build_scene(std::span<const SceneInputLayer> layers, const SceneBuildOptions& options = {},
                  SceneBuildStats* stats = nullptr);

// Serialisation: a versioned little-endian blob — a head (origin, features, LOD tolerances with the
// offset, size and checksum of each LOD's arrays) followed by the LODs — so a scene opens by reading
// its head and then only the LODs drawn. Reading throws std::runtime_error naming the rule broken on
// a damaged or foreign blob.
inline constexpr std::uint32_t k_scene_format = 8;  // 2: 16×16 chunks; 3: fewer kept points; 4: anchors; 5: 5 LODs; 6: head + lazy LODs; 7: chunk grid by feature count; 8: 6 LODs
std::vector<std::uint8_t> serialize(const Scene& scene);
Scene deserialize_scene(std::span<const std::uint8_t> blob);      // everything, at once
Scene open_scene(std::shared_ptr<const SceneBlobReader> reader);  // the head now, each LOD on first use

// FNV-1a 64 of bytes; used for content hashes.
std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes, std::uint64_t seed = 0xcbf29ce484222325ull);

}  // namespace onemap::gis
