#pragma once
// The map camera: what part of the scene the viewport shows, and smooth flights between views.
//
//   scene coordinates: lon/lat minus the scene origin (degrees)
//   map units:         x · cos(origin latitude), y — so a degree of longitude looks its true width
//   screen pixels:     origin top-left, y down;  screen = (map − centre) · scale + viewport / 2
//
// Frame API (tangram style): input calls pan/zoom_about/fly_to; each frame `update(dt)` advances an
// animation and returns whether the view is still changing; the renderer reads the current view.
//
// Insets: the strips along the viewport's edges that other things cover (a side panel, a bar of
// tiles). The map is still drawn under them, but fit and fly_to centre a box in what is left, and
// the limits keep the middle of what is left over the province. A view fitted to a box stays fitted
// to it (until the next pan or zoom) when the viewport or the insets change: it is fitted again, or
// an unfinished flight is steered to the new fit.
#include "gis/geometry.hpp"

#include <optional>
#include <vector>

namespace onemap::render {

struct Insets {
    double left = 0, top = 0, right = 0, bottom = 0;  // pixels
    bool operator==(const Insets&) const = default;
};

// The strips of a width×height viewport the insets cover (screen pixels, y down), e.g. for labels
// to keep clear of; none for an inset of 0.
std::vector<gis::Box> inset_strips(const Insets& insets, int width, int height);

class Camera {
public:
    // `bounds`: the scene's extent (scene coordinates); `origin_lat`: latitude of the scene origin.
    void set_limits(const gis::Box& bounds, double origin_lat);
    void set_viewport(int width, int height);
    void set_insets(const Insets& insets);

    void pan(double dx_px, double dy_px);                   // drag by pixels
    void zoom_about(double factor, gis::Point screen_px);   // > 1 zooms in; the point stays put
    void fit(const gis::Box& box, double padding_px = 24);  // jump
    void fly_to(const gis::Box& box, double seconds = 0.8, double padding_px = 24);  // animate
    bool update(double dt);                                 // true while still moving
    // Moving: a flight is under way, or the last pan/zoom was less than k_settle_seconds ago.
    bool moving() const { return m_flight_t < 1.0 || m_idle < k_settle_seconds; }
    void settle() { m_idle = k_settle_seconds; }            // treat the current view as at rest
    static constexpr double k_settle_seconds = 0.15;

    gis::Point to_screen(gis::Point scene) const;
    gis::Point to_scene(gis::Point screen_px) const;
    gis::Box visible() const;                 // scene coordinates
    double pixels_per_degree() const { return m_scale; }  // along latitude
    double x_scale() const { return m_kx; }                // map units per degree of longitude: cos(origin latitude)
    int width() const { return m_width; }
    int height() const { return m_height; }
    // clip = position · (sx, sy) + (ox, oy): the vertex shader's view transform
    void clip_transform(float out[4]) const;

private:
    struct Fit {
        gis::Box box;
        double padding_px = 0;
    };
    void clamp();
    void place(const Fit& fit);  // centre and scale that show fit.box in the free part of the viewport
    void refit();                // after the viewport or the insets changed
    gis::Box free_px() const;  // the viewport less the insets, in pixels (y down)
    gis::Box m_bounds;
    Insets m_insets;
    std::optional<Fit> m_fit;  // the box last fitted or flown to, until a pan or zoom
    double m_kx = 1;
    int m_width = 1, m_height = 1;
    gis::Point m_center;   // map units
    double m_scale = 1;    // pixels per map unit
    // flight
    gis::Point m_from_center, m_to_center;
    double m_from_scale = 1, m_to_scale = 1;
    double m_flight_t = 1.0, m_flight_seconds = 0;
    double m_idle = k_settle_seconds;  // seconds since the last pan/zoom
};

}  // namespace onemap::render
