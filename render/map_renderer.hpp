#pragma once
// The map renderer: draws a gis::Scene through a Device, in parts of one kind each:
//
//   fills + borders  per layer & LOD (uploaded on first use): fill VBO {xy, feature} + IBO, border
//                    instance VBO {a, b}; per layer a colour texture (1024 features a row, RGBA8;
//                    alpha: 1 data, ½ faded, 0 no data); the frame cache and the feature raster
//   points           render/point_part.hpp: symbols and clusters, grouped when the view rests
//   labels           render/label_part.hpp: names placed when the view rests, for one level
//   overlay          legend, marks (the caller's quads) and the parts' text
//
// Each frame: parts that need an upload get it (points, then labels, which keep clear of the
// symbols) while the view rests → fills (visible chunks, ranges merged) → borders of this level and
// every level above, finer first, wider and darker as the level rises → points → overlay.
// A level change resets what was derived from the old layer's feature indices: placed names, hover,
// selection (pictures carry their level); a new size makes the names be placed again.
//
// Changing indicator, year or classification calls set_feature_colors: a texture rewrite of
// 4 bytes per feature, no geometry. Hover and selection are uniforms.
#include "gis/scene.hpp"
#include "render/camera.hpp"
#include "render/classify.hpp"
#include "render/device.hpp"
#include "render/frame_budget.hpp"
#include "render/label_part.hpp"
#include "render/point_part.hpp"
#include "render/text.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onemap::gis {
class LodPrefetch;
}

namespace onemap::render {

class MapRenderer {
public:
    // `scene` must outlive the renderer. `atlas` may be null (no text: labels, legend, counts off).
    MapRenderer(Device& device, const gis::Scene& scene, GlyphAtlas* atlas);
    ~MapRenderer();

    Camera& camera() { return m_camera; }
    void set_viewport(int width, int height);
    void set_level(int level);                          // must be a layer of the scene
    int level() const { return m_level; }
    const gis::SceneLayer& layer() const;
    // The drawn level's feature under a scene point (lon/lat minus origin) on the LOD on screen; -1 if none.
    int pick(gis::Point local) const;
    void set_feature_colors(std::span<const Rgba> colors);  // one per feature of the current level
    // Indices of the drawn level's features (-1 none; anything else out of range is taken as none).
    // A level change clears both.
    void set_hover(int feature);
    void set_selection(int feature);
    int hover() const { return m_hover; }
    int selection() const { return m_selected; }
    void set_points(std::vector<MapPoint> points, bool cluster);
    void set_labels(bool on, LabelStyle style = {}) { m_labels.set(on, style); }
    // Extra screen-space quads drawn last (legend, marks), built by the caller with add_text/add_rect.
    void set_overlay(std::vector<OverlayVertex> quads) { m_overlay = std::move(quads); }
    void set_background(Rgba c) { m_background = c; }
    // Screen rectangles (x0, y0, x1, y1 in pixels) labels must keep clear of, e.g. the legend.
    void set_label_exclusions(std::vector<gis::Box> rects) { m_labels.set_exclusions(std::move(rects)); }

    // Camera animation; when the view settles, labels and clusters are redone. True while the view is
    // still changing or a frame-cache picture is still being drawn (keep calling render()).
    bool update(double dt);
    void render();           // one frame; counters in device.counters()

    // The frame cache, for interactive screens (off by default, so headless pictures are drawn in full).
    // Fills and borders are drawn into a picture 1.5× the screen's size around the view, and that
    // picture is shown moved and scaled — one quad a frame — with the selected region highlighted and
    // the hovered one lightened on top and points and labels live above. A new picture is drawn a
    // slice a frame (at most the frame budget, see set_frame_budget) while the old one stays on
    // screen: begun when the view nears the old one's edges or zoom limits (×1.4 in, ×1/1.25 out),
    // when colours or level change, or when the view comes to rest where the old one does not match
    // it pixel for pixel; shown when complete. Only with no picture for this window size, or a view
    // jumped far from it, is a picture drawn in one go. One begun while zooming leads the zoom: zooming
    // in, 1.25× finer around 1.2× the view; zooming out, 1.4× coarser around 2.1× the view.
    void set_frame_cache(bool on);
    bool frame_cache() const { return m_cache_on; }
    // Cost units a frame may spend on a picture in progress (a fill triangle 2, a border segment 3,
    // about 0.2 µs each on llvmpipe), but at least an eighth of the picture, so one is complete within
    // 8 frames; 0 draws every picture in one go.
    void set_frame_budget(std::uint64_t units) { m_budget.set(units); }
    std::uint64_t frame_budget() const { return m_budget.units(); }
    // Let the budget follow the time between render() calls towards `ms` a frame (0: fixed budget;
    // render/frame_budget.hpp).
    void set_frame_time_target(double ms) { m_budget.set_target(ms); }
    bool picture_pending() const { return m_job.active; }         // update() stays true meanwhile
    // The picture shown, if any: the pixels per degree it was drawn at, the scene area it covers.
    struct PictureShown {
        double scale = 0;
        gis::Box box;
        bool stand_ins = false;  // drawn with LODs standing in for ones not ready (set_lod_prefetch)
    };
    std::optional<PictureShown> picture_shown() const;
    std::uint64_t cache_redraws() const { return m_cache_redraws; }  // pictures completed so far

    // The feature raster, for interactive screens (off by default). Where the drawn level has at least
    // `min_triangles` fill triangles in view, and the view is zoomed out far enough that a texel of the
    // raster is at most 1/1.5 of a pixel, the fills are one quad: a texture of feature indices over the
    // whole level, drawn once per level and window size (when a view first wants it), looked up per
    // pixel and coloured like a triangle. Colours, hover and selection still change nothing in it. While it is being drawn (with
    // the frame cache on, a slice a frame while the view rests; else in one go) fills are triangles;
    // update() stays true.
    // Levels of more than 65,535 features are always drawn as triangles.
    void set_feature_raster(bool on, std::uint64_t min_triangles = 40000) {
        m_raster_on = on;
        m_raster_min_triangles = min_triangles;
    }
    bool raster_pending() const;                                   // being drawn for the drawn level
    bool raster_ready() const;                                     // complete for the drawn level
    std::uint64_t raster_builds() const { return m_raster_builds; } // rasters completed so far

    // GPU memory for the levels' geometry (0: no limit). Over it, after a frame, the LODs drawn least
    // recently — and not in the last 60 frames — are given back, oldest first; a LOD given back is
    // uploaded again when next drawn.
    void set_gpu_budget(std::uint64_t bytes) { m_gpu_budget = bytes; }
    std::uint64_t gpu_bytes() const { return m_gpu_bytes; }      // geometry uploaded now
    std::uint64_t lods_evicted() const { return m_lods_evicted; }
    // For a frame with time to spare (the view at rest): wants one piece of geometry that a zoom by
    // ×2 in or out about the view's centre would draw and that is not on the GPU yet, within the GPU
    // budget; the frames that follow read it (set_lod_prefetch) and upload it a slice a frame. True
    // while that is under way; false when there is nothing left to fetch: then a zoom step never waits
    // on an upload (the province's finest village fills: 40 MB, 0.2 s and more in one frame on llvmpipe).
    bool upload_ahead();
    // Where LODs not in memory are read while the frame cache is on (may be null; must outlive the
    // renderer or be reset first): a picture wanting one draws with the nearest LOD at hand meanwhile,
    // and is drawn again when it has arrived and is on the GPU, so no frame waits for the disk. Without
    // one, such a LOD is read in a frame at rest.
    void set_lod_prefetch(gis::LodPrefetch* prefetch) { m_prefetch = prefetch; }
    // LOD parts wanted (for a picture, or ahead) and not on the GPU yet; update() is true meanwhile.
    std::size_t lods_wanted() const { return m_wanted.size(); }
    std::uint64_t pictures_with_stand_ins() const { return m_stand_in_pictures; }  // completed so far

    int lod_index(const gis::SceneLayer& layer) const;  // the LOD the current zoom draws
    // The (layer index, LOD) pairs a full frame of `level` at `pixels_per_degree` draws from (the fills
    // of the level, the borders of it and of the levels above drawn at that zoom), without GL: a caller
    // may read them (gis::Scene::lod) ahead, e.g. on another thread before the renderer exists.
    static std::vector<std::pair<std::size_t, std::size_t>> lods_drawn(const gis::Scene& scene, int level, double pixels_per_degree);
    std::size_t placed_labels() const { return m_labels.placed(); }
    int labels_level() const { return m_labels.level(); }  // the level the names shown were placed on (-1: none placed)
    double label_placement_ms() const { return m_labels.placement_ms(); }  // the last placement (candidates, collisions, glyphs)
    std::size_t visible_clusters() const { return m_points.visible_clusters(); }

private:
    struct LodGpu;
    struct LayerGpu;
    enum class Part { Fills, Borders };
    struct PartGpu;
    struct Wanted {
        std::size_t layer = 0, lod = 0;
        Part part = Part::Fills;
        bool operator==(const Wanted&) const = default;
    };
    LodGpu& lod_gpu(std::size_t layer, std::size_t lod, Part part);
    bool upload_part(std::size_t layer, std::size_t lod, Part part, std::uint64_t& allowance);
    bool part_ready(std::size_t layer, std::size_t lod, Part part) const;
    void want(std::size_t layer, std::size_t lod, Part part);
    std::size_t stand_in(std::size_t layer, std::size_t lod, Part part);
    std::size_t nearest_loaded(std::size_t layer, std::size_t lod) const;
    std::size_t nearest_lod(std::size_t layer, std::size_t lod, const std::function<bool(std::size_t)>& ok) const;
    void pump_wanted();
    void evict_lods();
    std::size_t layer_index(int level) const;
    void upload_parts();  // points, then labels, while the view rests
    // One draw of the map: a range of fill triangles or border segments of one layer and LOD, or the
    // feature raster's quad (count: its cost, k_raster_px_per_unit pixels a unit; drawn whole or in
    // bands of rows).
    enum class Kind { Fill, Border, Raster };
    struct MapItem {
        Kind kind = Kind::Fill;
        std::size_t layer = 0, lod = 0;
        std::uint32_t first = 0, count = 0;
        int rank = 0;  // borders: levels above the drawn one
        // the raster: [first, first + count) of `whole` units, a band of the target's rows
        std::uint32_t whole = 0;
        std::uint64_t cost() const { return kind == Kind::Border ? 3ull * count : (kind == Kind::Fill ? count / 3 * 2 : count); }
    };
    struct RasterSpec {
        std::size_t layer = 0, lod = 0;
        int width = 0, height = 0;
        double scale = 0;  // texels per degree of latitude
    };
    std::optional<RasterSpec> raster_spec() const;  // the raster the drawn level and window want, if any
    bool raster_serves(const RasterSpec& want) const;
    bool raster_suits(double scale, double pixels_per_degree, std::uint64_t triangles) const;
    bool view_wants_raster(const RasterSpec& want) const;
    void advance_raster();
    struct Picture;
    // Which way the camera zoomed when a picture was begun: a picture drawn while zooming in is drawn
    // ahead (finer, around less than the view), zooming out behind (coarser, around more).
    enum class Lead { Still, In, Out };
    int lod_index_at(const gis::SceneLayer& layer, double pixels_per_degree) const;
    // The draws of a full frame of `visible` at that zoom. With `stood_in`, each LOD not ready is
    // wanted and a ready one drawn in its place (stand_in); the ones stood in for are added there.
    std::vector<MapItem> plan_map(const gis::Box& visible, double pixels_per_degree, std::vector<Wanted>* stood_in = nullptr);
    void draw_fill_range(std::size_t layer, std::size_t lod, std::uint32_t first, std::uint32_t count, const float view[4], int hover,
                         int selected, int only);
    void draw_item(const MapItem& item, const float view[4], int width, int height, int hover, int selected);
    void draw_map(const float view[4], const gis::Box& visible, int width, int height);
    void render_cached(const float view[4]);
    bool fits(const Picture& p) const;     // drawn for this window size
    bool current(const Picture& p) const;  // and of this level and these colours
    void set_quad(BufferHandle& quad, VertexArrayHandle& va, const gis::Box& box);
    void start_picture(Lead lead);
    void advance_picture(bool to_the_end);
    void draw_picture(const Picture& p, const float view[4]);
    void draw_marks(const float view[4]);
    void draw_overlay();

    Device& m_device;
    const gis::Scene& m_scene;
    GlyphAtlas* m_atlas;
    Camera m_camera;
    gis::Box m_bounds;  // the scene's extent, scene coordinates (lon/lat minus origin)
    int m_level = 0;
    int m_hover = -1, m_selected = -1;
    Rgba m_background{246, 246, 242, 255};
    std::vector<std::unique_ptr<LayerGpu>> m_layers;
    ProgramHandle m_fill_program, m_line_program, m_overlay_program;
    TextureHandle m_atlas_texture;
    PointPart m_points;
    LabelPart m_labels;
    std::vector<OverlayVertex> m_overlay, m_frame_overlay;
    BufferHandle m_overlay_buffer;
    VertexArrayHandle m_overlay_va;
    bool m_was_moving = false;
    // frame cache
    struct Picture {
        TargetHandle target;
        BufferHandle quad;
        VertexArrayHandle va;
        bool valid = false;
        int level = 0, width = 0, height = 0;
        std::uint64_t colors = 0;
        double scale = 0;  // pixels per degree it was drawn at
        gis::Box box;      // scene area it covers
        double margin_x = 0, margin_y = 0;  // around the view it was begun for (degrees)
        double refresh_in = 0, refresh_out = 0;  // zooms (pixels per degree / scale) past which a new one is begun
        std::vector<Wanted> stood_in;  // LOD parts drawn with stand-ins: once one is ready, it is drawn again
    };
    struct PictureJob {
        bool active = false;
        std::vector<MapItem> items;
        std::size_t next = 0;
        std::uint64_t total = 0;  // cost of all its items
        std::uint64_t start = 0;  // and of clearing and filling its target, in its first frame
        float view[4] = {};     // the camera's transform when it was begun
        float picture[4] = {};  // the picture's own: its box onto its target
        int width = 0, height = 0;
    };
    bool m_cache_on = false;
    Picture m_front, m_back;  // shown; being drawn
    PictureJob m_job;
    FrameBudget m_budget;
    std::uint64_t m_spent_last_frame = 0;  // cost units the last frame drew of a picture or the raster
    double m_last_ppd = 0;  // the zoom the last frame showed
    std::chrono::steady_clock::time_point m_last_render{};
    ProgramHandle m_frame_program;
    // feature raster (one, for the drawn level)
    struct Raster {
        RasterSpec spec;
        TargetHandle target;
        BufferHandle quad;
        VertexArrayHandle va;
        std::uint32_t next = 0, total = 0;  // fill indices drawn so far, of all
        bool complete = false;
    };
    bool m_raster_on = false;
    std::uint64_t m_raster_min_triangles = 40000;
    Raster m_raster;
    ProgramHandle m_ids_program, m_raster_program;
    std::uint64_t m_raster_builds = 0;
    // GPU geometry budget
    std::uint64_t m_frame = 0, m_gpu_budget = 0, m_gpu_bytes = 0, m_lods_evicted = 0;
    std::vector<Wanted> m_wanted;  // parts to read and upload, first first (pump_wanted)
    std::uint64_t m_stand_in_pictures = 0;
    std::uint64_t m_upload_left = 0;  // bytes this frame may still upload of LODs wanted (pump_wanted)
    gis::LodPrefetch* m_prefetch = nullptr;
    std::uint64_t m_colors_version = 0, m_cache_redraws = 0;
};

}  // namespace onemap::render
