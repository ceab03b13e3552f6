#include "raster_coverage.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace onemap::gis {

namespace {

constexpr std::array<int, 4> k_dc{1, 0, -1, 0};  // east, north, west, south
constexpr std::array<int, 4> k_dr{0, 1, 0, -1};

struct Components {
    std::vector<std::int32_t> id;       // per cell, -1 outside
    std::vector<std::int32_t> label;    // per component
    std::vector<std::size_t> size;      // per component
};

Components find_components(const LabelGrid& g) {
    Components out;
    const std::size_t n = static_cast<std::size_t>(g.width) * g.height;
    out.id.assign(n, -1);
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < n; ++start) {
        if (g.labels[start] < 0 || out.id[start] >= 0) continue;
        const auto comp = static_cast<std::int32_t>(out.label.size());
        const std::int32_t lab = g.labels[start];
        std::size_t count = 0;
        stack.push_back(start);
        out.id[start] = comp;
        while (!stack.empty()) {
            const std::size_t cell = stack.back();
            stack.pop_back();
            ++count;
            const int c = static_cast<int>(cell % g.width), r = static_cast<int>(cell / g.width);
            for (int d = 0; d < 4; ++d) {
                const int nc = c + k_dc[d], nr = r + k_dr[d];
                if (g.at(nc, nr) != lab) continue;
                const std::size_t ni = static_cast<std::size_t>(nr) * g.width + nc;
                if (out.id[ni] >= 0) continue;
                out.id[ni] = comp;
                stack.push_back(ni);
            }
        }
        out.label.push_back(lab);
        out.size.push_back(count);
    }
    return out;
}

}  // namespace

std::size_t merge_fragments(LabelGrid& g, const std::function<std::int32_t(std::int32_t)>& group, std::size_t min_cells) {
    std::size_t changed = 0;
    for (int round = 0; round < 16; ++round) {
        const Components comps = find_components(g);
        std::int32_t max_label = -1;
        for (auto l : comps.label) max_label = std::max(max_label, l);
        std::vector<std::int32_t> largest(static_cast<std::size_t>(max_label + 1), -1);
        for (std::size_t k = 0; k < comps.label.size(); ++k) {
            auto& best = largest[static_cast<std::size_t>(comps.label[k])];
            if (best < 0 || comps.size[k] > comps.size[static_cast<std::size_t>(best)]) best = static_cast<std::int32_t>(k);
        }
        std::vector<char> fragment(comps.label.size(), 0);
        bool any = false;
        for (std::size_t k = 0; k < comps.label.size(); ++k) {
            const bool keep = largest[static_cast<std::size_t>(comps.label[k])] == static_cast<std::int32_t>(k) &&
                              comps.size[k] >= min_cells;
            fragment[k] = keep ? 0 : 1;
            any = any || !keep;
        }
        if (!any) break;
        // Border lengths between each fragment and its neighbouring labels.
        std::vector<std::vector<std::pair<std::int32_t, std::size_t>>> border(comps.label.size());
        for (int r = 0; r < g.height; ++r) {
            for (int c = 0; c < g.width; ++c) {
                const std::size_t i = static_cast<std::size_t>(r) * g.width + c;
                const std::int32_t k = comps.id[i];
                if (k < 0 || !fragment[static_cast<std::size_t>(k)]) continue;
                for (int d = 0; d < 4; ++d) {
                    const std::int32_t nl = g.at(c + k_dc[d], r + k_dr[d]);
                    if (nl < 0 || nl == comps.label[static_cast<std::size_t>(k)]) continue;
                    auto& list = border[static_cast<std::size_t>(k)];
                    auto it = std::find_if(list.begin(), list.end(), [&](auto& e) { return e.first == nl; });
                    if (it == list.end()) list.emplace_back(nl, 1); else ++it->second;
                }
            }
        }
        std::vector<std::int32_t> target(comps.label.size(), -2);
        for (std::size_t k = 0; k < comps.label.size(); ++k) {
            if (!fragment[k]) continue;
            std::int32_t best = -1;
            std::size_t best_len = 0;
            const std::int32_t own_group = group ? group(comps.label[k]) : 0;
            for (auto [nl, len] : border[k]) {
                if (group && group(nl) != own_group) continue;
                if (len > best_len || (len == best_len && nl < best)) { best = nl; best_len = len; }
            }
            target[k] = best;
        }
        for (std::size_t i = 0; i < g.labels.size(); ++i) {
            const std::int32_t k = comps.id[i];
            if (k >= 0 && fragment[static_cast<std::size_t>(k)]) {
                g.labels[i] = target[static_cast<std::size_t>(k)];
                ++changed;
            }
        }
    }
    return changed;
}

namespace {

class Tracer {
public:
    explicit Tracer(const LabelGrid& g)
        : m_g(g), m_vis_v(static_cast<std::size_t>(g.width + 1) * g.height, 0),
          m_vis_h(static_cast<std::size_t>(g.width) * (g.height + 1), 0) {}

    bool has_edge(int c, int r, int d) const {
        switch (d) {
            case 0: return c < m_g.width && m_g.at(c, r - 1) != m_g.at(c, r);
            case 1: return r < m_g.height && m_g.at(c - 1, r) != m_g.at(c, r);
            case 2: return c > 0 && m_g.at(c - 1, r - 1) != m_g.at(c - 1, r);
            default: return r > 0 && m_g.at(c - 1, r - 1) != m_g.at(c, r - 1);
        }
    }
    int degree(int c, int r) const { return has_edge(c, r, 0) + has_edge(c, r, 1) + has_edge(c, r, 2) + has_edge(c, r, 3); }
    char& visited(int c, int r, int d) {
        switch (d) {
            case 0: return m_vis_h[static_cast<std::size_t>(r) * m_g.width + c];
            case 1: return m_vis_v[static_cast<std::size_t>(r) * (m_g.width + 1) + c];
            case 2: return m_vis_h[static_cast<std::size_t>(r) * m_g.width + (c - 1)];
            default: return m_vis_v[static_cast<std::size_t>(r - 1) * (m_g.width + 1) + c];
        }
    }
    std::pair<std::int32_t, std::int32_t> sides(int c, int r, int d) const {
        switch (d) {
            case 0: return {m_g.at(c, r), m_g.at(c, r - 1)};
            case 1: return {m_g.at(c - 1, r), m_g.at(c, r)};
            case 2: return {m_g.at(c - 1, r - 1), m_g.at(c - 1, r)};
            default: return {m_g.at(c, r - 1), m_g.at(c - 1, r - 1)};
        }
    }
    std::int64_t node_id(int c, int r) const { return static_cast<std::int64_t>(r) * (m_g.width + 1) + c; }

    // Walk from corner (c, r) in direction d until a node (or back to the start for loops).
    void walk(int c, int r, int d, bool loop, int smoothing, Coverage& out) {
        Arc arc;
        auto [left, right] = sides(c, r, d);
        arc.left = left;
        arc.right = right;
        arc.start_dir = static_cast<std::uint8_t>(d);
        arc.closed = loop;
        std::vector<std::pair<int, int>> corners{{c, r}};
        const int sc = c, sr = r;
        int dir = d;
        while (true) {
            visited(c, r, dir) = 1;
            c += k_dc[dir];
            r += k_dr[dir];
            arc.end_dir = static_cast<std::uint8_t>(dir);
            if (loop ? (c == sc && r == sr) : degree(c, r) != 2) break;
            const int back = (dir + 2) % 4;
            int next = -1;
            for (int k = 0; k < 4; ++k) {
                if (k != back && has_edge(c, r, k)) { next = k; break; }
            }
            if (next != dir) corners.emplace_back(c, r);
            dir = next;
        }
        corners.emplace_back(c, r);
        out.start_node.push_back(node_id(sc, sr));
        out.end_node.push_back(node_id(c, r));
        arc.points = smooth(corners, loop, smoothing);
        out.arcs.push_back(std::move(arc));
    }

    std::vector<Point> smooth(const std::vector<std::pair<int, int>>& corners, bool loop, int rounds) const {
        std::vector<Point> pts;
        pts.reserve(corners.size());
        for (auto [c, r] : corners) pts.push_back({static_cast<double>(c), static_cast<double>(r)});
        for (int k = 0; k < rounds; ++k) {
            std::vector<Point> next;
            const std::size_t n = pts.size();
            if (loop) {  // pts closed: first == last; cut every corner cyclically
                const std::size_t m = n - 1;
                for (std::size_t i = 0; i < m; ++i) {
                    const Point a = pts[i], b = pts[(i + 1) % m];
                    next.push_back({0.75 * a.x + 0.25 * b.x, 0.75 * a.y + 0.25 * b.y});
                    next.push_back({0.25 * a.x + 0.75 * b.x, 0.25 * a.y + 0.75 * b.y});
                }
                next.push_back(next.front());
            } else {
                next.push_back(pts.front());
                for (std::size_t i = 0; i + 1 < n; ++i) {
                    const Point a = pts[i], b = pts[i + 1];
                    if (i != 0) next.push_back({0.75 * a.x + 0.25 * b.x, 0.75 * a.y + 0.25 * b.y});
                    if (i + 2 != n) next.push_back({0.25 * a.x + 0.75 * b.x, 0.25 * a.y + 0.75 * b.y});
                }
                next.push_back(pts.back());
            }
            pts = std::move(next);
        }
        for (auto& p : pts) p = {m_g.origin.x + p.x * m_g.cell_w, m_g.origin.y + p.y * m_g.cell_h};
        return pts;
    }

private:
    const LabelGrid& m_g;
    std::vector<char> m_vis_v;
    std::vector<char> m_vis_h;
};

}  // namespace

Coverage trace_coverage(const LabelGrid& g, int smoothing) {
    Coverage out;
    Tracer t(g);
    for (int r = 0; r <= g.height; ++r) {
        for (int c = 0; c <= g.width; ++c) {
            const int deg = t.degree(c, r);
            if (deg == 0 || deg == 2) continue;
            for (int d = 0; d < 4; ++d) {
                if (t.has_edge(c, r, d) && !t.visited(c, r, d)) t.walk(c, r, d, false, smoothing, out);
            }
        }
    }
    // What is left are loops through degree-2 corners only (enclaves).
    for (int r = 0; r <= g.height; ++r) {
        for (int c = 0; c <= g.width; ++c) {
            for (int d : {0, 1}) {
                if (t.has_edge(c, r, d) && !t.visited(c, r, d)) t.walk(c, r, d, true, smoothing, out);
            }
        }
    }
    return out;
}

namespace {

struct DirArc {
    std::size_t arc;
    bool reversed;
};

int turn_rank(int arriving, int departing) {
    switch ((departing - arriving + 4) % 4) {
        case 1: return 0;  // left: hug the region, so a self-touching region splits into separate rings
        case 0: return 1;
        case 3: return 2;
        default: return 3;
    }
}

void append_points(Ring& ring, const Arc& arc, bool reversed) {
    // Every point but the last (the next arc starts there).
    if (!reversed) {
        ring.insert(ring.end(), arc.points.begin(), arc.points.end() - 1);
    } else {
        ring.insert(ring.end(), arc.points.rbegin(), arc.points.rend() - 1);
    }
}

}  // namespace

std::vector<MultiPolygon> assemble_polygons(const Coverage& cov, std::span<const std::int32_t> group_of_label,
                                            std::size_t group_count) {
    auto group_of = [&](std::int32_t label) -> std::int32_t {
        if (label < 0 || static_cast<std::size_t>(label) >= group_of_label.size()) return -1;
        return group_of_label[static_cast<std::size_t>(label)];
    };
    std::vector<std::vector<DirArc>> per_group(group_count);
    for (std::size_t i = 0; i < cov.arcs.size(); ++i) {
        const std::int32_t gl = group_of(cov.arcs[i].left), gr = group_of(cov.arcs[i].right);
        if (gl == gr) continue;
        if (gl >= 0 && static_cast<std::size_t>(gl) < group_count) per_group[static_cast<std::size_t>(gl)].push_back({i, false});
        if (gr >= 0 && static_cast<std::size_t>(gr) < group_count) per_group[static_cast<std::size_t>(gr)].push_back({i, true});
    }

    std::vector<MultiPolygon> result(group_count);
    for (std::size_t gi = 0; gi < group_count; ++gi) {
        const auto& arcs = per_group[gi];
        auto start_of = [&](const DirArc& a) { return a.reversed ? cov.end_node[a.arc] : cov.start_node[a.arc]; };
        auto end_of = [&](const DirArc& a) { return a.reversed ? cov.start_node[a.arc] : cov.end_node[a.arc]; };
        auto depart_dir = [&](const DirArc& a) {
            const Arc& arc = cov.arcs[a.arc];
            return a.reversed ? (arc.end_dir + 2) % 4 : static_cast<int>(arc.start_dir);
        };
        auto arrive_dir = [&](const DirArc& a) {
            const Arc& arc = cov.arcs[a.arc];
            return a.reversed ? (arc.start_dir + 2) % 4 : static_cast<int>(arc.end_dir);
        };
        std::vector<std::pair<std::int64_t, std::size_t>> by_start;
        for (std::size_t k = 0; k < arcs.size(); ++k) {
            if (!cov.arcs[arcs[k].arc].closed) by_start.emplace_back(start_of(arcs[k]), k);
        }
        std::sort(by_start.begin(), by_start.end());
        std::vector<char> used(arcs.size(), 0);
        std::vector<Ring> shells, holes;
        auto add_ring = [&](Ring ring) {
            if (ring.size() < 3) return;
            (signed_area(ring) > 0 ? shells : holes).push_back(std::move(ring));
        };
        for (std::size_t k0 = 0; k0 < arcs.size(); ++k0) {
            if (used[k0]) continue;
            used[k0] = 1;
            if (cov.arcs[arcs[k0].arc].closed) {
                Ring ring;
                append_points(ring, cov.arcs[arcs[k0].arc], arcs[k0].reversed);
                add_ring(std::move(ring));
                continue;
            }
            // Follow arcs node to node until the ring closes.
            std::vector<std::size_t> sequence{k0};
            for (std::size_t guard = 0;; ++guard) {
                if (guard > arcs.size()) throw std::logic_error("assemble_polygons: ring does not close");
                const std::size_t cur = sequence.back();
                const std::int64_t node = end_of(arcs[cur]);
                const int arriving = arrive_dir(arcs[cur]);
                auto [lo, hi] = std::equal_range(by_start.begin(), by_start.end(), std::make_pair(node, std::size_t{0}),
                                                 [](const auto& a, const auto& b) { return a.first < b.first; });
                std::size_t best = arcs.size();
                int best_rank = 99;
                for (auto it = lo; it != hi; ++it) {
                    const std::size_t cand = it->second;
                    if (used[cand] && cand != k0) continue;
                    const int rank = turn_rank(arriving, depart_dir(arcs[cand]));
                    if (rank < best_rank) { best_rank = rank; best = cand; }
                }
                if (best == arcs.size()) throw std::logic_error("assemble_polygons: dangling arc");
                if (best == k0) break;
                used[best] = 1;
                sequence.push_back(best);
            }
            // A ring that passes a node twice touches itself there: split it into rings that meet at
            // that point (a shell and a hole, or two shells), which OGC accepts.
            std::vector<std::size_t> stack;
            std::vector<std::pair<std::int64_t, std::size_t>> open_nodes;  // node → position in stack
            auto emit = [&](std::size_t from) {
                Ring ring;
                for (std::size_t k = from; k < stack.size(); ++k) append_points(ring, cov.arcs[arcs[stack[k]].arc], arcs[stack[k]].reversed);
                add_ring(std::move(ring));
                stack.resize(from);
                while (!open_nodes.empty() && open_nodes.back().second >= from) open_nodes.pop_back();
            };
            for (std::size_t k : sequence) {
                const std::int64_t node = start_of(arcs[k]);
                auto it = std::find_if(open_nodes.begin(), open_nodes.end(), [&](const auto& e) { return e.first == node; });
                if (it != open_nodes.end()) emit(it->second);
                open_nodes.emplace_back(node, stack.size());
                stack.push_back(k);
            }
            emit(0);
        }
        MultiPolygon& mp = result[gi];
        for (auto& s : shells) mp.push_back(Polygon{std::move(s), {}});
        std::vector<double> shell_area;
        for (const auto& p : mp) shell_area.push_back(signed_area(p.outer));
        for (auto& h : holes) {
            const Point probe{(h[0].x + h[1].x) / 2, (h[0].y + h[1].y) / 2};
            std::size_t best = mp.size();
            for (std::size_t s = 0; s < mp.size(); ++s) {
                if (contains(mp[s].outer, probe) && (best == mp.size() || shell_area[s] < shell_area[best])) best = s;
            }
            if (best < mp.size()) mp[best].holes.push_back(std::move(h));
        }
    }
    return result;
}

}  // namespace onemap::gis
