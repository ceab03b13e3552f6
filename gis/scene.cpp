#include "scene.hpp"

#include "gis/geos.hpp"
#include "gis/simplify.hpp"
#include "gis/topology.hpp"
#include "gis/triangulate.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <thread>

namespace onemap::gis {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void parallel_for(std::size_t n, int threads, const std::function<void(GeosContext&, std::size_t)>& fn) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        GeosContext geos;
        for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(geos, i);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
}

int grid_cell(Point p, const Box& b, int grid) {
    const double fx = b.width() > 0 ? (p.x - b.min_x) / b.width() : 0;
    const double fy = b.height() > 0 ? (p.y - b.min_y) / b.height() : 0;
    const int cx = std::clamp(static_cast<int>(fx * grid), 0, grid - 1);
    const int cy = std::clamp(static_cast<int>(fy * grid), 0, grid - 1);
    return cy * grid + cx;
}

Box shifted(const Box& b, Point origin) {
    return Box{b.min_x - origin.x, b.min_y - origin.y, b.max_x - origin.x, b.max_y - origin.y};
}

}  // namespace

const SceneLayer* Scene::layer(int level) const {
    for (const auto& l : layers)
        if (l.level == level) return &l;
    return nullptr;
}

Scene build_scene(std::span<const SceneInputLayer> layers, const SceneBuildOptions& options, SceneBuildStats* stats) {
    using clock = std::chrono::steady_clock;
    SceneBuildStats local;
    SceneBuildStats& st = stats ? *stats : local;
    const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    st.threads = threads;
    Scene scene;
    for (const auto& layer : layers)
        for (const auto& f : layer.features) scene.bounds.expand(bounds(f.geometry));
    if (!scene.bounds.empty())
        scene.origin = {(scene.bounds.min_x + scene.bounds.max_x) / 2, (scene.bounds.min_y + scene.bounds.max_y) / 2};
    for (const auto& in : layers) {
        SceneLayer out;
        out.level = in.level;
        const std::size_t nf = in.features.size();
        // about k_features_per_chunk features a chunk, so a zoomed-in view draws little it does not show
        const int grid = options.grid > 0 ? options.grid
                                          : std::clamp(static_cast<int>(std::lround(std::sqrt(static_cast<double>(nf) / SceneBuildOptions::k_features_per_chunk))),
                                                       SceneBuildOptions::k_min_grid, SceneBuildOptions::k_max_grid);
        auto t0 = clock::now();
        std::vector<MultiPolygon> geometries;
        geometries.reserve(nf);
        for (const auto& f : in.features) {
            geometries.push_back(f.geometry);
            st.input_vertices += vertex_count(f.geometry);
        }
        const Topology topo = build_topology(geometries);
        geometries.clear();
        geometries.shrink_to_fit();
        const ArcSet full = arc_points(topo);
        st.arcs += full.size();
        st.seconds_topology += seconds_since(t0);

        // chunk of every feature and of every arc (by its first point)
        Box layer_box;
        for (const auto& f : in.features) layer_box.expand(bounds(f.geometry));
        std::vector<int> feature_cell(nf);
        out.features.resize(nf);
        for (std::size_t i = 0; i < nf; ++i) {
            const auto& f = in.features[i];
            SceneFeature& sf = out.features[i];
            sf.code = f.code;
            sf.parent_code = f.parent_code;
            sf.name = f.name;
            sf.population = f.population;
            sf.bounds = bounds(f.geometry);
            feature_cell[i] = grid_cell({(sf.bounds.min_x + sf.bounds.max_x) / 2, (sf.bounds.min_y + sf.bounds.max_y) / 2},
                                        layer_box, grid);
        }
        std::vector<std::uint32_t> feature_order(nf);
        for (std::uint32_t i = 0; i < nf; ++i) feature_order[i] = i;
        std::stable_sort(feature_order.begin(), feature_order.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return feature_cell[a] < feature_cell[b]; });
        std::vector<int> arc_cell(full.size());
        for (std::size_t a = 0; a < full.size(); ++a) arc_cell[a] = grid_cell(full[a][full[a].size() / 2], layer_box, grid);
        std::vector<std::uint32_t> arc_order(full.size());
        for (std::uint32_t a = 0; a < arc_order.size(); ++a) arc_order[a] = a;
        std::stable_sort(arc_order.begin(), arc_order.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return arc_cell[a] < arc_cell[b]; });

        // anchors from the coarsest LOD: the pole barely moves, and MIC cost grows with vertices
        const int anchor_lod = static_cast<int>(options.tolerances.size()) - 1;
        for (std::size_t k = 0; k < options.tolerances.size(); ++k) {
            SceneLod lod;
            lod.tolerance = options.tolerances[k];
            t0 = clock::now();
            SimplifyStats ss;
            const ArcSet arcs = lod.tolerance > 0 ? simplify_topology(topo, full, lod.tolerance, threads, &ss) : full;
            st.repaired_features += ss.repaired_features;
            st.seconds_simplify += seconds_since(t0);

            t0 = clock::now();
            std::vector<Mesh> meshes(nf);
            std::atomic<std::size_t> failed{0};
            parallel_for(nf, threads, [&](GeosContext& geos, std::size_t i) {
                const MultiPolygon mp = rebuild(topo, arcs, i);
                if (!triangulate(geos, mp, meshes[i])) ++failed;
            });
            st.failed_triangulations += failed;
            st.seconds_triangulate += seconds_since(t0);

            if (static_cast<int>(k) == anchor_lod) {
                t0 = clock::now();
                parallel_for(nf, threads, [&](GeosContext& geos, std::size_t i) {
                    const Anchor a = label_anchor(geos, rebuild(topo, arcs, i));
                    out.features[i].anchor = a.centre;
                    out.features[i].anchor_radius = a.radius;
                });
                st.seconds_anchors += seconds_since(t0);
            }

            // fills, in chunk order
            int cell = -1;
            for (std::uint32_t fi : feature_order) {
                const Mesh& m = meshes[fi];
                if (feature_cell[fi] != cell) {
                    cell = feature_cell[fi];
                    lod.fill_chunks.push_back({Box{}, static_cast<std::uint32_t>(lod.indices.size()), 0});
                }
                SceneChunk& ch = lod.fill_chunks.back();
                ch.bounds.expand(shifted(out.features[fi].bounds, scene.origin));
                const auto base = static_cast<std::uint32_t>(lod.vertex_feature.size());
                for (const Point& p : m.vertices) {
                    lod.xy.push_back(static_cast<float>(p.x - scene.origin.x));
                    lod.xy.push_back(static_cast<float>(p.y - scene.origin.y));
                    lod.vertex_feature.push_back(fi);
                }
                for (std::uint32_t idx : m.indices) lod.indices.push_back(base + idx);
                ch.count += static_cast<std::uint32_t>(m.indices.size());
                st.triangles += m.indices.size() / 3;
            }
            // borders, in chunk order
            cell = -1;
            for (std::uint32_t a : arc_order) {
                if (arc_cell[a] != cell) {
                    cell = arc_cell[a];
                    lod.border_chunks.push_back({Box{}, static_cast<std::uint32_t>(lod.segments.size() / 4), 0});
                }
                SceneChunk& ch = lod.border_chunks.back();
                const auto& pts = arcs[a];
                for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
                    const Point p{pts[i].x - scene.origin.x, pts[i].y - scene.origin.y};
                    const Point q{pts[i + 1].x - scene.origin.x, pts[i + 1].y - scene.origin.y};
                    lod.segments.insert(lod.segments.end(), {static_cast<float>(p.x), static_cast<float>(p.y),
                                                             static_cast<float>(q.x), static_cast<float>(q.y)});
                    ch.bounds.expand(p);
                    ch.bounds.expand(q);
                    ++ch.count;
                }
            }
            out.lods.push_back(std::move(lod));
        }
        scene.layers.push_back(std::move(out));
    }
    return scene;
}

// ---- serialisation --------------------------------------------------------------------------

namespace {

class Writer {
public:
    template <class T>
    void pod(const T& v) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        m_out.insert(m_out.end(), p, p + sizeof(T));
    }
    template <class T>
    void vec(const std::vector<T>& v) {
        pod(static_cast<std::uint64_t>(v.size()));
        const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
        m_out.insert(m_out.end(), p, p + v.size() * sizeof(T));
    }
    void str(const std::string& s) {
        pod(static_cast<std::uint32_t>(s.size()));
        m_out.insert(m_out.end(), s.begin(), s.end());
    }
    void box(const Box& b) {
        pod(b.min_x);
        pod(b.min_y);
        pod(b.max_x);
        pod(b.max_y);
    }
    std::vector<std::uint8_t> take() { return std::move(m_out); }
private:
    std::vector<std::uint8_t> m_out;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : m_in(in) {}
    template <class T>
    T pod() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, m_in.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    template <class T>
    std::vector<T> vec() {
        const auto n = pod<std::uint64_t>();
        if (n > m_in.size()) throw std::runtime_error("scene blob: array length beyond the blob (damaged)");
        need(n * sizeof(T));
        std::vector<T> v(n);
        std::memcpy(v.data(), m_in.data() + m_pos, n * sizeof(T));
        m_pos += n * sizeof(T);
        return v;
    }
    std::string str() {
        const auto n = pod<std::uint32_t>();
        need(n);
        std::string s(reinterpret_cast<const char*>(m_in.data() + m_pos), n);
        m_pos += n;
        return s;
    }
    Box box() {
        Box b;
        b.min_x = pod<double>();
        b.min_y = pod<double>();
        b.max_x = pod<double>();
        b.max_y = pod<double>();
        return b;
    }
    bool done() const { return m_pos == m_in.size(); }
private:
    void need(std::size_t n) {
        if (m_pos + n > m_in.size()) throw std::runtime_error("scene blob: truncated (expected more bytes)");
    }
    std::span<const std::uint8_t> m_in;
    std::size_t m_pos = 0;
};

constexpr std::uint32_t k_magic = 0x43534D4F;  // "OMSC"

void write_chunks(Writer& w, const std::vector<SceneChunk>& chunks) {
    w.pod(static_cast<std::uint32_t>(chunks.size()));
    for (const auto& c : chunks) {
        w.box(c.bounds);
        w.pod(c.first);
        w.pod(c.count);
    }
}
std::vector<SceneChunk> read_chunks(Reader& r) {
    std::vector<SceneChunk> chunks(r.pod<std::uint32_t>());
    for (auto& c : chunks) {
        c.bounds = r.box();
        c.first = r.pod<std::uint32_t>();
        c.count = r.pod<std::uint32_t>();
    }
    return chunks;
}

}  // namespace

namespace {

// A 64-bit checksum over whole words (the tail bytewise): fast enough to check every LOD read.
std::uint64_t lod_checksum(std::span<const std::uint8_t> bytes) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < bytes.size(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
    return h;
}

std::vector<std::uint8_t> lod_payload(const SceneLod& lod) {
    Writer w;
    w.vec(lod.xy);
    w.vec(lod.vertex_feature);
    w.vec(lod.indices);
    write_chunks(w, lod.fill_chunks);
    w.vec(lod.segments);
    write_chunks(w, lod.border_chunks);
    return w.take();
}

void read_lod_payload(std::span<const std::uint8_t> bytes, SceneLod& lod) {
    Reader r(bytes);
    lod.xy = r.vec<float>();
    lod.vertex_feature = r.vec<std::uint32_t>();
    lod.indices = r.vec<std::uint32_t>();
    lod.fill_chunks = read_chunks(r);
    lod.segments = r.vec<float>();
    lod.border_chunks = read_chunks(r);
    if (!r.done()) throw std::runtime_error("scene blob: trailing bytes after a LOD (damaged)");
    if (lod.xy.size() != lod.vertex_feature.size() * 2) throw std::runtime_error("scene blob: LOD vertex arrays disagree (damaged)");
    const std::uint32_t vertices = static_cast<std::uint32_t>(lod.vertex_feature.size());
    for (std::uint32_t i : lod.indices)
        if (i >= vertices) throw std::runtime_error("scene blob: index beyond the vertices (damaged)");
    for (const auto& c : lod.fill_chunks)
        if (std::uint64_t{c.first} + c.count > lod.indices.size()) throw std::runtime_error("scene blob: fill chunk beyond the indices (damaged)");
    for (const auto& c : lod.border_chunks)
        if (std::uint64_t{c.first} + c.count > lod.segments.size() / 4) throw std::runtime_error("scene blob: border chunk beyond the segments (damaged)");
}

class MemoryBlob final : public SceneBlobReader {
public:
    explicit MemoryBlob(std::span<const std::uint8_t> blob) : m_blob(blob) {}
    std::uint64_t size() const override { return m_blob.size(); }
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const override {
        if (offset > m_blob.size() || size > m_blob.size() - offset) throw std::runtime_error("scene blob: truncated (expected more bytes)");
        return {m_blob.begin() + static_cast<std::ptrdiff_t>(offset), m_blob.begin() + static_cast<std::ptrdiff_t>(offset + size)};
    }
private:
    std::span<const std::uint8_t> m_blob;
};

constexpr std::uint64_t k_prefix_bytes = 16;  // magic, format, head size

}  // namespace

// Layout: magic u32, format u32, head_bytes u64, head, LOD payloads. The head holds, per LOD, its
// tolerance and the offset (from the blob's start), size and checksum of its payload.
std::vector<std::uint8_t> serialize(const Scene& scene) {
    // Payloads coarsest LOD first: SQLite reaches a blob's bytes by walking its page chain from the
    // start, so what a zoomed-out first frame draws should lie near the head.
    struct Slot {
        std::size_t layer, k;
        std::vector<std::uint8_t> bytes;
        std::uint64_t offset = 0;
    };
    std::vector<Slot> slots;
    std::size_t max_lods = 0;
    for (const auto& l : scene.layers) max_lods = std::max(max_lods, l.lods.size());
    for (std::size_t k = max_lods; k-- > 0;)
        for (std::size_t li = 0; li < scene.layers.size(); ++li)
            if (k < scene.layers[li].lods.size()) slots.push_back({li, k, lod_payload(scene.lod(li, k))});
    auto head = [&](std::uint64_t first_offset) {
        std::uint64_t offset = first_offset;
        for (auto& s : slots) {
            s.offset = offset;
            offset += s.bytes.size();
        }
        Writer w;
        w.pod(scene.origin.x);
        w.pod(scene.origin.y);
        w.box(scene.bounds);
        w.pod(static_cast<std::uint32_t>(scene.layers.size()));
        for (std::size_t li = 0; li < scene.layers.size(); ++li) {
            const auto& l = scene.layers[li];
            w.pod(static_cast<std::int32_t>(l.level));
            w.pod(static_cast<std::uint32_t>(l.features.size()));
            for (const auto& f : l.features) {
                w.str(f.code);
                w.str(f.parent_code);
                w.str(f.name);
                w.pod(f.population);
                w.pod(f.anchor.x);
                w.pod(f.anchor.y);
                w.pod(f.anchor_radius);
                w.box(f.bounds);
            }
            w.pod(static_cast<std::uint32_t>(l.lods.size()));
            for (std::size_t k = 0; k < l.lods.size(); ++k) {
                const Slot& s = *std::find_if(slots.begin(), slots.end(), [&](const Slot& x) { return x.layer == li && x.k == k; });
                w.pod(l.lods[k].tolerance);
                w.pod(s.offset);
                w.pod(static_cast<std::uint64_t>(s.bytes.size()));
                w.pod(lod_checksum(s.bytes));
            }
        }
        return w.take();
    };
    const std::uint64_t head_bytes = head(0).size();  // offsets are fixed-size: the size does not depend on them
    const auto h = head(k_prefix_bytes + head_bytes);
    Writer w;
    w.pod(k_magic);
    w.pod(k_scene_format);
    w.pod(head_bytes);
    std::vector<std::uint8_t> out = w.take();
    out.insert(out.end(), h.begin(), h.end());
    for (const auto& s : slots) out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    return out;
}

Scene open_scene(std::shared_ptr<const SceneBlobReader> reader) {
    const auto prefix = reader->read(0, k_prefix_bytes);
    Reader pr(prefix);
    if (pr.pod<std::uint32_t>() != k_magic) throw std::runtime_error("scene blob: not an onemap scene (bad magic)");
    const auto version = pr.pod<std::uint32_t>();
    if (version != k_scene_format)
        throw std::runtime_error("scene blob: format " + std::to_string(version) + ", this build reads " +
                                 std::to_string(k_scene_format));
    const auto head_bytes = pr.pod<std::uint64_t>();
    if (head_bytes > reader->size() - k_prefix_bytes) throw std::runtime_error("scene blob: truncated (expected more bytes)");
    const auto head = reader->read(k_prefix_bytes, head_bytes);
    Reader r(head);
    Scene scene;
    scene.origin.x = r.pod<double>();
    scene.origin.y = r.pod<double>();
    scene.bounds = r.box();
    scene.layers.resize(r.pod<std::uint32_t>());
    for (auto& l : scene.layers) {
        l.level = r.pod<std::int32_t>();
        l.features.resize(r.pod<std::uint32_t>());
        for (auto& f : l.features) {
            f.code = r.str();
            f.parent_code = r.str();
            f.name = r.str();
            f.population = r.pod<std::int64_t>();
            f.anchor.x = r.pod<double>();
            f.anchor.y = r.pod<double>();
            f.anchor_radius = r.pod<double>();
            f.bounds = r.box();
        }
        l.lods.resize(r.pod<std::uint32_t>());
        for (auto& lod : l.lods) {
            lod.tolerance = r.pod<double>();
            lod.blob_offset = r.pod<std::uint64_t>();
            lod.blob_size = r.pod<std::uint64_t>();
            lod.blob_checksum = r.pod<std::uint64_t>();
            lod.loaded = false;
            if (lod.blob_offset > reader->size() || lod.blob_size > reader->size() - lod.blob_offset)
                throw std::runtime_error("scene blob: a LOD lies beyond the blob (truncated)");
        }
    }
    if (!r.done()) throw std::runtime_error("scene blob: trailing bytes in the head (damaged)");
    scene.reader = std::move(reader);
    return scene;
}

Scene deserialize_scene(std::span<const std::uint8_t> blob) {
    Scene scene = open_scene(std::make_shared<MemoryBlob>(blob));
    for (std::size_t li = 0; li < scene.layers.size(); ++li)
        for (std::size_t k = 0; k < scene.layers[li].lods.size(); ++k) scene.lod(li, k);
    scene.reader.reset();  // the span is the caller's: nothing may read it later
    return scene;
}

SceneLod read_scene_lod(const SceneBlobReader& reader, const SceneLod& where) {
    const auto bytes = reader.read(where.blob_offset, where.blob_size);
    if (lod_checksum(bytes) != where.blob_checksum)
        throw std::runtime_error("scene blob: a LOD's checksum does not match (damaged, or the cache was rewritten while open)");
    SceneLod lod;
    lod.tolerance = where.tolerance;
    lod.blob_offset = where.blob_offset;
    lod.blob_size = where.blob_size;
    lod.blob_checksum = where.blob_checksum;
    read_lod_payload(bytes, lod);
    lod.loaded = true;
    return lod;
}

const SceneLod& Scene::lod(std::size_t li, std::size_t k) const {
    SceneLod& lod = layers.at(li).lods.at(k);
    if (lod.loaded) return lod;
    if (!reader) throw std::runtime_error("scene: a LOD was never read and the scene has no blob to read it from");
    lod = read_scene_lod(*reader, lod);
    return lod;
}

bool Scene::read_next_lod() const {
    for (std::size_t li = 0; li < layers.size(); ++li)
        for (std::size_t k = 0; k < layers[li].lods.size(); ++k)
            if (!layers[li].lods[k].loaded) {
                lod(li, k);
                return true;
            }
    return false;
}

std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (std::uint8_t b : bytes) {
        h ^= b;
        h *= 0x100000001b3ull;
    }
    return h;
}

}  // namespace onemap::gis
