// Scene build: coverage topology, topology-preserving simplification, triangulation, anchors,
// serialisation. Fixtures are small synthetic coverages built here, so the tests are fast.
#include "gis/geos.hpp"
#include "gis/lod_prefetch.hpp"
#include "gis/random.hpp"
#include "gis/scene.hpp"
#include "gis/simplify.hpp"
#include "gis/topology.hpp"
#include "gis/triangulate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

using namespace onemap::gis;

namespace {

// An n×n grid of cells whose corners are jittered and whose edges are densified with wiggles; the
// shared edge between two cells is generated once, so neighbours share vertices exactly (like the
// demo bundle). Cell (1,1) gets a small island hole, and the island itself is the last feature.
struct Coverage {
    std::vector<MultiPolygon> cells;
    int n = 0;
};

Coverage make_coverage(int n, int per_edge = 24, std::uint64_t seed = 7) {
    Coverage cov;
    cov.n = n;
    Random rnd(seed);
    std::vector<Point> corner((n + 1) * (n + 1));
    for (int y = 0; y <= n; ++y)
        for (int x = 0; x <= n; ++x) {
            const bool edge = x == 0 || y == 0 || x == n || y == n;
            corner[y * (n + 1) + x] = {x + (edge ? 0 : rnd.uniform(-0.2, 0.2)), y + (edge ? 0 : rnd.uniform(-0.2, 0.2))};
        }
    std::map<std::pair<int, int>, std::vector<Point>> edges;  // canonical (a<b) → points a..b exclusive of b
    auto edge_points = [&](int a, int b) {
        const bool flip = a > b;
        const int lo = std::min(a, b), hi = std::max(a, b);
        auto it = edges.find({lo, hi});
        if (it == edges.end()) {
            std::vector<Point> pts;
            const Point p = corner[lo], q = corner[hi];
            const double nx = -(q.y - p.y), ny = q.x - p.x;
            for (int i = 0; i <= per_edge; ++i) {
                const double t = double(i) / per_edge;
                const double w = (i == 0 || i == per_edge) ? 0 : std::sin(t * 3.14159) * (0.05 * std::sin(t * 3.14159 * 3 + lo) + rnd.uniform(-0.01, 0.01));
                const bool outer = (std::fabs(p.x - q.x) < 1e-12 && (p.x == 0 || p.x == n)) ||
                                   (std::fabs(p.y - q.y) < 1e-12 && (p.y == 0 || p.y == n));
                pts.push_back({p.x + t * (q.x - p.x) + (outer ? 0 : w * nx), p.y + t * (q.y - p.y) + (outer ? 0 : w * ny)});
            }
            it = edges.emplace(std::make_pair(lo, hi), pts).first;
        }
        std::vector<Point> pts = it->second;
        if (flip) std::reverse(pts.begin(), pts.end());
        pts.pop_back();
        return pts;
    };
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const int c00 = y * (n + 1) + x, c10 = c00 + 1, c11 = c10 + n + 1, c01 = c00 + n + 1;
            Ring ring;
            for (auto [a, b] : {std::pair{c00, c10}, {c10, c11}, {c11, c01}, {c01, c00}}) {
                auto pts = edge_points(a, b);
                ring.insert(ring.end(), pts.begin(), pts.end());
            }
            cov.cells.push_back({Polygon{ring, {}}});
        }
    // island: a small octagon inside cell (1,1)
    Ring island;
    const Point c{1.5, 1.5};
    for (int i = 0; i < 8; ++i) island.push_back({c.x + 0.05 * std::cos(i * 0.785398), c.y + 0.05 * std::sin(i * 0.785398)});
    Ring hole(island.rbegin(), island.rend());
    cov.cells[1 * n + 1][0].holes.push_back(hole);
    cov.cells.push_back({Polygon{island, {}}});
    return cov;
}

// Directed edges of every ring of every feature.
std::multiset<std::pair<std::pair<double, double>, std::pair<double, double>>> directed_edges(const std::vector<MultiPolygon>& fs) {
    std::multiset<std::pair<std::pair<double, double>, std::pair<double, double>>> out;
    for (const auto& mp : fs)
        for (const auto& p : mp)
            for (std::size_t r = 0; r <= p.holes.size(); ++r) {
                const Ring& ring = r == 0 ? p.outer : p.holes[r - 1];
                for (std::size_t i = 0; i < ring.size(); ++i) {
                    const Point a = ring[i], b = ring[(i + 1) % ring.size()];
                    out.insert({{a.x, a.y}, {b.x, b.y}});
                }
            }
    return out;
}

}  // namespace

TEST(Topology, NeighboursShareArcsStoredOnce) {
    const Coverage cov = make_coverage(4);
    const Topology topo = build_topology(cov.cells);
    // 4×4 grid: 2·n·(n+1) = 40 edges between corners, less 4 merged at the square's corners, plus
    // one closed arc for the island.
    EXPECT_EQ(topo.arcs.size(), 37u);  // the 4 outer corners have degree 2: their two edges merge
    for (auto uses : topo.arc_uses) EXPECT_LE(uses, 2);
    // cells 0 and 1 are neighbours: exactly one arc in common, walked in opposite directions
    std::map<std::uint32_t, bool> arcs0;
    for (const auto& ref : topo.features[0].polygons[0].rings[0]) arcs0[ref.arc] = ref.reversed;
    int shared = 0;
    for (const auto& ref : topo.features[1].polygons[0].rings[0])
        if (auto it = arcs0.find(ref.arc); it != arcs0.end()) {
            ++shared;
            EXPECT_NE(it->second, ref.reversed);
        }
    EXPECT_EQ(shared, 1);
    // the island and the hole around it use the same closed arc
    const auto& island = topo.features.back().polygons[0].rings[0];
    ASSERT_EQ(island.size(), 1u);
    const auto& hole = topo.features[5].polygons[0].rings[1];
    ASSERT_EQ(hole.size(), 1u);
    EXPECT_EQ(island[0].arc, hole[0].arc);
}

TEST(Topology, RebuildAtFullDetailGivesTheInputBack) {
    const Coverage cov = make_coverage(3);
    const Topology topo = build_topology(cov.cells);
    const ArcSet full = arc_points(topo);
    for (std::size_t f = 0; f < cov.cells.size(); ++f) {
        const MultiPolygon mp = rebuild(topo, full, f);
        EXPECT_NEAR(area(mp), area(cov.cells[f]), 1e-12) << "feature " << f;
        EXPECT_EQ(vertex_count(mp), vertex_count(cov.cells[f])) << "feature " << f;
    }
}

TEST(Simplify, KeepsValidityAndSharedBordersAtEveryTolerance) {
    const Coverage cov = make_coverage(5, 40);
    const Topology topo = build_topology(cov.cells);
    const ArcSet full = arc_points(topo);
    GeosContext geos;
    const double total = static_cast<double>(cov.n * cov.n);
    for (double tol : {0.005, 0.03, 0.1, 0.5}) {
        SimplifyStats stats;
        const ArcSet arcs = simplify_topology(topo, full, tol, 2, &stats);
        EXPECT_LT(stats.vertices_after, stats.vertices_before) << tol;
        std::vector<MultiPolygon> rebuilt;
        double sum = 0;
        for (std::size_t f = 0; f < cov.cells.size(); ++f) {
            rebuilt.push_back(rebuild(topo, arcs, f));
            std::string why;
            EXPECT_TRUE(geos.is_valid(geos.make(rebuilt.back()), &why)) << "tol " << tol << " feature " << f << ": " << why;
            EXPECT_GT(area(rebuilt.back()), 0) << "feature " << f << " vanished at tol " << tol;
            sum += area(rebuilt.back());
        }
        // no gaps, no overlaps: every interior edge is used once in each direction, and the
        // areas add up to the (straight-edged, never simplified away) square
        const auto edges = directed_edges(rebuilt);
        for (const auto& [a, b] : edges) {
            const bool outer = (a.first == b.first && (a.first == 0 || a.first == cov.n)) ||
                               (a.second == b.second && (a.second == 0 || a.second == cov.n));
            if (!outer) {
                EXPECT_EQ(edges.count({b, a}), 1u) << "tol " << tol;
            }
        }
        // the island fills exactly the hole of its neighbour
        EXPECT_NEAR(sum, total, 1e-9) << "tol " << tol;
    }
}

TEST(Simplify, SmallRegionNeverVanishes) {
    const std::vector<Point> closed{{0, 0}, {1e-4, 0}, {2e-4, 1e-4}, {1e-4, 2e-4}, {0, 1e-4}, {0, 0}};
    const auto out = simplify_arc(closed, 10.0);
    EXPECT_GE(out.size(), 4u);  // node, two more points, node again: still a triangle
    const std::vector<Point> open{{0, 0}, {1, 0.001}, {2, 0}};
    EXPECT_EQ(simplify_arc(open, 10.0).size(), 3u);
    EXPECT_EQ(simplify_arc(open, 10.0, false).size(), 2u);
    // a tiny region bounded by two arcs (a lens between two nodes) keeps both interior points
    const Polygon lens{{{0, 0}, {1e-4, 1e-5}, {2e-4, 0}, {1e-4, -1e-5}}, {}};
    const Polygon around{{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}, {Ring{{0, 0}, {1e-4, -1e-5}, {2e-4, 0}, {1e-4, 1e-5}}}};
    std::vector<MultiPolygon> fs{{around}, {lens}};
    // make (0,0) and (2e-4,0) nodes by adding a third feature touching them
    fs.push_back({Polygon{{{0, 0}, {-1e-4, 5e-5}, {-1e-4, -5e-5}}, {}}});
    const Topology topo = build_topology(fs);
    const ArcSet arcs = simplify_topology(topo, arc_points(topo), 10.0);
    EXPECT_GE(rebuild(topo, arcs, 1)[0].outer.size(), 3u);
    EXPECT_GT(area(rebuild(topo, arcs, 1)), 0);
}

TEST(Triangulate, AreaEqualsPolygonAreaWithHoles) {
    const Coverage cov = make_coverage(3);
    GeosContext geos;
    for (auto method : {TriangulationMethod::EarClip, TriangulationMethod::Geos}) {
        for (const auto& mp : cov.cells) {
            Mesh mesh;
            std::string why;
            ASSERT_TRUE(geos.is_valid(geos.make(mp), &why)) << why;
            ASSERT_TRUE(triangulate(geos, mp, mesh, method)) << "feature " << (&mp - cov.cells.data());
            EXPECT_NEAR(mesh_area(mesh), area(mp), 1e-9 * std::max(1.0, area(mp)));
            EXPECT_EQ(mesh.indices.size() % 3, 0u);
        }
        const MultiPolygon holed{Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 1}, {1, 2}, {2, 2}, {2, 1}}}}};
        Mesh mesh;
        ASSERT_TRUE(triangulate(geos, holed, mesh, method));
        EXPECT_NEAR(mesh_area(mesh), 15.0, 1e-12);
        // a clockwise, concave ring (a comb) triangulates to its area too
        const MultiPolygon comb{Polygon{{{0, 0}, {0, 3}, {1, 3}, {1, 1}, {2, 1}, {2, 3}, {3, 3}, {3, 0}}, {}}};
        Mesh cm;
        ASSERT_TRUE(triangulate(geos, comb, cm, method));
        EXPECT_NEAR(mesh_area(cm), 7.0, 1e-12);
        EXPECT_EQ(cm.indices.size(), 18u);
    }
}

TEST(Anchor, PoleOfInaccessibilityNotCentroid) {
    // an L shape: the centroid lies near the inner corner; the pole lies inside the thick part
    const MultiPolygon l{Polygon{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 10}, {0, 10}}, {}}};
    GeosContext geos;
    const Anchor a = label_anchor(geos, l);
    EXPECT_TRUE(contains(l, a.centre));
    EXPECT_NEAR(a.radius, 1.17, 0.05);  // largest circle sits in the corner square, touching (2,2)
}

TEST(Scene, BuildsChunkedLodsAndRoundTrips) {
    const Coverage cov = make_coverage(6);
    SceneInputLayer layer;
    layer.level = 5;
    for (std::size_t i = 0; i < cov.cells.size(); ++i)
        layer.features.push_back({"c" + std::to_string(i), "p", "村" + std::to_string(i), 100, cov.cells[i]});
    SceneBuildOptions opt;
    opt.tolerances = {0.01, 0.1};
    opt.grid = 3;
    SceneBuildStats stats;
    const Scene scene = build_scene(std::span(&layer, 1), opt, &stats);
    ASSERT_EQ(scene.layers.size(), 1u);
    const SceneLayer& l = scene.layers[0];
    ASSERT_EQ(l.lods.size(), 2u);
    EXPECT_LT(l.lods[1].indices.size(), l.lods[0].indices.size());
    EXPECT_LE(l.lods[0].fill_chunks.size(), 9u);
    EXPECT_GT(l.lods[0].fill_chunks.size(), 1u);
    std::size_t counted = 0;
    for (const auto& c : l.lods[0].fill_chunks) counted += c.count;
    EXPECT_EQ(counted, l.lods[0].indices.size());
    EXPECT_EQ(stats.failed_triangulations, 0u);
    for (const auto& f : l.features) EXPECT_GT(f.anchor_radius, 0);

    const auto blob = serialize(scene);
    const Scene back = deserialize_scene(blob);
    EXPECT_EQ(serialize(back), blob);
    EXPECT_EQ(back.layers[0].features[3].name, "村3");
    auto damaged = blob;
    damaged.resize(blob.size() / 2);
    EXPECT_THROW(deserialize_scene(damaged), std::runtime_error);
    damaged = blob;
    damaged[0] ^= 0xFF;
    EXPECT_THROW(deserialize_scene(damaged), std::runtime_error);
}

namespace {
// An in-memory blob that counts what is read from it.
class CountingBlob final : public SceneBlobReader {
public:
    explicit CountingBlob(std::vector<std::uint8_t> blob) : bytes(std::move(blob)) {}
    std::uint64_t size() const override { return bytes.size(); }
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t n) const override {
        if (offset + n > bytes.size()) throw std::runtime_error("beyond the end");
        ++reads;
        read_bytes += n;
        return {bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.begin() + static_cast<std::ptrdiff_t>(offset + n)};
    }
    std::vector<std::uint8_t> bytes;
    mutable int reads = 0;
    mutable std::uint64_t read_bytes = 0;
};

Scene two_layer_scene() {
    const Coverage cov = make_coverage(6);
    std::vector<SceneInputLayer> layers(2);
    layers[0].level = 4;
    layers[1].level = 5;
    for (std::size_t i = 0; i < cov.cells.size(); ++i) {
        layers[0].features.push_back({"t" + std::to_string(i), "p", "镇" + std::to_string(i), 100, cov.cells[i]});
        layers[1].features.push_back({"v" + std::to_string(i), "t", "村" + std::to_string(i), 10, cov.cells[i]});
    }
    SceneBuildOptions opt;
    opt.tolerances = {0.002, 0.01, 0.1};
    opt.grid = 3;
    return build_scene(layers, opt);
}
}  // namespace

TEST(Scene, OpensWithTheHeadAndReadsEachLodOnceWhenFirstAsked) {
    const Scene built = two_layer_scene();
    const auto blob = serialize(built);
    auto source = std::make_shared<CountingBlob>(blob);
    const Scene lazy = open_scene(source);
    ASSERT_EQ(lazy.layers.size(), 2u);
    EXPECT_EQ(lazy.layers[1].features[4].name, "村4");
    EXPECT_EQ(source->reads, 2);                        // prefix and head
    EXPECT_LT(source->read_bytes, blob.size() / 4);     // features and tolerances, no arrays
    for (const auto& l : lazy.layers)
        for (const auto& lod : l.lods) {
            EXPECT_FALSE(lod.loaded);
            EXPECT_TRUE(lod.xy.empty());
            EXPECT_GT(lod.tolerance, 0);
        }
    // the coarsest LODs lie right after the head, where a zoomed-out first frame finds them
    EXPECT_LT(lazy.layers[1].lods[2].blob_offset, lazy.layers[1].lods[0].blob_offset);
    const SceneLod& coarse = lazy.lod(1, 2);
    EXPECT_TRUE(coarse.loaded);
    EXPECT_EQ(coarse.indices, built.layers[1].lods[2].indices);
    EXPECT_EQ(coarse.xy, built.layers[1].lods[2].xy);
    EXPECT_EQ(coarse.segments, built.layers[1].lods[2].segments);
    EXPECT_EQ(source->reads, 3);
    lazy.lod(1, 2);
    EXPECT_EQ(source->reads, 3);  // once
    EXPECT_FALSE(lazy.layers[0].lods[0].loaded);
    int more = 0;
    while (lazy.read_next_lod()) ++more;
    EXPECT_EQ(more, 5) << "the six LODs less the one read";
    for (const auto& l : lazy.layers)
        for (const auto& lod : l.lods) EXPECT_TRUE(lod.loaded);
    EXPECT_EQ(serialize(lazy), blob);  // a lazy scene serialises to the same bytes
}

namespace {
// two_layer_scene's blob with a byte of the villages' finest LOD flipped
std::vector<std::uint8_t> damaged_fine_lod() {
    auto blob = serialize(two_layer_scene());
    const Scene probe = open_scene(std::make_shared<CountingBlob>(blob));
    const SceneLod& fine = probe.layers[1].lods[0];
    blob[fine.blob_offset + fine.blob_size / 2] ^= 0x5A;
    return blob;
}
}  // namespace

// The GUI reads LODs on a thread of its own (gis/lod_prefetch.hpp) and puts them into the scene
// between frames: each asked-for LOD once, read exactly as Scene::lod reads it.
TEST(LodPrefetch, ReadsTheLodsAskedForOnItsThreadAndInstallsThemBetweenFrames) {
    const Scene built = two_layer_scene();
    const auto blob = serialize(built);
    auto source = std::make_shared<CountingBlob>(blob);
    const Scene lazy = open_scene(source);
    const auto install_all = [](LodPrefetch& p) {
        std::size_t n = 0;
        for (int i = 0; i < 2000 && p.busy(); ++i) {  // waits for the thread, up to 10 s
            n += p.install();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return n + p.install();
    };
    {
        LodPrefetch prefetch(lazy);
        EXPECT_FALSE(prefetch.busy());
        prefetch.want(1, 0);
        prefetch.want(1, 0);  // once
        prefetch.want(0, 2);
        EXPECT_EQ(install_all(prefetch), 2u);
        EXPECT_EQ(source->reads, 4) << "prefix, head and the two LODs";
        ASSERT_TRUE(lazy.layers[1].lods[0].loaded);
        EXPECT_EQ(lazy.layers[1].lods[0].xy, built.layers[1].lods[0].xy);
        EXPECT_EQ(lazy.layers[1].lods[0].indices, built.layers[1].lods[0].indices);
        EXPECT_EQ(lazy.layers[1].lods[0].border_chunks.size(), built.layers[1].lods[0].border_chunks.size());
        EXPECT_EQ(lazy.layers[0].lods[2].segments, built.layers[0].lods[2].segments);
        EXPECT_DOUBLE_EQ(lazy.layers[1].lods[0].tolerance, built.layers[1].lods[0].tolerance);
        prefetch.want(1, 0);  // in the scene already: nothing
        EXPECT_FALSE(prefetch.busy());
        // the rest, one at a time, as the GUI asks while idle
        int more = 0;
        while (prefetch.want_next()) {
            ++more;
            EXPECT_EQ(install_all(prefetch), 1u);
        }
        EXPECT_EQ(more, 4) << "the six LODs less the two read";
        EXPECT_EQ(source->reads, 8);
    }
    EXPECT_EQ(serialize(lazy), blob);
    {  // a LOD asked for and never installed is simply dropped with the prefetcher
        const Scene other = open_scene(std::make_shared<CountingBlob>(blob));
        LodPrefetch prefetch(other);
        prefetch.want(1, 0);
    }
    // a scene with nothing to read LODs from has no use for one
    EXPECT_THROW(LodPrefetch{built}, std::invalid_argument);
}

TEST(LodPrefetch, ADamagedLodIsReportedWhenInstalledAndLeftUnread) {
    const Scene lazy = open_scene(std::make_shared<CountingBlob>(damaged_fine_lod()));
    LodPrefetch prefetch(lazy);
    prefetch.want(1, 1);
    prefetch.want(1, 0);
    for (int i = 0; i < 2000 && prefetch.busy(); ++i) {
        try {
            prefetch.install();
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
            EXPECT_FALSE(lazy.layers[1].lods[0].loaded);
            EXPECT_TRUE(lazy.layers[1].lods[1].loaded) << "the sound one read with it is kept";
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "the damaged LOD was not reported";
}

TEST(Scene, ADamagedLodIsRefusedWhenRead) {
    const auto blob = serialize(two_layer_scene());
    const Scene probe = open_scene(std::make_shared<CountingBlob>(blob));
    const SceneLod& fine = probe.layers[1].lods[0];
    const Scene lazy = open_scene(std::make_shared<CountingBlob>(damaged_fine_lod()));
    EXPECT_NO_THROW(lazy.lod(1, 2));  // the others are sound
    try {
        lazy.lod(1, 0);
        ADD_FAILURE() << "a damaged LOD was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
    }
    // a blob cut short after the head: the head's LOD table points beyond it
    auto cut = blob;
    cut.resize(fine.blob_offset);
    EXPECT_THROW(open_scene(std::make_shared<CountingBlob>(cut)), std::runtime_error);
    EXPECT_THROW(deserialize_scene(cut), std::runtime_error);
}
