#pragma once
// One map on a GL context: bundle → scene (cached) → renderer, indicator colours, points, legend
// and the 演示数据 mark. Used by `onemap render` (one PNG) and `onemap bench render` (many frames).
#include "gis/scene.hpp"
#include "data/policy/catalogue.hpp"
#include "data/scene/map_scene.hpp"
#include "render/classify.hpp"
#include "render/gl_device.hpp"
#include "render/map_renderer.hpp"
#include "render/offscreen.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace onemap::app {

// The bundle file's project and site symbols (kiosk/session/map_model.hpp: map_points).
std::vector<render::MapPoint> load_map_points(const std::filesystem::path& bundle, bool projects, bool sites);

struct MapRequest {
    std::filesystem::path bundle;
    std::string level = "county";
    std::string metric = "tp_income_pc";
    std::string period = "2024";
    std::string region;                // fit to this region, fade the rest
    std::string select;                // highlighted region code
    bool labels = false;
    std::vector<std::string> points;   // "projects", "sites"
    bool cluster = true;
    int classes = 7;
    std::string method = "quantile";
    std::vector<double> breaks;        // manual breaks
    int width = 1280, height = 800;
    double zoom = 1.0;                 // extra zoom about the view centre
    bool legend = true;
    bool use_cache = true;
};

struct MapTimings {
    double open_seconds = 0;      // Bundle::open (includes SQLite quick_check)
    double scene_seconds = 0;     // cache read or build
    bool scene_from_cache = false;
    double values_seconds = 0;    // indicator query + classification + colour upload
    double first_frame_seconds = 0;
};

// The feature colours of one indicator, year and classification at the drawn level (no GL).
struct MapColors {
    std::vector<render::Rgba> colors;  // one per feature of the drawn level
    render::Classification classification;
    const data::Metric* metric = nullptr;  // for the legend (picture_legend)
    std::string period;
    double seconds = 0;
};

// What a session reads from the bundle, made without GL, so that it may be made on another thread
// while the GL context starts: the bundle, the scene's head with the LODs the first frame draws, the
// first frame's camera, the points and the feature colours.
struct MapData {
    MapRequest request;
    std::unique_ptr<data::Bundle> bundle;  // opened once: Bundle::open checks the file (quick_check)
    data::SceneLoad scene;
    int level = 3;
    bool synthetic = false;
    render::Camera camera;                 // the first frame's view (the focus region, or the whole scene)
    std::vector<std::string> focus;        // --region's drawn stand-ins: itself, or its drawn descendants (a city: its counties)
    std::vector<render::MapPoint> points;
    MapColors colors;
    // the CJK font's glyph atlas (null where fontconfig finds none): opening the font and drawing the
    // first glyphs needs no GL, so it is done here, off the thread that makes the GL context
    std::unique_ptr<render::GlyphAtlas> atlas;
    MapTimings timings;
};

// Throws data::BundleError, std::invalid_argument (unknown level, metric, method, region or point
// layer) with a message for the person running the command.
std::unique_ptr<MapData> load_map_data(const MapRequest& request);

class MapSession {
public:
    // Needs a current GL context. Throws data::BundleError, render::GlError, std::invalid_argument
    // (unknown level/metric/method) with a message for the person running the command.
    explicit MapSession(const MapRequest& request);
    // The same with the data from `data` (what load_map_data(request) returns), called once the GL
    // objects that need none (device, offscreen target) are made: it may wait for another
    // thread that has been reading the bundle meanwhile.
    MapSession(const MapRequest& request, const std::function<std::unique_ptr<MapData>()>& data);
    ~MapSession();

    void recolor(const std::string& metric, const std::string& period, int classes, const std::string& method);
    render::Image render_image();          // one frame into the offscreen target, read back
    render::MapRenderer& renderer() { return *m_renderer; }
    render::GlDevice& device() { return *m_device; }
    const gis::Scene& scene() const { return m_data->scene.scene; }
    const MapTimings& timings() const { return m_timings; }
    const render::Classification& classification() const { return m_class; }
    int level() const { return m_level; }

private:
    void apply_colors(MapColors colors);
    void build_legend();
    MapRequest m_req;
    std::unique_ptr<MapData> m_data;  // the bundle and the scene
    int m_level = 3;
    std::unique_ptr<render::GlDevice> m_device;
    std::unique_ptr<render::GlyphAtlas> m_atlas;
    std::unique_ptr<render::MapRenderer> m_renderer;
    std::unique_ptr<render::OffscreenTarget> m_target;
    render::Classification m_class;
    const data::Metric* m_metric = nullptr;
    std::string m_period;
    MapTimings m_timings;
};

}  // namespace onemap::app
