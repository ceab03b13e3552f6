#include "topology.hpp"

#include <algorithm>
#include <bit>
#include <unordered_map>

namespace onemap::gis {

namespace {

struct PointKey {
    std::uint64_t x, y;
    bool operator==(const PointKey&) const = default;
};
struct PointKeyHash {
    std::size_t operator()(const PointKey& k) const {
        std::uint64_t h = k.x * 0x9E3779B97F4A7C15ull ^ (k.y + 0x632BE59BD9B4E019ull + (k.x << 6) + (k.x >> 2));
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9ull;
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};

std::uint64_t edge_key(std::uint32_t a, std::uint32_t b) { return (std::uint64_t(a) << 32) | b; }

}  // namespace

Topology build_topology(std::span<const MultiPolygon> features) {
    Topology topo;
    // 1. Vertex ids: equal coordinates → one id. rings_ids mirrors the input rings.
    std::unordered_map<PointKey, std::uint32_t, PointKeyHash> ids;
    std::size_t total = 0;
    for (const auto& mp : features) total += vertex_count(mp);
    ids.reserve(total);
    std::vector<std::vector<std::uint32_t>> ring_ids;  // flat, in feature/polygon/ring order
    for (const auto& mp : features)
        for (const auto& poly : mp)
            for (std::size_t r = 0; r <= poly.holes.size(); ++r) {
                const Ring& ring = r == 0 ? poly.outer : poly.holes[r - 1];
                std::vector<std::uint32_t> vid;
                vid.reserve(ring.size());
                for (const Point& p : ring) {
                    const PointKey key{std::bit_cast<std::uint64_t>(p.x + 0.0), std::bit_cast<std::uint64_t>(p.y + 0.0)};
                    auto [it, inserted] = ids.try_emplace(key, static_cast<std::uint32_t>(topo.vertices.size()));
                    if (inserted) topo.vertices.push_back(p);
                    // drop repeated consecutive vertices
                    if (vid.empty() || vid.back() != it->second) vid.push_back(it->second);
                }
                while (vid.size() > 1 && vid.front() == vid.back()) vid.pop_back();
                ring_ids.push_back(std::move(vid));
            }
    // 2. Degree of every vertex in the undirected border graph.
    std::vector<std::uint64_t> edges;
    edges.reserve(total);
    for (const auto& vid : ring_ids)
        for (std::size_t i = 0; i < vid.size(); ++i) {
            const std::uint32_t a = vid[i], b = vid[(i + 1) % vid.size()];
            edges.push_back(edge_key(std::min(a, b), std::max(a, b)));
        }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    std::vector<std::uint8_t> node(topo.vertices.size(), 0);
    {
        std::vector<std::uint32_t> degree(topo.vertices.size(), 0);
        for (std::uint64_t e : edges) {
            ++degree[e >> 32];
            ++degree[e & 0xFFFFFFFFu];
        }
        for (std::size_t v = 0; v < degree.size(); ++v) node[v] = degree[v] != 2;
    }
    for (const auto& vid : ring_ids) {
        if (vid.empty()) continue;
        if (std::none_of(vid.begin(), vid.end(), [&](std::uint32_t v) { return node[v] != 0; }))
            node[*std::min_element(vid.begin(), vid.end())] = 1;
    }
    // 3. Walk every ring from a node, cutting it into arcs at nodes; an arc met again (from either
    //    end) is referenced, not copied.
    std::unordered_map<std::uint64_t, ArcRef> first_edge;  // directed first edge → arc
    first_edge.reserve(edges.size() / 4 + 16);
    std::size_t flat = 0;
    topo.features.resize(features.size());
    for (std::size_t f = 0; f < features.size(); ++f) {
        for (const auto& poly : features[f]) {
            TopoPolygon tp;
            for (std::size_t r = 0; r <= poly.holes.size(); ++r) {
                const auto& vid = ring_ids[flat++];
                TopoRing ring;
                const std::size_t n = vid.size();
                if (n < 3) continue;
                std::size_t start = 0;
                while (!node[vid[start]]) ++start;
                std::size_t i = start;
                do {
                    const std::uint32_t a = vid[i], b = vid[(i + 1) % n];
                    auto it = first_edge.find(edge_key(a, b));
                    std::size_t len = 1;  // edges in this arc
                    while (!node[vid[(i + len) % n]]) ++len;
                    if (it != first_edge.end()) {
                        ring.push_back(it->second);
                        if (it->second.arc < topo.arc_uses.size() && topo.arc_uses[it->second.arc] < 255)
                            ++topo.arc_uses[it->second.arc];
                    } else {
                        std::vector<std::uint32_t> arc;
                        arc.reserve(len + 1);
                        for (std::size_t k = 0; k <= len; ++k) arc.push_back(vid[(i + k) % n]);
                        const auto id = static_cast<std::uint32_t>(topo.arcs.size());
                        first_edge.emplace(edge_key(arc[0], arc[1]), ArcRef{id, false});
                        first_edge.emplace(edge_key(arc[arc.size() - 1], arc[arc.size() - 2]), ArcRef{id, true});
                        topo.arcs.push_back(std::move(arc));
                        topo.arc_uses.push_back(1);
                        ring.push_back(ArcRef{id, false});
                    }
                    i = (i + len) % n;
                } while (i != start);
                if (r == 0 || !tp.rings.empty()) tp.rings.push_back(std::move(ring));
            }
            if (!tp.rings.empty()) topo.features[f].polygons.push_back(std::move(tp));
        }
    }
    return topo;
}

MultiPolygon rebuild(const Topology& topology, const std::vector<std::vector<Point>>& arcs, std::size_t f) {
    MultiPolygon out;
    for (const auto& tp : topology.features[f].polygons) {
        Polygon poly;
        for (std::size_t r = 0; r < tp.rings.size(); ++r) {
            Ring ring;
            for (const ArcRef& ref : tp.rings[r]) {
                const auto& pts = arcs[ref.arc];
                // each arc contributes all its points but the last (the next arc's first)
                if (!ref.reversed)
                    ring.insert(ring.end(), pts.begin(), pts.end() - 1);
                else
                    ring.insert(ring.end(), pts.rbegin(), pts.rend() - 1);
            }
            if (r == 0) poly.outer = std::move(ring);
            else poly.holes.push_back(std::move(ring));
        }
        out.push_back(std::move(poly));
    }
    return out;
}

std::vector<std::vector<Point>> arc_points(const Topology& topology) {
    std::vector<std::vector<Point>> out(topology.arcs.size());
    for (std::size_t a = 0; a < topology.arcs.size(); ++a) {
        out[a].reserve(topology.arcs[a].size());
        for (std::uint32_t v : topology.arcs[a]) out[a].push_back(topology.vertices[v]);
    }
    return out;
}

}  // namespace onemap::gis
