#pragma once
// What the map shows, without GL: the drawn level, focus, spotlight, selection and hover, the
// features' colours and classes of one indicator (or a rule's statuses), the point symbols, the
// label settings, and the camera moves asked for. The screens (kiosk/session/) change it; a
// MapView (kiosk/gui/map_view.hpp) draws it on a window or offscreen, reading it at sync():
//
//   Session::apply ──▶ MapModel (codes, colours, versions, view requests) ──sync()──▶ MapView ──▶ MapRenderer
//
// Codes are looked up in an index built once from the scene (no scan per click). Every vector of
// per-feature data is for the drawn level and is replaced when the level changes.
#include "data/bundle/features.hpp"
#include "data/bundle/region_index.hpp"
#include "data/policy/catalogue.hpp"
#include "gis/scene.hpp"
#include "render/classify.hpp"
#include "render/legend.hpp"
#include "render/map_renderer.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace onemap::app {

class Strings;

// Project and site symbols (shape by category, size by investment or persons, colour by the
// project's "four batches" status); used by the screens and by `onemap render`.
// The projects' symbol colour by batch (巩固提升 …), for the map and its legend.
const std::vector<std::pair<std::string, render::Rgba>>& project_batch_colors();
std::vector<render::MapPoint> map_points(const std::vector<data::Project>& projects, const std::vector<data::Site>& sites);

// A camera move the map should make; MapView carries them out in order.
struct ViewRequest {
    enum class Kind { Fit, Zoom } kind = Kind::Fit;
    gis::Box box;          // Fit: scene coordinates (lon/lat minus the scene's origin)
    double margin_px = 48;
    double seconds = 0;    // 0: at once
    double factor = 1;     // Zoom: about the centre of what the panels leave
};

// The colours of one indicator at one level: `inside` features are classified, the others (and
// those outside `lit`) faded. The one place both the screens and `onemap render` colour a map.
struct FeatureColors {
    std::vector<render::Rgba> colors;
    std::vector<double> values;      // k_missing where none
    render::Classification classification;
    std::vector<int> counts;         // features inside per class, then "no data"
};
FeatureColors color_features(const std::vector<gis::SceneFeature>& features, const std::map<std::string, double, std::less<>>& values,
                             const std::vector<char>& inside, const std::vector<char>& lit, int classes, render::ClassMethod method,
                             bool diverging, const std::vector<double>& breaks = {});

// A legend: its title and rows (render/legend.hpp draws it into a picture; the desk lists it).
struct MapLegend {
    std::string title;
    std::vector<render::LegendRow> rows;
};
// The legend drawn into a picture of the map — `onemap render` and the desk's PNG export draw the
// same one: "name（unit）period", each class's range with as many decimals as the span needs, then
// `no_data`. `language` picks the metric's name (zh-CN or en).
MapLegend picture_legend(const render::Classification& classification, const data::Metric& metric, const std::string& period,
                         std::string_view language, const std::string& no_data);

// Per feature of `level`: 1 where the feature is one of `regions` or lies in one of them (found
// level by level from the top, each feature looked up once by its parent's code); all 1 when
// `regions` is empty.
std::vector<char> features_within(const gis::Scene& scene, int level, const std::vector<std::string>& regions);

class MapModel {
public:
    // `scene` must outlive the model. Throws std::invalid_argument when it has no layers.
    explicit MapModel(const gis::Scene& scene);

    const gis::Scene& scene() const { return m_scene; }
    bool has_level(int level) const { return m_scene.layer(level) != nullptr; }
    int finest_level() const;
    int coarsest_level() const;
    int level() const { return m_level; }
    void set_level(int level);  // throws std::invalid_argument when the scene has no such layer
    const gis::SceneLayer& layer() const { return *m_scene.layer(m_level); }

    // The feature of `code` on any level, or null; its index on the drawn level, or -1.
    const gis::SceneFeature* find(std::string_view code) const;
    int index_on_level(std::string_view code) const;
    bool drawn(std::string_view code) const { return find(code) != nullptr; }
    // A region's box where the map draws it, else around its drawn descendants (a city: its counties).
    gis::Box region_bounds(std::string_view code, const data::RegionIndex& regions) const;  // lon/lat; empty: not drawn
    std::vector<std::string> drawn_codes() const;  // the drawn level's features

    // Features outside the focus fade and are not classified; "" for none.
    void set_focus(const std::string& code) { m_focus = code; }
    const std::string& focus() const { return m_focus; }
    // Features outside it fade too, but the classes stay those of the focus (the wall's tour shows one
    // city at a time in the province's colours); "" for none. Takes effect at recolor().
    void set_spotlight(const std::string& code) { m_spotlight = code; }
    const std::string& spotlight() const { return m_spotlight; }
    void set_selected(const std::string& code) { m_selected = code; }
    const std::string& selected() const { return m_selected; }
    void set_hover(const std::string& code) { m_hover = code; }
    const std::string& hover() const { return m_hover; }

    void recolor(const data::Indicators& indicators, const std::string& metric, const std::string& period, int classes,
                 render::ClassMethod method);
    // The rule-status layer: pass / fail / not applicable / no data in four distinct colours.
    void color_by_status(const std::map<std::string, int>& status_by_code);  // 0 pass 1 fail 2 n.a. 3 no data
    static render::Rgba status_color(int status);
    const std::vector<render::Rgba>& colors() const { return m_colors; }
    std::uint64_t colors_version() const { return m_colors_version; }
    int colors_level() const { return m_colors_level; }  // the level the colours are for
    const render::Classification& classification() const { return m_class; }
    const std::vector<int>& class_counts() const { return m_counts; }  // per class, then "no data"
    double value_of(const std::string& code) const;                    // NaN when none

    // Symbols (set by whoever reads the projects and sites).
    void set_points(std::vector<render::MapPoint> points);
    const std::vector<render::MapPoint>& points() const { return m_points; }
    std::uint64_t points_version() const { return m_points_version; }

    void set_labels(bool on, int px);
    bool labels() const { return m_labels; }
    int label_px() const { return m_label_px; }
    std::uint64_t labels_version() const { return m_labels_version; }

    // Drawn into exported pictures (MapView::snapshot), e.g. 演示数据.
    void set_mark(std::string text) { m_mark = std::move(text); }
    const std::string& mark() const { return m_mark; }

    // Camera moves: to a region (its drawn stand-ins; nothing when neither is drawn), to the whole
    // scene, a zoom step about the centre. MapView::sync takes them.
    void fly_to(const std::string& code, const data::RegionIndex& regions, double seconds = 0.8);
    void fit_all(double seconds = 0.0);
    void zoom(double factor);
    std::vector<ViewRequest> take_view_requests() { return std::exchange(m_requests, {}); }
    const std::vector<ViewRequest>& view_requests() const { return m_requests; }

private:
    void set_colors(std::vector<render::Rgba> colors);
    const gis::Scene& m_scene;
    struct Where {
        int level = 0;
        std::uint32_t index = 0;
    };
    struct CodeHash {  // looked up by string_view, without a std::string per lookup
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, Where, CodeHash, std::equal_to<>> m_index;  // code → level and index, every level, built once
    int m_level = 0;
    std::string m_focus, m_spotlight, m_selected, m_hover, m_mark;
    std::vector<render::Rgba> m_colors;
    std::vector<double> m_values;
    std::uint64_t m_colors_version = 0;
    int m_colors_level = -1;
    render::Classification m_class;
    std::vector<int> m_counts;
    std::vector<render::MapPoint> m_points;
    std::uint64_t m_points_version = 0;
    bool m_labels = false;
    int m_label_px = 14;
    std::uint64_t m_labels_version = 0;
    std::vector<ViewRequest> m_requests;
};

}  // namespace onemap::app
