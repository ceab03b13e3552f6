// The demo province's geography: counties grown around their real locations inside the real
// outline, villages inside counties, townships as connected groups of villages; every level
// assembled from the same traced arcs, so borders are shared exactly and levels nest exactly.
#include "data/demo/demo_model.hpp"
#include "data/demo/demo_names.hpp"
#include "data/bundle/divisions.hpp"
#include "gis/point_grid.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <stdexcept>
#include <thread>

namespace onemap::data::demo {

namespace {

constexpr double k_x_scale = 0.829;  // cos(34°): degrees of longitude to "latitude-equivalent" degrees
constexpr double k_km_per_degree = 111.2;

struct Params {
    double cell_w = 0.0022, cell_h = 0.0018;  // ≈ 200 m × 200 m
    double cells_per_village = 90;            // ≈ 3.6 km² per village, 46,000 in Henan
    double villages_per_township = 17.8;      // 46,000 / 2,586
    double margin = 0;                        // test scale: window around the chosen counties
};

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string strip_suffix(const std::string& s, std::initializer_list<std::string_view> suffixes) {
    for (auto suf : suffixes) {
        if (ends_with(s, suf) && s.size() > suf.size()) return s.substr(0, s.size() - suf.size());
    }
    return s;
}

gis::Point warp(std::uint64_t seed, gis::Point p, double wavelength, double amplitude) {
    const double nx = gis::value_noise(seed, p.x / wavelength, p.y / wavelength, 3);
    const double ny = gis::value_noise(seed ^ 0x5bd1e995ULL, p.x / wavelength, p.y / wavelength, 3);
    return {p.x + amplitude * nx / k_x_scale, p.y + amplitude * ny};
}

// Run fn(row) for every row, split over `threads` threads (rows are independent).
void parallel_rows(int rows, int threads, const std::function<void(int)>& fn) {
    threads = std::max(1, threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int r = t; r < rows; r += threads) fn(r);
        });
    }
    for (auto& th : pool) th.join();
}

// Cells of the grid inside the outline, by scanline.
std::vector<char> inside_outline(const gis::LabelGrid& g, const gis::Ring& outline) {
    std::vector<char> inside(static_cast<std::size_t>(g.width) * g.height, 0);
    std::vector<double> xs;
    for (int r = 0; r < g.height; ++r) {
        const double y = g.origin.y + (r + 0.5) * g.cell_h;
        xs.clear();
        for (std::size_t i = 0, j = outline.size() - 1; i < outline.size(); j = i++) {
            const auto& a = outline[i];
            const auto& b = outline[j];
            if ((a.y > y) != (b.y > y)) xs.push_back(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
        }
        std::sort(xs.begin(), xs.end());
        for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
            const int c0 = std::max(0, static_cast<int>(std::ceil((xs[k] - g.origin.x) / g.cell_w - 0.5)));
            const int c1 = std::min(g.width - 1, static_cast<int>(std::floor((xs[k + 1] - g.origin.x) / g.cell_w - 0.5)));
            for (int c = c0; c <= c1; ++c) inside[static_cast<std::size_t>(r) * g.width + c] = 1;
        }
    }
    return inside;
}

// Counting sort of cell indices by label.
void index_cells(const gis::LabelGrid& g, std::size_t labels, std::vector<std::int64_t>& offsets, std::vector<std::int32_t>& cells) {
    offsets.assign(labels + 1, 0);
    for (auto l : g.labels) {
        if (l >= 0) ++offsets[static_cast<std::size_t>(l) + 1];
    }
    for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
    cells.assign(static_cast<std::size_t>(offsets.back()), 0);
    std::vector<std::int64_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < g.labels.size(); ++i) {
        const auto l = g.labels[i];
        if (l >= 0) cells[static_cast<std::size_t>(fill[static_cast<std::size_t>(l)]++)] = static_cast<std::int32_t>(i);
    }
}

gis::Point cell_centre(const gis::LabelGrid& g, std::int32_t cell) {
    return g.cell_centre(cell % g.width, cell / g.width);
}

// Order for codes: north to south in bands, then west to east (how code books tend to run).
bool reading_order(gis::Point a, gis::Point b) {
    const auto band_a = static_cast<int>(std::floor(-a.y / 0.05)), band_b = static_cast<int>(std::floor(-b.y / 0.05));
    if (band_a != band_b) return band_a < band_b;
    return a.x < b.x;
}

std::string three_digits(int n) {
    std::string s = std::to_string(n);
    return std::string(s.size() < 3 ? 3 - s.size() : 0, '0') + s;
}

}  // namespace

gis::Point Geography::random_point(int village, gis::Random& rng) const {
    const auto b = cell_offsets[static_cast<std::size_t>(village)], e = cell_offsets[static_cast<std::size_t>(village) + 1];
    const auto cell = cells[static_cast<std::size_t>(rng.range(b, e - 1))];
    gis::Point p = cell_centre(grid, cell);
    p.x += rng.uniform(-0.3, 0.3) * grid.cell_w;
    p.y += rng.uniform(-0.3, 0.3) * grid.cell_h;
    return p;
}

Geography build_geography(DemoScale scale, std::uint64_t seed, int threads) {
    gis::Random rng(gis::hash_combine(seed, 0x6e6f));
    Params prm;
    std::set<std::string> test_areas;
    if (scale == DemoScale::Test) {
        prm.cells_per_village = 180;
        prm.villages_per_township = 9;
        prm.margin = 0.6;
        test_areas = {"410221", "410222", "410225"};  // 开封: 杞县, 通许县, 兰考县
    }

    Geography geo;
    const auto& divisions = henan_divisions();
    std::map<std::string, int> city_index;
    for (const auto& d : divisions) {
        if (d.kind != "city") continue;
        city_index[d.code] = static_cast<int>(geo.cities.size());
        geo.cities.push_back({d.code, d.name, {}});
    }
    for (const auto& d : divisions) {
        if (d.kind != "county" && d.kind != "zone") continue;
        Area a;
        a.code = d.code;
        a.name = d.name;
        a.city_code = d.parent_code;
        a.poverty = d.national_poverty_county;
        a.urban = d.kind == "zone" || ends_with(d.name, "区");
        a.seed = d.location;
        geo.areas.push_back(std::move(a));
    }
    for (const auto& d : divisions) {  // a city with no counties (济源) holds its townships itself
        if (d.kind != "city") continue;
        const bool has_area = std::any_of(geo.areas.begin(), geo.areas.end(), [&](const Area& a) { return a.city_code == d.code; });
        if (has_area) continue;
        Area a;
        a.code = d.code;
        a.name = d.name;
        a.city_code = d.code;
        a.is_city = true;
        a.seed = d.location;
        geo.areas.push_back(std::move(a));
    }
    std::vector<char> selected(geo.areas.size(), 1);
    if (!test_areas.empty()) {
        for (std::size_t i = 0; i < geo.areas.size(); ++i) selected[i] = test_areas.count(geo.areas[i].code) ? 1 : 0;
    }

    // The grid: the whole outline, or a window around the chosen counties.
    const gis::Ring& outline = henan_outline();
    gis::Box window = gis::bounds(outline);
    if (prm.margin > 0) {
        gis::Box around;
        for (std::size_t i = 0; i < geo.areas.size(); ++i) {
            if (selected[i]) around.expand(geo.areas[i].seed);
        }
        window = {std::max(window.min_x, around.min_x - prm.margin), std::max(window.min_y, around.min_y - prm.margin),
                  std::min(window.max_x, around.max_x + prm.margin), std::min(window.max_y, around.max_y + prm.margin)};
    }
    gis::LabelGrid& g = geo.grid;
    g.cell_w = prm.cell_w;
    g.cell_h = prm.cell_h;
    g.origin = {std::floor(window.min_x / prm.cell_w) * prm.cell_w, std::floor(window.min_y / prm.cell_h) * prm.cell_h};
    g.width = static_cast<int>(std::ceil((window.max_x - g.origin.x) / prm.cell_w));
    g.height = static_cast<int>(std::ceil((window.max_y - g.origin.y) / prm.cell_h));
    g.labels.assign(static_cast<std::size_t>(g.width) * g.height, -1);
    const std::vector<char> inside = inside_outline(g, outline);

    // 1. Villages: evenly spread seeds (best of several candidates), each cell to the nearest seed in
    //    a warped space, so borders wander like digitised ones.
    std::vector<std::int32_t> domain;
    for (std::size_t i = 0; i < inside.size(); ++i) {
        if (inside[i]) domain.push_back(static_cast<std::int32_t>(i));
    }
    std::vector<gis::Point> seeds;
    gis::PointGrid seed_index(window, 0.02, k_x_scale);
    {
        const auto n = std::max<std::int64_t>(2, std::llround(static_cast<double>(domain.size()) / prm.cells_per_village));
        for (std::int64_t k = 0; k < n; ++k) {
            gis::Point best;
            double best_d = -1;
            for (int cand = 0; cand < 6; ++cand) {
                gis::Point p = cell_centre(g, domain[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(domain.size()) - 1))]);
                const std::int32_t near = seed_index.nearest(p, [](std::int32_t) { return true; }, 0.2);
                double d = 1e9;
                if (near >= 0) {
                    const double dx = (seeds[static_cast<std::size_t>(near)].x - p.x) * k_x_scale, dy = seeds[static_cast<std::size_t>(near)].y - p.y;
                    d = dx * dx + dy * dy;
                }
                if (d > best_d) { best_d = d; best = p; }
            }
            seed_index.insert(best, static_cast<std::int32_t>(seeds.size()));
            seeds.push_back(best);
        }
    }
    const std::uint64_t village_noise = gis::hash_combine(seed, 2);
    parallel_rows(g.height, threads, [&](int r) {
        for (int c = 0; c < g.width; ++c) {
            const std::size_t i = static_cast<std::size_t>(r) * g.width + c;
            if (!inside[i]) continue;
            const gis::Point q = warp(village_noise, g.cell_centre(c, r), 0.04, 0.010);
            g.labels[i] = seed_index.nearest(q, [](std::int32_t) { return true; });
        }
    });
    gis::merge_fragments(g, {}, static_cast<std::size_t>(prm.cells_per_village / 5));

    // 2. Counties: grown over the village adjacency graph from the village at each county's real
    //    location, so county borders follow village borders and every county is one piece.
    auto compact = [&](std::vector<std::int32_t>& keep_area) {
        // Renumber labels 0…n-1 in order of first label value; returns the new count.
        std::int32_t max_label = -1;
        for (auto l : g.labels) max_label = std::max(max_label, l);
        std::vector<std::int64_t> counts(static_cast<std::size_t>(max_label + 1), 0);
        for (auto l : g.labels) {
            if (l >= 0) ++counts[static_cast<std::size_t>(l)];
        }
        std::vector<std::int32_t> remap(counts.size(), -1);
        std::vector<std::int32_t> new_area;
        for (std::size_t l = 0; l < counts.size(); ++l) {
            if (counts[l] == 0) continue;
            remap[l] = static_cast<std::int32_t>(new_area.size());
            new_area.push_back(keep_area.empty() ? -1 : keep_area[l]);
        }
        for (auto& l : g.labels) {
            if (l >= 0) l = remap[static_cast<std::size_t>(l)];
        }
        keep_area = std::move(new_area);
        return keep_area.size();
    };
    std::vector<std::int32_t> village_area;
    std::size_t nv = compact(village_area);
    std::vector<std::int64_t> v_offsets;
    std::vector<std::int32_t> v_cells;
    std::vector<gis::Point> centroid;
    auto measure_villages = [&] {
        index_cells(g, nv, v_offsets, v_cells);
        centroid.assign(nv, {});
        for (std::size_t v = 0; v < nv; ++v) {
            double sx = 0, sy = 0;
            for (auto k = v_offsets[v]; k < v_offsets[v + 1]; ++k) {
                const auto p = cell_centre(g, v_cells[static_cast<std::size_t>(k)]);
                sx += p.x;
                sy += p.y;
            }
            const double n = static_cast<double>(v_offsets[v + 1] - v_offsets[v]);
            centroid[v] = {sx / n, sy / n};
        }
    };
    measure_villages();
    auto dist = [&](std::size_t a, std::size_t b) {
        const double dx = (centroid[a].x - centroid[b].x) * k_x_scale, dy = centroid[a].y - centroid[b].y;
        return std::sqrt(dx * dx + dy * dy);
    };
    auto adjacency = [&](auto same_group) {
        std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
        for (int r = 0; r < g.height; ++r) {
            for (int c = 0; c < g.width; ++c) {
                const std::int32_t l = g.at(c, r);
                if (l < 0) continue;
                for (auto [nc, nr] : {std::pair{c + 1, r}, std::pair{c, r + 1}}) {
                    const std::int32_t m = g.at(nc, nr);
                    if (m >= 0 && m != l && same_group(l, m)) pairs.emplace_back(std::min(l, m), std::max(l, m));
                }
            }
        }
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        std::vector<std::vector<std::int32_t>> adj(nv);
        for (auto [a, b] : pairs) {
            adj[static_cast<std::size_t>(a)].push_back(b);
            adj[static_cast<std::size_t>(b)].push_back(a);
        }
        return adj;
    };
    // Multi-source Dijkstra over the village graph; edge weights are noisy distances so the
    // borders between the grown groups wander. Returns the group of every reached village (-1 if not).
    const std::uint64_t edge_noise = gis::hash_combine(seed, 3);
    auto grow = [&](const std::vector<std::vector<std::int32_t>>& adj, const std::vector<std::pair<int, int>>& sources) {
        std::vector<int> group(nv, -1);
        std::vector<double> best(nv, 1e300);
        using Item = std::pair<double, int>;
        std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
        for (auto [v, grp] : sources) {
            group[static_cast<std::size_t>(v)] = grp;
            best[static_cast<std::size_t>(v)] = 0;
            queue.push({0.0, v});
        }
        while (!queue.empty()) {
            auto [d, v] = queue.top();
            queue.pop();
            if (d > best[static_cast<std::size_t>(v)]) continue;
            for (auto w : adj[static_cast<std::size_t>(v)]) {
                const auto key = static_cast<std::uint64_t>(std::min(v, w)) * 1000003ULL + static_cast<std::uint64_t>(std::max(v, w));
                const double noise = static_cast<double>(gis::hash_combine(edge_noise, key) >> 11) * 0x1.0p-53;
                const double nd = d + dist(static_cast<std::size_t>(v), static_cast<std::size_t>(w)) * (1.0 + 0.8 * noise);
                if (nd < best[static_cast<std::size_t>(w)]) {
                    best[static_cast<std::size_t>(w)] = nd;
                    group[static_cast<std::size_t>(w)] = group[static_cast<std::size_t>(v)];
                    queue.push({nd, w});
                }
            }
        }
        return group;
    };
    {
        const auto adj = adjacency([](std::int32_t, std::int32_t) { return true; });
        std::vector<std::pair<int, int>> sources;
        std::vector<char> taken(nv, 0);
        for (std::size_t a = 0; a < geo.areas.size(); ++a) {
            const gis::Point s = geo.areas[a].seed;
            const int c = static_cast<int>((s.x - g.origin.x) / g.cell_w), r = static_cast<int>((s.y - g.origin.y) / g.cell_h);
            std::int32_t v = g.at(c, r);
            if (v < 0 || taken[static_cast<std::size_t>(v)]) {  // outside the window, or two counties in one village
                if (!selected[a] && v < 0) continue;
                double bd = 1e300;
                v = -1;
                for (std::size_t k = 0; k < nv; ++k) {
                    const double dd = std::hypot((centroid[k].x - s.x) * k_x_scale, centroid[k].y - s.y);
                    if (!taken[k] && dd < bd) { bd = dd; v = static_cast<std::int32_t>(k); }
                }
            }
            if (v < 0) continue;
            taken[static_cast<std::size_t>(v)] = 1;
            sources.emplace_back(v, static_cast<int>(a));
        }
        const auto county = grow(adj, sources);
        for (std::size_t v = 0; v < nv; ++v) {
            int a = county[v];
            if (a < 0) {  // an island the graph does not reach: the county of the nearest source
                double bd = 1e300;
                for (auto [sv, grp] : sources) {
                    const double dd = dist(v, static_cast<std::size_t>(sv));
                    if (dd < bd) { bd = dd; a = grp; }
                }
            }
            village_area[v] = selected[static_cast<std::size_t>(a)] ? a : -1;
        }
        // Test scale: only the chosen counties stay.
        for (auto& l : g.labels) {
            if (l >= 0 && village_area[static_cast<std::size_t>(l)] < 0) l = -1;
        }
        nv = compact(village_area);
        measure_villages();
    }
    for (std::size_t a = 0; a < geo.areas.size(); ++a) {
        if (!selected[a]) continue;
        if (std::none_of(village_area.begin(), village_area.end(), [&](std::int32_t x) { return x == static_cast<std::int32_t>(a); })) {
            throw std::logic_error("demo: county " + geo.areas[a].code + " received no villages");
        }
    }

    // 3. Townships: connected groups of neighbouring villages of one county, grown from spread-out seeds.
    const auto adjacent = adjacency([&](std::int32_t l, std::int32_t m) {
        return village_area[static_cast<std::size_t>(l)] == village_area[static_cast<std::size_t>(m)];
    });
    std::vector<std::vector<int>> area_villages(geo.areas.size());
    for (std::size_t v = 0; v < nv; ++v) area_villages[static_cast<std::size_t>(village_area[v])].push_back(static_cast<int>(v));
    std::vector<int> village_township(nv, -1);
    struct TownshipDraft {
        int area;
        std::vector<int> villages;
        gis::Point centre;
    };
    std::vector<TownshipDraft> drafts;
    for (std::size_t a = 0; a < geo.areas.size(); ++a) {
        const auto& vs = area_villages[a];
        if (vs.empty()) continue;
        const int nt = std::max(1, static_cast<int>(std::lround(static_cast<double>(vs.size()) / prm.villages_per_township)));
        std::vector<int> chosen{vs[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(vs.size()) - 1))]};
        std::vector<double> mind(vs.size(), 1e18);
        while (static_cast<int>(chosen.size()) < nt) {
            std::size_t far = 0;
            for (std::size_t k = 0; k < vs.size(); ++k) {
                mind[k] = std::min(mind[k], dist(static_cast<std::size_t>(vs[k]), static_cast<std::size_t>(chosen.back())));
                if (mind[k] > mind[far]) far = k;
            }
            chosen.push_back(vs[far]);
        }
        const int first_draft = static_cast<int>(drafts.size());
        std::vector<std::pair<int, int>> sources;
        for (std::size_t t = 0; t < chosen.size(); ++t) {
            drafts.push_back({static_cast<int>(a), {}, {}});
            sources.emplace_back(chosen[t], first_draft + static_cast<int>(t));
        }
        const auto grown = grow(adjacent, sources);
        for (int v : vs) village_township[static_cast<std::size_t>(v)] = grown[static_cast<std::size_t>(v)];
        for (int v : vs) {
            if (village_township[static_cast<std::size_t>(v)] < 0) {  // unreachable: join the nearest township seed
                std::size_t nearest = 0;
                for (std::size_t t = 1; t < chosen.size(); ++t) {
                    if (dist(static_cast<std::size_t>(v), static_cast<std::size_t>(chosen[t])) <
                        dist(static_cast<std::size_t>(v), static_cast<std::size_t>(chosen[nearest]))) nearest = t;
                }
                village_township[static_cast<std::size_t>(v)] = first_draft + static_cast<int>(nearest);
            }
            drafts[static_cast<std::size_t>(village_township[static_cast<std::size_t>(v)])].villages.push_back(v);
        }
    }
    for (auto& d : drafts) {
        double sx = 0, sy = 0;
        for (int v : d.villages) {
            sx += centroid[static_cast<std::size_t>(v)].x;
            sy += centroid[static_cast<std::size_t>(v)].y;
        }
        d.centre = {sx / static_cast<double>(d.villages.size()), sy / static_cast<double>(d.villages.size())};
    }

    // 4. Codes and names, in reading order within each parent.
    const double cell_km2 = prm.cell_w * k_x_scale * k_km_per_degree * prm.cell_h * k_km_per_degree;
    std::vector<int> final_village(nv, -1);
    for (std::size_t a = 0; a < geo.areas.size(); ++a) {
        Area& area = geo.areas[a];
        std::vector<int> ts;
        for (std::size_t t = 0; t < drafts.size(); ++t) {
            if (drafts[t].area == static_cast<int>(a) && !drafts[t].villages.empty()) ts.push_back(static_cast<int>(t));
        }
        std::sort(ts.begin(), ts.end(), [&](int x, int y) { return reading_order(drafts[static_cast<std::size_t>(x)].centre, drafts[static_cast<std::size_t>(y)].centre); });
        std::set<std::string> township_names;
        int next_code[3] = {1, 100, 200};
        for (int t : ts) {
            TownshipDraft& d = drafts[static_cast<std::size_t>(t)];
            const double u = rng.uniform();
            const TownshipKind kind = area.urban ? (u < 0.8 ? TownshipKind::Subdistrict : TownshipKind::Town)
                                                 : (u < 0.08 ? TownshipKind::Subdistrict : u < 0.63 ? TownshipKind::Town : TownshipKind::Township);
            Township tw;
            tw.area = static_cast<int>(a);
            tw.code = area.code + three_digits(next_code[static_cast<int>(kind)]++);
            tw.name = unique_name(township_names, [&] { return township_name(rng, kind); });
            tw.stem = strip_suffix(tw.name, {"街道", "镇", "乡"});
            const int ti = static_cast<int>(geo.townships.size());
            area.townships.push_back(ti);
            std::sort(d.villages.begin(), d.villages.end(), [&](int x, int y) { return reading_order(centroid[static_cast<std::size_t>(x)], centroid[static_cast<std::size_t>(y)]); });
            std::set<std::string> village_names;
            int community_code = 1, village_code = 200;
            for (int v : d.villages) {
                const bool community = kind == TownshipKind::Subdistrict || (community_code == 1 && rng.chance(0.1));
                Village vi;
                vi.township = ti;
                vi.area = static_cast<int>(a);
                vi.code = tw.code + three_digits(community ? community_code++ : village_code++);
                vi.name = unique_name(village_names, [&] { return village_name(rng, community); });
                vi.stem = strip_suffix(vi.name, {"社区", "村"});
                vi.cells = v_offsets[static_cast<std::size_t>(v) + 1] - v_offsets[static_cast<std::size_t>(v)];
                vi.area_km2 = static_cast<double>(vi.cells) * cell_km2;
                // The village's cell nearest its centroid: a point surely inside it.
                double bd = 1e18;
                for (auto k = v_offsets[static_cast<std::size_t>(v)]; k < v_offsets[static_cast<std::size_t>(v) + 1]; ++k) {
                    const auto p = cell_centre(g, v_cells[static_cast<std::size_t>(k)]);
                    const double dd = std::hypot((p.x - centroid[static_cast<std::size_t>(v)].x) * k_x_scale, p.y - centroid[static_cast<std::size_t>(v)].y);
                    if (dd < bd) { bd = dd; vi.centre = p; }
                }
                final_village[static_cast<std::size_t>(v)] = static_cast<int>(geo.villages.size());
                tw.villages.push_back(static_cast<int>(geo.villages.size()));
                geo.villages.push_back(std::move(vi));
            }
            geo.townships.push_back(std::move(tw));
        }
    }
    for (auto& l : g.labels) {
        if (l >= 0) l = final_village[static_cast<std::size_t>(l)];
    }
    index_cells(g, geo.villages.size(), geo.cell_offsets, geo.cells);
    for (std::size_t a = 0; a < geo.areas.size(); ++a) {
        if (!geo.areas[a].townships.empty()) geo.cities[static_cast<std::size_t>(city_index.at(geo.areas[a].city_code))].areas.push_back(static_cast<int>(a));
    }

    // 5. One set of arcs, assembled per level.
    const gis::Coverage coverage = gis::trace_coverage(g, 2);
    const std::size_t nvil = geo.villages.size();
    std::vector<std::int32_t> to_village(nvil), to_township(nvil), to_area(nvil), to_city(nvil), to_province(nvil, 0);
    for (std::size_t v = 0; v < nvil; ++v) {
        to_village[v] = static_cast<std::int32_t>(v);
        to_township[v] = geo.villages[v].township;
        to_area[v] = geo.villages[v].area;
        to_city[v] = city_index.at(geo.areas[static_cast<std::size_t>(geo.villages[v].area)].city_code);
    }
    auto village_geom = gis::assemble_polygons(coverage, to_village, nvil);
    auto township_geom = gis::assemble_polygons(coverage, to_township, geo.townships.size());
    auto area_geom = gis::assemble_polygons(coverage, to_area, geo.areas.size());
    auto city_geom = gis::assemble_polygons(coverage, to_city, geo.cities.size());
    auto province_geom = gis::assemble_polygons(coverage, to_province, 1);

    geo.regions.push_back({"41", "", Level::Province, "河南省", 0, 0, 0, std::move(province_geom[0])});
    for (std::size_t c = 0; c < geo.cities.size(); ++c) {
        if (geo.cities[c].areas.empty()) continue;
        geo.regions.push_back({geo.cities[c].code, "41", Level::City, geo.cities[c].name, 0, 0, 0, std::move(city_geom[c])});
    }
    for (std::size_t a = 0; a < geo.areas.size(); ++a) {
        const Area& area = geo.areas[a];
        if (area.is_city || area.townships.empty()) continue;
        geo.regions.push_back({area.code, area.city_code, Level::County, area.name, 0, 0, 0, std::move(area_geom[a])});
    }
    for (std::size_t t = 0; t < geo.townships.size(); ++t) {
        const Township& tw = geo.townships[t];
        geo.regions.push_back({tw.code, geo.areas[static_cast<std::size_t>(tw.area)].code, Level::Township, tw.name, 0, 0, 0, std::move(township_geom[t])});
    }
    for (std::size_t v = 0; v < nvil; ++v) {
        const Village& vi = geo.villages[v];
        geo.regions.push_back({vi.code, geo.townships[static_cast<std::size_t>(vi.township)].code, Level::Village, vi.name, 0, 0, 0, std::move(village_geom[v])});
    }
    std::sort(geo.regions.begin(), geo.regions.end(), [](const Region& a, const Region& b) { return a.code < b.code; });
    return geo;
}

}  // namespace onemap::data::demo
