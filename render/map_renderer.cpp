#include "map_renderer.hpp"

#include "gis/lod_prefetch.hpp"
#include "gis/scene_pick.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace onemap::render::assets {
extern const std::string_view region_color_glsl, region_finish_glsl, fill_vert, fill_frag, ids_frag, raster_frag, line_vert, line_frag, overlay_vert,
    overlay_frag, frame_vert, frame_frag;
}

namespace onemap::render {

namespace {
constexpr double k_min_border_spacing_px = 9.0;
// The coarsest LOD whose simplification tolerance is at most this many pixels: 1.5 px costs a third
// fewer vertices than 1 px at every zoom, and side by side the two pictures cannot be told apart.
constexpr double k_lod_tolerance_px = 1.5;
// The frame cache's picture at rest or while panning: 1.5× the screen each way (a quarter screen of
// margin on every side), shown for zooms up to ×2 in (slightly soft until the camera settles) and
// ×1/1.5 out (its edge reaches the screen's).
constexpr double k_cache_size = 1.5;
constexpr double k_cache_zoom_in = 2.0;
constexpr double k_cache_zoom_out = 1.0 / 1.5;
// A new picture is begun before the old one reaches those limits.
constexpr double k_cache_refresh_in = 1.4;
constexpr double k_cache_refresh_out = 1.0 / 1.25;
// While zooming, a picture leads, on a target of the same size (one made anew costs a frame): zooming
// in, it is drawn finer around k_cache_size_in× the view — so 1.5 / 1.2 = 1.25× finer — since a view
// zooming in stays within the one it began in: it covers 0.64 of the ground of a panning one and lasts
// from ×0.8 to ×2 of its scale, and a tenth of a screen each side is left for a drag begun straight
// after; zooming out, k_cache_lead_out× coarser around 2.1× the view (shown until the growing view
// reaches its edge).
constexpr double k_cache_size_in = 1.2;
constexpr double k_cache_lead_out = 1.4;
constexpr std::uint64_t k_max_picture_frames = 8;
// Costs (MapItem::cost) in units of about 0.2 µs on llvmpipe, measured per draw over the bench's path:
// a fill triangle is 2, a border segment 3, a pixel of the feature raster 1/k_raster_px_per_unit and
// clearing a picture's target 1/k_picture_px_per_unit.
constexpr double k_raster_px_per_unit = 32;
constexpr std::uint64_t k_picture_px_per_unit = 512;
// A full frame is handed to the GPU every this many units (about 4 ms on llvmpipe; 20,000 against
// 60,000: a province village frame 69 against 72 ms median, and a shorter tail).
constexpr std::uint64_t k_flush_units = 20000;
// The feature raster is drawn at k_raster_reach × k_raster_oversample times the scale that fits the whole
// scene in the window, and used while a texel is at most 1/k_raster_oversample of a pixel: up to
// k_raster_reach × the whole-scene zoom. Its sides stay within k_raster_max_size (RG8: 2 bytes a texel).
constexpr double k_raster_reach = 3.5;
// A LOD part the view wants and the GPU lacks goes up this many bytes a frame (glBufferSubData: a copy
// into the driver's memory; the province's finest village fills are 40 MB), while a coarser or finer
// part already there stands in for it. A part this small or smaller is uploaded when first drawn.
constexpr std::uint64_t k_upload_slice = std::uint64_t{4} << 20;
constexpr double k_raster_oversample = 1.5;
constexpr int k_raster_max_size = 8192;
constexpr std::size_t k_raster_max_features = 65535;
template <class T>
std::span<const std::byte> bytes(const std::vector<T>& v) {
    return std::as_bytes(std::span(v));
}
bool intersects(const gis::Box& a, const gis::Box& b) {
    return !(a.empty() || b.empty() || a.max_x < b.min_x || b.max_x < a.min_x || a.max_y < b.min_y || b.max_y < a.min_y);
}
// The coarsest LOD whose tolerance is at most k_lod_tolerance_px at `ppd`.
std::size_t lod_for(const gis::SceneLayer& layer, double ppd) {
    std::size_t best = 0;
    for (std::size_t k = 0; k < layer.lods.size(); ++k)
        if (layer.lods[k].tolerance * ppd <= k_lod_tolerance_px) best = k;
    return best;
}
// Typical feature diameter of a layer: √(mean bounding-box area), degrees.
double mean_size_degrees(const gis::SceneLayer& l) {
    double area = 0;
    for (const auto& f : l.features) area += f.bounds.width() * f.bounds.height();
    return l.features.empty() ? 0 : std::sqrt(area / static_cast<double>(l.features.size()));
}
// Borders of regions only a few pixels across are noise, and most of the frame's vertices: they are
// left out until the regions are large enough on screen (the fills still show them); the top level's
// borders are always drawn.
bool borders_shown(double mean_size_degrees, double ppd, bool top) { return top || mean_size_degrees * ppd >= k_min_border_spacing_px; }
// Layers whose borders a frame of `level` draws: it and every level above, finest first.
std::vector<std::size_t> border_order(const gis::Scene& scene, int level) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < scene.layers.size(); ++i)
        if (scene.layers[i].level <= level) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scene.layers[a].level > scene.layers[b].level; });
    return order;
}
Uniform u2(const char* n, float a, float b) { return {n, 2, {a, b, 0, 0}}; }
Uniform u4(const char* n, const float v[4]) { return {n, 4, {v[0], v[1], v[2], v[3]}}; }
Uniform u1(const char* n, float a) { return {n, 1, {a, 0, 0, 0}}; }
Uniform ui(const char* n, int a) { return {n, 1, {static_cast<float>(a), 0, 0, 0}, true}; }
// The arrays of a LOD's fills (xy, feature per vertex, indices: one buffer each) or of its border
// segments, as uploaded, in that order.
struct PartArrays {
    std::span<const std::byte> arrays[3];
    BufferKind kinds[3] = {BufferKind::Vertex, BufferKind::Vertex, BufferKind::Vertex};
    int count = 0;
};

PartArrays part_arrays(const gis::SceneLod& lod, bool fills) {
    PartArrays p;
    if (fills) {
        p.arrays[0] = bytes(lod.xy);
        p.arrays[1] = bytes(lod.vertex_feature);
        p.arrays[2] = bytes(lod.indices);
        p.kinds[2] = BufferKind::Index;
        p.count = 3;
    } else {
        p.arrays[0] = bytes(lod.segments);
        p.count = 1;
    }
    return p;
}

// GPU bytes of a LOD's fills or border segments.
std::uint64_t part_bytes(const gis::SceneLod& lod, bool fills) {
    const PartArrays p = part_arrays(lod, fills);
    std::uint64_t n = 0;
    for (int i = 0; i < p.count; ++i) n += p.arrays[i].size();
    return n;
}

}  // namespace

struct MapRenderer::PartGpu {
    bool uploaded = false;       // its buffers made (their bytes count against the GPU budget) and written: drawn from
    std::uint64_t written = 0;   // bytes written so far, through the arrays in order
    BufferHandle buffers[3];     // as part_arrays lists them; none until first uploaded
    bool created() const { return static_cast<bool>(buffers[0]); }
};

struct MapRenderer::LodGpu {
    PartGpu parts[2];  // by Part
    std::uint64_t bytes = 0, last_frame = 0;
    VertexArrayHandle fill_va, line_va;
    std::vector<VertexAttrib> line_attribs;
    PartGpu& part(Part p) { return parts[p == Part::Fills ? 0 : 1]; }
    const PartGpu& part(Part p) const { return parts[p == Part::Fills ? 0 : 1]; }
};

struct MapRenderer::LayerGpu {
    std::vector<LodGpu> lods;
    double mean_size_degrees = 0;  // typical feature diameter: √(mean bounding-box area)
    TextureHandle colors;
    int color_rows = 0;
    std::vector<Rgba> color_data;
};

MapRenderer::MapRenderer(Device& device, const gis::Scene& scene, GlyphAtlas* atlas)
    : m_device(device), m_scene(scene), m_atlas(atlas), m_points(device, scene.origin), m_labels(atlas, scene.origin) {
    if (scene.layers.empty()) throw std::invalid_argument("MapRenderer: the scene has no layers");
    // the region colouring both fill shaders share comes first in each
    // region_color.glsl looks a region's paint up, region_finish.glsl colours a pixel with it: fills
    // look up per vertex, the feature raster per pixel
    const std::string fill_vert = "#define REGION_PAINT\n" + std::string(assets::region_color_glsl) + std::string(assets::fill_vert);
    const std::string fill_frag = std::string(assets::region_finish_glsl) + std::string(assets::fill_frag);
    const std::string raster_frag =
        std::string(assets::region_color_glsl) + std::string(assets::region_finish_glsl) + std::string(assets::raster_frag);
    m_fill_program = device.create_program(fill_vert, fill_frag, "fill");
    m_line_program = device.create_program(assets::line_vert, assets::line_frag, "line");
    m_overlay_program = device.create_program(assets::overlay_vert, assets::overlay_frag, "overlay");
    m_frame_program = device.create_program(assets::frame_vert, assets::frame_frag, "frame");
    m_ids_program = device.create_program(assets::fill_vert, assets::ids_frag, "ids");
    m_raster_program = device.create_program(assets::frame_vert, raster_frag, "raster");
    for (const auto& l : scene.layers) {
        auto gpu = std::make_unique<LayerGpu>();
        gpu->lods.resize(l.lods.size());
        gpu->color_rows = static_cast<int>((l.features.size() + 1023) / 1024);
        gpu->color_data.assign(static_cast<std::size_t>(gpu->color_rows) * 1024, k_no_data_color);
        gpu->colors = device.create_texture(1024, std::max(1, gpu->color_rows), TextureFormat::Rgba8, gpu->color_data.data());
        gpu->mean_size_degrees = mean_size_degrees(l);
        m_layers.push_back(std::move(gpu));
    }
    const gis::Box& b = scene.bounds;
    m_bounds = gis::Box{b.min_x - scene.origin.x, b.min_y - scene.origin.y, b.max_x - scene.origin.x, b.max_y - scene.origin.y};
    m_camera.set_limits(m_bounds, scene.origin.y);
    m_level = scene.layers.front().level;
    if (m_atlas) m_atlas_texture = device.create_texture(GlyphAtlas::k_size, GlyphAtlas::k_size, TextureFormat::Rg8,
                                                         m_atlas->pixels().data());
    if (m_atlas) m_atlas->clear_dirty();
    // the overlay buffer starts empty and grows
    const std::vector<std::byte> none(64);
    m_overlay_buffer = device.create_buffer(BufferKind::Vertex, none);
    const VertexAttrib ov[] = {{0, m_overlay_buffer, 2, AttribType::Float, sizeof(OverlayVertex), 0, false},
                               {1, m_overlay_buffer, 2, AttribType::Float, sizeof(OverlayVertex), 8, false},
                               {2, m_overlay_buffer, 4, AttribType::UByteNorm, sizeof(OverlayVertex), 16, false},
                               {3, m_overlay_buffer, 4, AttribType::UByteNorm, sizeof(OverlayVertex), 20, false}};
    m_overlay_va = device.create_vertex_array(ov, {});
}

MapRenderer::~MapRenderer() = default;

std::size_t MapRenderer::layer_index(int level) const {
    for (std::size_t i = 0; i < m_scene.layers.size(); ++i)
        if (m_scene.layers[i].level == level) return i;
    throw std::invalid_argument("MapRenderer: the scene has no layer for level " + std::to_string(level));
}

const gis::SceneLayer& MapRenderer::layer() const { return m_scene.layers[layer_index(m_level)]; }

int MapRenderer::pick(gis::Point local) const {
    const std::size_t li = layer_index(m_level);
    return gis::pick_feature(m_scene.lod(li, nearest_loaded(li, static_cast<std::size_t>(lod_index(m_scene.layers[li])))), local);
}

void MapRenderer::set_viewport(int width, int height) {
    if (width != m_camera.width() || height != m_camera.height()) {  // placed and grouped for the old size
        m_labels.invalidate();
        m_points.invalidate();
    }
    m_camera.set_viewport(width, height);
}

// Everything derived from the drawn layer's feature indices goes with it: names placed on the old
// layer (their indices would be read against the new one's features), hover and selection. Cluster
// labels are scene positions and pictures carry their level (current()), so those stay.
void MapRenderer::set_level(int level) {
    layer_index(level);
    if (level == m_level) return;
    m_level = level;
    m_labels.reset();
    m_hover = m_selected = -1;
}

void MapRenderer::set_hover(int feature) { m_hover = feature >= 0 && static_cast<std::size_t>(feature) < layer().features.size() ? feature : -1; }
void MapRenderer::set_selection(int feature) {
    m_selected = feature >= 0 && static_cast<std::size_t>(feature) < layer().features.size() ? feature : -1;
}

void MapRenderer::set_feature_colors(std::span<const Rgba> colors) {
    LayerGpu& gpu = *m_layers[layer_index(m_level)];
    std::copy_n(colors.begin(), std::min(colors.size(), gpu.color_data.size()), gpu.color_data.begin());
    m_device.update_texture(gpu.colors, 0, 0, 1024, gpu.color_rows, TextureFormat::Rgba8, gpu.color_data.data());
    ++m_colors_version;
}

void MapRenderer::set_points(std::vector<MapPoint> points, bool cluster) {
    m_points.set(std::move(points), cluster);
    m_labels.invalidate();  // they keep clear of the symbols
}

// A LOD's fills and its border segments are uploaded apart, each when first drawn: a level drawn
// only for its borders (the counties over a village map) never uploads its triangles, and a level
// too fine for its borders to show never uploads its segments. Drawn now, so whatever of it is not
// on the GPU yet goes up now.
MapRenderer::LodGpu& MapRenderer::lod_gpu(std::size_t li, std::size_t k, Part part) {
    LodGpu& g = m_layers[li]->lods[k];
    g.last_frame = m_frame;
    const std::uint64_t before = g.part(part).written;
    std::uint64_t all = std::numeric_limits<std::uint64_t>::max();
    upload_part(li, k, part, all);
    // counted against this frame's slice, so a part that fits it is not followed by another
    m_upload_left -= std::min(m_upload_left, g.part(part).written - before);
    return g;
}

// Up to `allowance` more bytes of a LOD part onto the GPU (its buffers made first, at their full
// size), taken off `allowance`; true once the whole part is there.
bool MapRenderer::upload_part(std::size_t li, std::size_t k, Part part, std::uint64_t& allowance) {
    LodGpu& g = m_layers[li]->lods[k];
    PartGpu& p = g.part(part);
    if (p.uploaded) return true;
    const bool fills = part == Part::Fills;
    const gis::SceneLod& lod = m_scene.lod(li, k);
    const PartArrays arrays = part_arrays(lod, fills);
    if (!p.created()) {
        for (int i = 0; i < arrays.count; ++i) p.buffers[i] = m_device.create_buffer(arrays.kinds[i], arrays.arrays[i].size());
        const std::uint64_t n = part_bytes(lod, fills);
        g.bytes += n;
        m_gpu_bytes += n;
    }
    std::uint64_t at = 0;  // where array i begins in the part
    for (int i = 0; i < arrays.count && allowance > 0; ++i) {
        const std::span<const std::byte> a = arrays.arrays[i];
        if (p.written < at + a.size()) {
            const std::uint64_t from = p.written - at;
            const std::uint64_t n = std::min<std::uint64_t>(a.size() - from, allowance);
            m_device.write_buffer(p.buffers[i], from, a.subspan(from, n));
            p.written += n;
            allowance -= n;
        }
        at += a.size();
    }
    if (p.written < at) return false;
    if (fills) {
        const VertexAttrib fa[] = {{0, p.buffers[0], 2, AttribType::Float, 8, 0, false},
                                   {1, p.buffers[1], 1, AttribType::UInt, 4, 0, false}};
        g.fill_va = m_device.create_vertex_array(fa, p.buffers[2]);
    } else {
        g.line_attribs = {{0, p.buffers[0], 4, AttribType::Float, 16, 0, true}};
        g.line_va = m_device.create_vertex_array(g.line_attribs, {});
    }
    p.uploaded = true;
    return true;
}

// Drawn from without waiting: read, and on the GPU or what is left of it fits what is left of this
// frame's upload slice.
bool MapRenderer::part_ready(std::size_t li, std::size_t k, Part part) const {
    const gis::SceneLod& lod = m_scene.layers[li].lods[k];
    if (!lod.loaded) return false;
    const PartGpu& p = m_layers[li]->lods[k].part(part);
    return p.uploaded || part_bytes(lod, part == Part::Fills) - p.written <= m_upload_left;
}

void MapRenderer::want(std::size_t li, std::size_t k, Part part) {
    const Wanted w{li, k, part};
    if (std::find(m_wanted.begin(), m_wanted.end(), w) == m_wanted.end()) m_wanted.push_back(w);
}

// The LOD to draw in place of `k` in a picture: `k` itself when ready; else it is wanted (read on the
// prefetch thread, uploaded a slice a frame) and the nearest ready one stands in, coarser first; `k`
// when none is (then it is read and uploaded now).
std::size_t MapRenderer::stand_in(std::size_t li, std::size_t k, Part part) {
    if (part_ready(li, k, part)) return k;
    want(li, k, part);
    return nearest_lod(li, k, [&](std::size_t j) { return part_ready(li, j, part); });
}

// The nearest LOD to `k` in memory (for looking things up, not drawing), `k` when none is.
std::size_t MapRenderer::nearest_loaded(std::size_t li, std::size_t k) const {
    return nearest_lod(li, k, [&](std::size_t j) { return m_scene.layers[li].lods[j].loaded; });
}

// The LOD of layers[li] nearest to `k` (`k` itself first, then coarser before finer at each step)
// that `ok` accepts; `k` when none does.
std::size_t MapRenderer::nearest_lod(std::size_t li, std::size_t k, const std::function<bool(std::size_t)>& ok) const {
    const std::size_t n = m_scene.layers[li].lods.size();
    for (std::size_t d = 0; d < n; ++d) {
        if (k + d < n && ok(k + d)) return k + d;
        if (d > 0 && d <= k && ok(k - d)) return k - d;
    }
    return k;
}

// Once a frame: LODs read on the prefetch thread go into the scene; what the views wanted is read (on
// that thread, or here at rest when there is none) and uploaded, k_upload_slice bytes a frame.
void MapRenderer::pump_wanted() {
    if (m_prefetch) m_prefetch->install();
    m_upload_left = k_upload_slice;
    std::uint64_t& allowance = m_upload_left;
    for (auto it = m_wanted.begin(); it != m_wanted.end() && allowance > 0;) {
        if (!m_scene.layers[it->layer].lods[it->lod].loaded) {
            if (m_prefetch) {
                m_prefetch->want(it->layer, it->lod);
            } else if (!m_camera.moving()) {
                m_scene.lod(it->layer, it->lod);
                allowance = 0;  // a read is this frame's share
                break;
            }
            ++it;
            continue;
        }
        m_layers[it->layer]->lods[it->lod].last_frame = m_frame;
        if (upload_part(it->layer, it->lod, it->part, allowance))
            it = m_wanted.erase(it);
        else
            ++it;
    }
}

bool MapRenderer::upload_ahead() {
    if (!m_wanted.empty()) return true;  // one piece at a time, and what a view wants first
    const gis::Box v = m_camera.visible();
    const double cx = (v.min_x + v.max_x) / 2, cy = (v.min_y + v.max_y) / 2;
    for (const double f : {2.0, 0.5}) {
        const double hw = v.width() / 2 / f, hh = v.height() / 2 / f;
        for (const MapItem& item : plan_map(gis::Box{cx - hw, cy - hh, cx + hw, cy + hh}, m_camera.pixels_per_degree() * f)) {
            if (item.kind == Kind::Raster) continue;
            const Part part = item.kind == Kind::Fill ? Part::Fills : Part::Borders;
            if (m_layers[item.layer]->lods[item.lod].part(part).uploaded) continue;
            // what is fetched ahead must fit: else it would be given back unused, and fetched again
            const gis::SceneLod& lod = m_scene.layers[item.layer].lods[item.lod];
            const std::uint64_t size = lod.loaded ? part_bytes(lod, part == Part::Fills) : lod.blob_size;
            if (m_gpu_budget > 0 && m_gpu_bytes + size > m_gpu_budget) continue;
            want(item.layer, item.lod, part);
            return true;
        }
    }
    return false;
}

void MapRenderer::evict_lods() {
    constexpr std::uint64_t k_keep_frames = 60;
    if (m_gpu_budget == 0 || m_gpu_bytes <= m_gpu_budget) return;
    std::vector<LodGpu*> idle;
    for (auto& layer : m_layers)
        for (LodGpu& g : layer->lods)
            if ((g.parts[0].created() || g.parts[1].created()) && g.last_frame + k_keep_frames < m_frame) idle.push_back(&g);
    std::sort(idle.begin(), idle.end(), [](const LodGpu* a, const LodGpu* b) { return a->last_frame < b->last_frame; });
    for (LodGpu* g : idle) {
        if (m_gpu_bytes <= m_gpu_budget) break;
        for (const PartGpu& p : g->parts)
            for (BufferHandle b : p.buffers)
                if (b) m_device.release(b);
        if (g->fill_va) m_device.release(g->fill_va);
        if (g->line_va) m_device.release(g->line_va);
        m_gpu_bytes -= g->bytes;
        *g = LodGpu{};
        ++m_lods_evicted;
    }
}

int MapRenderer::lod_index(const gis::SceneLayer& layer) const { return lod_index_at(layer, m_camera.pixels_per_degree()); }

int MapRenderer::lod_index_at(const gis::SceneLayer& layer, double ppd) const { return static_cast<int>(lod_for(layer, ppd)); }

std::vector<std::pair<std::size_t, std::size_t>> MapRenderer::lods_drawn(const gis::Scene& scene, int level, double ppd) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    const auto add = [&](std::size_t li) {
        const std::pair<std::size_t, std::size_t> lod{li, lod_for(scene.layers[li], ppd)};
        if (std::find(out.begin(), out.end(), lod) == out.end()) out.push_back(lod);
    };
    for (std::size_t li = 0; li < scene.layers.size(); ++li)
        if (scene.layers[li].level == level) add(li);
    const auto order = border_order(scene, level);
    for (std::size_t li : order)
        if (borders_shown(mean_size_degrees(scene.layers[li]), ppd, li == order.back())) add(li);
    return out;
}

bool MapRenderer::update(double dt) {
    m_camera.update(dt);
    const bool moving = m_camera.moving();
    if (m_was_moving && !moving) {  // at a new zoom: group the symbols and place the names again
        m_labels.invalidate();
        m_points.invalidate();
    }
    m_was_moving = moving;
    return moving || (m_cache_on && m_job.active) || raster_pending() || !m_wanted.empty();
}

// Ranges of visible chunks, neighbours merged.
static std::vector<std::pair<std::uint32_t, std::uint32_t>> visible_ranges(const std::vector<gis::SceneChunk>& chunks,
                                                                          const gis::Box& view) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (const auto& c : chunks) {
        if (c.count == 0 || !intersects(c.bounds, view)) continue;
        if (!out.empty() && out.back().first + out.back().second == c.first)
            out.back().second += c.count;
        else
            out.push_back({c.first, c.count});
    }
    return out;
}

// Fills of the drawn level, then the borders of it and of every level above, finest first, each
// level above wider and darker on top.
std::vector<MapRenderer::MapItem> MapRenderer::plan_map(const gis::Box& vis, double ppd, std::vector<Wanted>* stood_in) {
    std::vector<MapItem> items;
    // the LOD to draw: with `stood_in`, one ready now in place of one still on its way (recorded)
    const auto drawn = [&](std::size_t li, std::size_t k, Part part) {
        if (!stood_in) return k;
        const std::size_t d = stand_in(li, k, part);
        if (d != k) stood_in->push_back({li, k, part});
        return d;
    };
    const std::size_t fill_layer = layer_index(m_level);
    {
        const std::size_t k = drawn(fill_layer, static_cast<std::size_t>(lod_index_at(m_scene.layers[fill_layer], ppd)), Part::Fills);
        const auto ranges = visible_ranges(m_scene.lod(fill_layer, k).fill_chunks, vis);
        std::uint64_t triangles = 0;
        for (auto [first, count] : ranges) triangles += count / 3;
        const Raster& r = m_raster;
        if (m_raster_on && r.complete && r.spec.layer == fill_layer && raster_suits(r.spec.scale, ppd, triangles)) {
            // one quad; its cost is the pixels it covers
            const double w = std::min(vis.max_x, m_bounds.max_x) - std::max(vis.min_x, m_bounds.min_x);
            const double h = std::min(vis.max_y, m_bounds.max_y) - std::max(vis.min_y, m_bounds.min_y);
            const double pixels = std::max(0.0, w) * m_camera.x_scale() * ppd * std::max(0.0, h) * ppd;
            const auto units = static_cast<std::uint32_t>(std::min(pixels / k_raster_px_per_unit + 1, 4e9));
            items.push_back({Kind::Raster, fill_layer, r.spec.lod, 0, units, 0, units});
        } else {
            for (auto [first, count] : ranges) items.push_back({Kind::Fill, fill_layer, k, first, count, 0});
        }
    }
    const std::vector<std::size_t> order = border_order(m_scene, m_level);
    for (std::size_t li : order) {
        if (!borders_shown(m_layers[li]->mean_size_degrees, ppd, li == order.back())) continue;
        const std::size_t k = drawn(li, static_cast<std::size_t>(lod_index_at(m_scene.layers[li], ppd)), Part::Borders);
        for (auto [first, count] : visible_ranges(m_scene.lod(li, k).border_chunks, vis))
            items.push_back({Kind::Border, li, k, first, count, m_level - m_scene.layers[li].level});
    }
    return items;
}

// Fill triangles [first, first + count) of a layer's LOD. `only` ≥ 0 draws just that feature, blended
// as the selection's or the hover's mark over a cached picture.
void MapRenderer::draw_fill_range(std::size_t li, std::size_t k, std::uint32_t first, std::uint32_t count, const float view[4],
                                  int hover, int selected, int only) {
    LodGpu& g = lod_gpu(li, k, Part::Fills);
    const float highlight[4] = {1.0f, 0.85f, 0.1f, 0.75f};
    const Uniform uniforms[] = {u4("u_view", view), ui("u_colors", 0), ui("u_hover", hover), ui("u_selected", selected),
                                u4("u_highlight", highlight), ui("u_only", only)};
    DrawCall call;
    call.program = m_fill_program;
    call.vertex_array = g.fill_va;
    call.textures[0] = m_layers[li]->colors;
    call.indexed = true;
    call.first = first;
    call.count = count;
    call.blend = only >= 0;
    call.uniforms = uniforms;
    m_device.draw(call);
}

void MapRenderer::draw_item(const MapItem& item, const float view[4], int width, int height, int hover, int selected) {
    if (item.kind == Kind::Fill) {
        draw_fill_range(item.layer, item.lod, item.first, item.count, view, hover, selected, -1);
        return;
    }
    if (item.kind == Kind::Raster) {
        const float highlight[4] = {1.0f, 0.85f, 0.1f, 0.75f};
        const Uniform uniforms[] = {u4("u_view", view),           ui("u_raster", 0),           ui("u_colors", 1),
                                    ui("u_hover", hover),         ui("u_selected", selected), u4("u_highlight", highlight)};
        DrawCall call;
        call.program = m_raster_program;
        call.vertex_array = m_raster.va;
        call.textures[0] = m_raster.target.texture;
        call.textures[1] = m_layers[item.layer]->colors;
        call.primitive = Primitive::TriangleStrip;
        call.count = 4;
        call.blend = false;
        call.uniforms = uniforms;
        if (item.count < item.whole) {
            // a band of the target's rows, in proportion
            const auto row = [&](std::uint64_t units) { return static_cast<int>(units * static_cast<std::uint64_t>(height) / item.whole); };
            const int y0 = row(item.first), y1 = row(std::uint64_t{item.first} + item.count);
            if (y1 <= y0) return;
            call.scissor[0] = 0;
            call.scissor[1] = y0;
            call.scissor[2] = width;
            call.scissor[3] = y1 - y0;
        }
        m_device.draw(call);
        return;
    }
    LodGpu& g = lod_gpu(item.layer, item.lod, Part::Borders);
    DrawCall call;
    const float half = 0.5f + 0.4f * static_cast<float>(item.rank);
    const float grey = item.rank == 0 ? 0.35f : (item.rank == 1 ? 0.28f : 0.15f);
    const float alpha = std::min(0.95f, 0.6f + 0.2f * static_cast<float>(item.rank));
    const float color[4] = {grey, grey, grey, alpha};
    const Uniform uniforms[] = {u4("u_view", view), u2("u_viewport", static_cast<float>(width), static_cast<float>(height)),
                                u1("u_half_width", half), u4("u_color", color)};
    m_device.set_instance_base(g.line_va, g.line_attribs, item.first);
    call.program = m_line_program;
    call.vertex_array = g.line_va;
    call.primitive = Primitive::TriangleStrip;
    call.count = 4;
    call.instances = item.count;
    call.uniforms = uniforms;
    m_device.draw(call);
}

void MapRenderer::draw_map(const float view[4], const gis::Box& visible, int width, int height) {
    // handed over every k_flush_units, so a software rasteriser's threads rasterise the first draws
    // while this thread sets up the next (a long range of fills is cut for that)
    std::uint64_t pending = 0;
    for (const MapItem& whole : plan_map(visible, m_camera.pixels_per_degree())) {
        MapItem item = whole;
        while (item.count > 0) {
            MapItem part = item;
            if (item.kind == Kind::Fill && item.cost() > k_flush_units) part.count = static_cast<std::uint32_t>(k_flush_units / 2 * 3);
            draw_item(part, view, width, height, m_hover, m_selected);
            item.first += part.count;
            item.count -= part.count;
            pending += part.cost();
            if (pending >= k_flush_units) {
                m_device.flush();
                pending = 0;
            }
        }
    }
}

// The parts' upload step, while the view rests: the symbols are grouped at this zoom (and the names
// then placed anew, clear of them), the names placed for this level and view.
void MapRenderer::upload_parts() {
    if (m_camera.moving()) return;
    if (m_points.needs_upload()) {
        m_points.upload(m_camera);
        m_labels.invalidate();
    }
    if (m_labels.needs_upload()) m_labels.place(layer(), m_level, m_camera, m_points.symbols());
}

void MapRenderer::draw_overlay() {
    m_frame_overlay.clear();
    // A full atlas is emptied before this frame's names are laid out (not while a caller's overlay,
    // laid out already, points into it).
    if (m_atlas && m_atlas->full() && m_overlay.empty()) m_atlas->reset();
    if (m_atlas) {
        // names are drawn only on the layer they were placed on (set_level resets them)
        assert(m_labels.placed() == 0 || m_labels.level() == m_level);
        m_labels.add_quads(m_frame_overlay, layer(), m_level, m_camera);
        for (const auto& [pt, count] : m_points.cluster_labels()) {
            const gis::Point s = m_camera.to_screen(pt);
            add_text(m_frame_overlay, *m_atlas, std::to_string(count), static_cast<float>(s.x), static_cast<float>(s.y), 12,
                     Rgba{255, 255, 255, 255}, Rgba{0, 0, 0, 0}, TextAlign::Centre);
        }
    }
    m_frame_overlay.insert(m_frame_overlay.end(), m_overlay.begin(), m_overlay.end());
    if (m_frame_overlay.empty() || !m_atlas) return;
    if (m_atlas->dirty()) {
        m_device.update_texture(m_atlas_texture, 0, 0, GlyphAtlas::k_size, GlyphAtlas::k_size, TextureFormat::Rg8,
                                m_atlas->pixels().data());
        m_atlas->clear_dirty();
    }
    m_device.update_buffer(m_overlay_buffer, bytes(m_frame_overlay));
    const Uniform uniforms[] = {u2("u_viewport", static_cast<float>(m_camera.width()), static_cast<float>(m_camera.height())),
                                ui("u_atlas", 0)};
    DrawCall call;
    call.program = m_overlay_program;
    call.vertex_array = m_overlay_va;
    call.textures[0] = m_atlas_texture;
    call.count = static_cast<std::uint32_t>(m_frame_overlay.size());
    call.uniforms = uniforms;
    m_device.draw(call);
}

void MapRenderer::render() {
    ++m_frame;
    m_device.begin_frame();
    pump_wanted();
    m_device.viewport(m_camera.width(), m_camera.height());
    m_device.clear(m_background);
    upload_parts();
    float view[4];
    m_camera.clip_transform(view);
    // a picture needs a margin around the screen within the largest texture the device takes
    const int room = m_device.max_texture_size();
    if (m_cache_on && room > m_camera.width() + 2 && room > m_camera.height() + 2)
        render_cached(view);
    else
        draw_map(view, m_camera.visible(), m_camera.width(), m_camera.height());
    advance_raster();
    const gis::Box vis = m_camera.visible();
    for (const auto& f : layer().features) {
        const gis::Box b{f.bounds.min_x - m_scene.origin.x, f.bounds.min_y - m_scene.origin.y, f.bounds.max_x - m_scene.origin.x,
                         f.bounds.max_y - m_scene.origin.y};
        if (intersects(b, vis)) ++m_device.counters().visible_features;
    }
    m_points.draw(view, m_camera);
    draw_overlay();
    evict_lods();
}

// Turning it off and on again keeps the pictures: they carry what they show and are checked against it.
void MapRenderer::set_frame_cache(bool on) { m_cache_on = on; }

bool MapRenderer::fits(const Picture& p) const { return p.valid && p.width == m_camera.width() && p.height == m_camera.height(); }
bool MapRenderer::current(const Picture& p) const { return fits(p) && p.level == m_level && p.colors == m_colors_version; }

std::optional<MapRenderer::PictureShown> MapRenderer::picture_shown() const {
    if (!m_front.valid) return std::nullopt;
    return PictureShown{m_front.scale, m_front.box, !m_front.stood_in.empty()};
}

void MapRenderer::render_cached(const float view[4]) {
    const auto now = std::chrono::steady_clock::now();
    // the last frame's time, from its start to this one's
    if (m_last_render.time_since_epoch().count() != 0)
        m_budget.frame(std::chrono::duration<double, std::milli>(now - m_last_render).count(), m_spent_last_frame);
    m_last_render = now;
    m_spent_last_frame = 0;
    const double ppd = m_camera.pixels_per_degree();
    const Lead lead = !m_camera.moving() || m_last_ppd <= 0 || std::abs(ppd / m_last_ppd - 1) < 1e-6 ? Lead::Still
                      : ppd > m_last_ppd                                                               ? Lead::In
                                                                                                       : Lead::Out;
    m_last_ppd = ppd;
    const gis::Box v = m_camera.visible();
    const double ratio = m_front.valid ? m_camera.pixels_per_degree() / m_front.scale : 0;
    const gis::Box& box = m_front.box;
    // the view within the picture less `shrink` of the margin it was begun with
    auto inside = [&](double shrink) {
        const double mx = m_front.margin_x * shrink, my = m_front.margin_y * shrink;
        return v.min_x >= box.min_x + mx && v.max_x <= box.max_x - mx && v.min_y >= box.min_y + my && v.max_y <= box.max_y - my;
    };
    // a picture of another level or other colours is still shown until the new one is complete
    const bool usable = current(m_front) && ratio <= k_cache_zoom_in && ratio >= k_cache_zoom_out && inside(0);
    // drawn with stand-ins for LODs that have arrived since
    const bool stale = std::any_of(m_front.stood_in.begin(), m_front.stood_in.end(),
                                   [&](const Wanted& w) { return part_ready(w.layer, w.lod, w.part); });
    const bool near_limits = !usable || stale || ratio > m_front.refresh_in || ratio < m_front.refresh_out || !inside(0.5);
    // so far off that the old picture would mislead rather than blur: finish the new one now
    const bool far = !fits(m_front) || ratio > 4 * k_cache_zoom_in || ratio < k_cache_zoom_out / 4 || !intersects(v, box);
    // pixel for pixel: same scale, and the view's corner on a whole pixel of the picture
    const gis::Point corner = m_camera.to_screen({box.min_x, box.max_y});
    const bool exact = usable && std::abs(ratio - 1) < 1e-9 && std::abs(corner.x - std::round(corner.x)) < 1e-3 &&
                       std::abs(corner.y - std::round(corner.y)) < 1e-3;
    if (m_job.active && (m_job.width != m_camera.width() || m_job.height != m_camera.height() || m_back.level != m_level ||
                         m_back.colors != m_colors_version))
        m_job.active = false;  // drawing what is no longer wanted: begun anew below
    if (m_camera.moving()) {
        if (!m_job.active && near_limits) start_picture(lead);
    } else if (!exact || stale) {
        // at rest: a picture of exactly this view, unless the one under way is it
        float now[4];
        m_camera.clip_transform(now);
        const bool same_view = m_job.active && std::equal(now, now + 4, m_job.view, [](float a, float b) {
                                   return std::abs(a - b) <= 1e-6f * std::max(1.0f, std::abs(a));
                               });
        if (!same_view) start_picture(Lead::Still);
    }
    if (m_job.active) advance_picture(far);
    draw_picture(m_front, view);
    draw_marks(view);
}

// A textured quad over `box` (scene coordinates; texture 0,0 at its lower left), made or moved.
void MapRenderer::set_quad(BufferHandle& quad, VertexArrayHandle& va, const gis::Box& box) {
    const float x0 = static_cast<float>(box.min_x), y0 = static_cast<float>(box.min_y);
    const float x1 = static_cast<float>(box.max_x), y1 = static_cast<float>(box.max_y);
    const float corners[] = {x0, y0, 0, 0, x1, y0, 1, 0, x0, y1, 0, 1, x1, y1, 1, 1};
    const auto data = std::as_bytes(std::span(corners));
    if (quad) {
        m_device.update_buffer(quad, data);
        return;
    }
    quad = m_device.create_buffer(BufferKind::Vertex, data);
    const VertexAttrib qa[] = {{0, quad, 2, AttribType::Float, 16, 0, false}, {1, quad, 2, AttribType::Float, 16, 8, false}};
    va = m_device.create_vertex_array(qa, {});
}

// A picture around the current view, same centre: at rest or panning 1.5× the screen each way at its
// scale; zooming, ahead of it or behind (k_cache_size_in, k_cache_lead_out). Its draws are planned
// now and done by advance_picture.
void MapRenderer::start_picture(Lead lead) {
    const int w = m_camera.width(), h = m_camera.height();
    const int max = m_device.max_texture_size();
    // an even margin, so at rest the view's corner falls on a whole pixel of the picture
    int cw = std::min(max, w + 2 * static_cast<int>(std::lround((k_cache_size - 1) / 2 * w)));
    int ch = std::min(max, h + 2 * static_cast<int>(std::lround((k_cache_size - 1) / 2 * h)));
    cw -= (cw - w) % 2;
    ch -= (ch - h) % 2;
    // zooming in, as far ahead as the target holds k_cache_size_in× the view
    const double lead_zoom = lead == Lead::In    ? std::max(1.0, std::min(static_cast<double>(cw) / w, static_cast<double>(ch) / h) / k_cache_size_in)
                             : lead == Lead::Out ? 1 / k_cache_lead_out
                                                 : 1.0;
    Picture& c = m_back;
    if (!c.target || c.target.width != cw || c.target.height != ch) c.target = m_device.create_target(cw, ch, c.target);
    float view[4];
    m_camera.clip_transform(view);
    // the target's pixels onto the screen's around the same centre, then to scene coordinates
    const double mx = (cw / lead_zoom - w) / 2.0, my = (ch / lead_zoom - h) / 2.0;
    const gis::Point a = m_camera.to_scene({-mx, h + my}), b = m_camera.to_scene({w + mx, -my});
    c.box = gis::Box{a.x, a.y, b.x, b.y};
    const gis::Box v = m_camera.visible();
    c.margin_x = std::max(0.0, (c.box.width() - v.width()) / 2);
    c.margin_y = std::max(0.0, (c.box.height() - v.height()) / 2);
    // zooming in, one drawn ahead is at 1/1.25 of its scale now: only a zoom back out past it begins
    // another; zooming out, likewise a zoom back in past the view it was begun for
    c.refresh_in = lead == Lead::Out ? 1.15 / lead_zoom : k_cache_refresh_in;
    c.refresh_out = lead == Lead::In ? 0.95 / lead_zoom : k_cache_refresh_out;
    set_quad(c.quad, c.va, c.box);
    c.valid = false;
    c.level = m_level;
    c.colors = m_colors_version;
    c.width = w;
    c.height = h;
    c.scale = m_camera.pixels_per_degree() * lead_zoom;
    m_job.active = true;
    c.stood_in.clear();
    m_job.items = plan_map(c.box, c.scale, &c.stood_in);
    m_job.next = 0;
    m_job.total = 0;
    m_job.start = static_cast<std::uint64_t>(cw) * static_cast<std::uint64_t>(ch) / k_picture_px_per_unit;
    m_job.total = m_job.start;
    for (const MapItem& item : m_job.items) m_job.total += item.cost();
    std::copy(view, view + 4, m_job.view);  // the camera's transform: a rest recognises it
    if (lead == Lead::Still) {
        // the camera's, scaled to the larger target (exactly so: a picture at rest is shown pixel for pixel)
        const float sx = static_cast<float>(w) / static_cast<float>(cw), sy = static_cast<float>(h) / static_cast<float>(ch);
        const float pic[4] = {view[0] * sx, view[1] * sy, view[2] * sx, view[3] * sy};
        std::copy(pic, pic + 4, m_job.picture);
    } else {
        const gis::Box& bx = c.box;
        const float pic[4] = {static_cast<float>(2 / bx.width()), static_cast<float>(2 / bx.height()),
                              static_cast<float>(-1 - 2 * bx.min_x / bx.width()), static_cast<float>(-1 - 2 * bx.min_y / bx.height())};
        std::copy(pic, pic + 4, m_job.picture);
    }
    m_job.width = w;
    m_job.height = h;
    m_device.bind_target(c.target);
    m_device.viewport(cw, ch);
    m_device.clear(m_background);
    m_device.bind_target({});
    m_device.viewport(w, h);
}

// The next slice of the picture under way (all of it when `to_the_end`, the budget is 0 or there is
// nothing else to show); when it is complete it becomes the picture shown.
void MapRenderer::advance_picture(bool to_the_end) {
    Picture& c = m_back;
    const int w = m_camera.width(), h = m_camera.height();
    const float* picture = m_job.picture;
    const bool all = to_the_end || m_budget.units() == 0 || !fits(m_front);
    // however slow the frames, a picture is complete within k_max_picture_frames
    const std::uint64_t budget = std::max(m_budget.units(), (m_job.total + k_max_picture_frames - 1) / k_max_picture_frames);
    m_device.bind_target(c.target);
    m_device.viewport(c.target.width, c.target.height);
    std::uint64_t spent = std::exchange(m_job.start, 0);
    while (m_job.next < m_job.items.size() && (all || spent < budget)) {
        MapItem& item = m_job.items[m_job.next];
        if (!all && item.cost() > budget - spent) {
            // this frame's share of a long range (or of the raster's rows); the rest stays for the next frames
            const std::uint64_t left = budget - spent;
            const std::uint32_t take = item.kind == Kind::Border ? static_cast<std::uint32_t>(std::max<std::uint64_t>(1, left / 3))
                                       : item.kind == Kind::Fill ? static_cast<std::uint32_t>(std::max<std::uint64_t>(1, left) * 3)
                                                                 : static_cast<std::uint32_t>(std::max<std::uint64_t>(1, left));
            if (take < item.count) {
                MapItem part = item;
                part.count = take;
                draw_item(part, picture, c.target.width, c.target.height, -1, -1);
                spent += part.cost();
                item.first += take;
                item.count -= take;
                break;
            }
        }
        draw_item(item, picture, c.target.width, c.target.height, -1, -1);
        spent += item.cost();
        ++m_job.next;
        if (!all && spent >= budget) break;
    }
    m_device.bind_target({});
    m_device.viewport(w, h);
    m_spent_last_frame += spent;
    if (m_job.next < m_job.items.size()) return;
    m_job.active = false;
    c.valid = true;
    if (!c.stood_in.empty()) ++m_stand_in_pictures;
    std::swap(m_front, m_back);
    ++m_cache_redraws;
}

void MapRenderer::draw_picture(const Picture& p, const float view[4]) {
    if (!p.valid) return;
    const Uniform uniforms[] = {u4("u_view", view), ui("u_frame", 0)};
    DrawCall call;
    call.program = m_frame_program;
    call.vertex_array = p.va;
    call.textures[0] = p.target.texture;
    call.primitive = Primitive::TriangleStrip;
    call.count = 4;
    call.blend = false;
    call.uniforms = uniforms;
    m_device.draw(call);
}

// The selected region highlighted and the hovered one lightened over the picture (pictures are drawn
// without either, so a click or a pointer move never redraws one): each region's triangles in the
// chunks its bounds touch, the others discarded, blended as a full frame mixes them.
void MapRenderer::draw_marks(const float view[4]) {
    const gis::SceneLayer& l = layer();
    const std::size_t li = layer_index(m_level);
    const std::size_t k = stand_in(li, static_cast<std::size_t>(lod_index(l)), Part::Fills);
    for (const int id : {m_selected, m_hover == m_selected ? -1 : m_hover}) {
        if (id < 0 || static_cast<std::size_t>(id) >= l.features.size()) continue;
        const gis::Box& fb = l.features[static_cast<std::size_t>(id)].bounds;
        const gis::Box local{fb.min_x - m_scene.origin.x, fb.min_y - m_scene.origin.y, fb.max_x - m_scene.origin.x, fb.max_y - m_scene.origin.y};
        for (auto [first, count] : visible_ranges(m_scene.lod(li, k).fill_chunks, local))
            draw_fill_range(li, k, first, count, view, m_hover, m_selected, id);
    }
}

// The raster the drawn level wants for this window: scaled from the zoom that fits the whole scene, as
// fine as the largest texture allows, from the LOD that scale draws; none where the level is light
// enough to draw as triangles at every zoom, or has more features than two bytes number.
std::optional<MapRenderer::RasterSpec> MapRenderer::raster_spec() const {
    if (!m_raster_on) return std::nullopt;
    const std::size_t li = layer_index(m_level);
    const gis::SceneLayer& l = m_scene.layers[li];
    if (l.features.empty() || l.features.size() > k_raster_max_features) return std::nullopt;
    const double bw = m_bounds.width() * m_camera.x_scale(), bh = m_bounds.height();
    if (!(bw > 0 && bh > 0)) return std::nullopt;
    const double fit = std::min(m_camera.width() / bw, m_camera.height() / bh);
    const double side = std::min(m_device.max_texture_size(), k_raster_max_size);
    RasterSpec s;
    s.layer = li;
    s.scale = std::min(k_raster_reach * k_raster_oversample * fit, side / std::max(bw, bh));
    s.width = std::clamp(static_cast<int>(std::ceil(bw * s.scale)), 1, static_cast<int>(side));
    s.height = std::clamp(static_cast<int>(std::ceil(bh * s.scale)), 1, static_cast<int>(side));
    s.lod = static_cast<std::size_t>(lod_index_at(l, s.scale));
    // the whole scene in view is where the most triangles are: if even that is light, never worth it
    if (m_scene.lod(li, static_cast<std::size_t>(lod_index_at(l, fit))).indices.size() / 3 < m_raster_min_triangles) return std::nullopt;
    return s;
}

// The raster there is does for `want`: same level, and a scale within a quarter of it (a window
// resized a little keeps its raster).
bool MapRenderer::raster_serves(const RasterSpec& want) const {
    const Raster& r = m_raster;
    return r.target && r.spec.layer == want.layer && r.spec.scale >= 0.8 * want.scale && r.spec.scale <= 1.25 * want.scale;
}

// Fills from a raster of `scale` at `ppd`, in place of `triangles`: fine enough there, and worth it.
bool MapRenderer::raster_suits(double scale, double ppd, std::uint64_t triangles) const {
    return scale * (1 + 1e-9) >= k_raster_oversample * ppd && triangles >= m_raster_min_triangles;
}

// The current view would draw its fills from the raster `want`: a raster is begun only then, so a
// screen that stays zoomed in (a kiosk at its village) never spends the memory or the time.
bool MapRenderer::view_wants_raster(const RasterSpec& want) const {
    const double ppd = m_camera.pixels_per_degree();
    const std::size_t k = nearest_loaded(want.layer, static_cast<std::size_t>(lod_index_at(m_scene.layers[want.layer], ppd)));
    std::uint64_t triangles = 0;
    for (auto [first, count] : visible_ranges(m_scene.lod(want.layer, k).fill_chunks, m_camera.visible())) triangles += count / 3;
    return raster_suits(want.scale, ppd, triangles);
}

bool MapRenderer::raster_pending() const {
    const auto want = raster_spec();
    if (!want) return false;
    if (raster_serves(*want)) return !m_raster.complete;
    return view_wants_raster(*want);
}

bool MapRenderer::raster_ready() const {
    const auto want = raster_spec();
    return want && raster_serves(*want) && m_raster.complete;
}

// Begin the raster the drawn level wants, or draw its next slice: with the frame cache on, a frame's
// budget when the view rests and no picture is under way (at least an eighth of it, so it is complete
// within 8 such frames); without, all of it.
void MapRenderer::advance_raster() {
    const auto want = raster_spec();
    if (!want) return;
    Raster& r = m_raster;
    if (!raster_serves(*want)) {
        if (!view_wants_raster(*want)) return;
        r.spec = *want;
        r.target = m_device.create_target(want->width, want->height, r.target, TextureFormat::Rg8);
        set_quad(r.quad, r.va, m_bounds);
        r.next = 0;
        r.total = static_cast<std::uint32_t>(m_scene.lod(r.spec.layer, r.spec.lod).indices.size());
        r.complete = false;
        m_device.bind_target(r.target);
        m_device.viewport(r.target.width, r.target.height);
        m_device.clear(Rgba{0, 0, 0, 0});
        m_device.bind_target({});
        m_device.viewport(m_camera.width(), m_camera.height());
        // a picture planned with the old raster would draw this unfinished one
        if (std::any_of(m_job.items.begin(), m_job.items.end(), [](const MapItem& i) { return i.kind == Kind::Raster; }))
            m_job.active = false;
    }
    // with the frame cache, only in frames with nothing else to do: the view at rest, no picture under way
    if (r.complete || (m_cache_on && (m_job.active || m_camera.moving()))) return;
    std::uint32_t take = r.total - r.next;
    if (m_cache_on && m_budget.units() > 0) {
        // a triangle of the raster costs what one of the fills does
        const std::uint64_t triangles = std::max<std::uint64_t>(m_budget.units() / 2, (r.total / 3 + k_max_picture_frames - 1) / k_max_picture_frames);
        take = static_cast<std::uint32_t>(std::min<std::uint64_t>(take, triangles * 3));
    }
    // the scene's bounds onto the whole target
    const double w = m_bounds.width(), h = m_bounds.height();
    const float view[4] = {static_cast<float>(2 / w), static_cast<float>(2 / h), static_cast<float>(-1 - 2 * m_bounds.min_x / w),
                           static_cast<float>(-1 - 2 * m_bounds.min_y / h)};
    LodGpu& g = lod_gpu(r.spec.layer, r.spec.lod, Part::Fills);
    const Uniform uniforms[] = {u4("u_view", view)};
    DrawCall call;
    call.program = m_ids_program;
    call.vertex_array = g.fill_va;
    call.indexed = true;
    call.first = r.next;
    call.count = take;
    call.blend = false;
    call.uniforms = uniforms;
    m_device.bind_target(r.target);
    m_device.viewport(r.target.width, r.target.height);
    m_device.draw(call);
    m_device.bind_target({});
    m_device.viewport(m_camera.width(), m_camera.height());
    r.next += take;
    if (m_cache_on) m_spent_last_frame += std::max<std::uint32_t>(1, take / 3 * 2);
    if (r.next >= r.total) {
        r.complete = true;
        ++m_raster_builds;
    }
}

}  // namespace onemap::render
