#include "camera.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::render {

std::vector<gis::Box> inset_strips(const Insets& in, int width, int height) {
    const double w = width, h = height;
    std::vector<gis::Box> out;
    if (in.left > 0) out.push_back({0, 0, std::min(w, in.left), h});
    if (in.top > 0) out.push_back({0, 0, w, std::min(h, in.top)});
    if (in.right > 0) out.push_back({std::max(0.0, w - in.right), 0, w, h});
    if (in.bottom > 0) out.push_back({0, std::max(0.0, h - in.bottom), w, h});
    return out;
}

void Camera::set_limits(const gis::Box& bounds, double origin_lat) {
    m_bounds = bounds;
    m_kx = std::cos(origin_lat * 3.14159265358979 / 180.0);
}

void Camera::set_viewport(int width, int height) {
    width = std::max(1, width);
    height = std::max(1, height);
    if (width == m_width && height == m_height) return;
    m_width = width;
    m_height = height;
    refit();
}

void Camera::set_insets(const Insets& insets) {
    if (insets == m_insets) return;
    m_insets = insets;
    refit();
}

void Camera::refit() {
    if (!m_fit) {
        clamp();
        return;
    }
    if (m_flight_t >= 1.0) {
        place(*m_fit);
        return;
    }
    // steer the flight: same start, same progress, the new end
    const gis::Point c = m_center;
    const double s = m_scale;
    place(*m_fit);
    m_to_center = m_center;
    m_to_scale = m_scale;
    m_center = c;
    m_scale = s;
}

gis::Box Camera::free_px() const {
    // Insets that would leave less than a third of the viewport are ignored (a window made very small).
    const double l = std::max(0.0, m_insets.left), r = std::max(0.0, m_insets.right);
    const double t = std::max(0.0, m_insets.top), b = std::max(0.0, m_insets.bottom);
    const bool use_x = m_width - l - r >= m_width / 3.0, use_y = m_height - t - b >= m_height / 3.0;
    return {use_x ? l : 0.0, use_y ? t : 0.0, use_x ? m_width - r : m_width, use_y ? m_height - b : m_height};
}

void Camera::pan(double dx_px, double dy_px) {
    m_fit.reset();
    m_flight_t = 1.0;
    m_idle = 0;
    m_center.x -= dx_px / m_scale;
    m_center.y += dy_px / m_scale;
    clamp();
}

void Camera::zoom_about(double factor, gis::Point screen_px) {
    m_fit.reset();
    m_flight_t = 1.0;
    m_idle = 0;
    const gis::Point before = to_scene(screen_px);
    m_scale *= factor;
    clamp();
    const gis::Point after = to_scene(screen_px);
    m_center.x += (before.x - after.x) * m_kx;
    m_center.y += before.y - after.y;
    clamp();
}

void Camera::fit(const gis::Box& box, double padding_px) {
    m_flight_t = 1.0;
    m_fit = Fit{box, padding_px};
    place(*m_fit);
}

void Camera::place(const Fit& fit) {
    const gis::Box free_box = free_px();
    const gis::Point free{(free_box.min_x + free_box.max_x) / 2, (free_box.min_y + free_box.max_y) / 2};
    const double w = std::max(1e-9, fit.box.width() * m_kx), h = std::max(1e-9, fit.box.height());
    m_scale = std::max(1e-9, std::min((free_box.width() - 2 * fit.padding_px) / w, (free_box.height() - 2 * fit.padding_px) / h));
    // the box's middle at the middle of the free part
    m_center = {(fit.box.min_x + fit.box.max_x) / 2 * m_kx - (free.x - m_width / 2.0) / m_scale,
                (fit.box.min_y + fit.box.max_y) / 2 + (free.y - m_height / 2.0) / m_scale};
    clamp();
}

void Camera::fly_to(const gis::Box& box, double seconds, double padding_px) {
    const gis::Point c0 = m_center;
    const double s0 = m_scale;
    fit(box, padding_px);
    m_to_center = m_center;
    m_to_scale = m_scale;
    m_from_center = c0;
    m_from_scale = s0;
    m_center = c0;
    m_scale = s0;
    m_flight_seconds = std::max(1e-3, seconds);
    m_flight_t = 0.0;
}

bool Camera::update(double dt) {
    m_idle += dt;
    if (m_flight_t >= 1.0) return moving();
    m_flight_t = std::min(1.0, m_flight_t + dt / m_flight_seconds);
    const double t = m_flight_t * m_flight_t * (3 - 2 * m_flight_t);  // smoothstep
    // zoom interpolated in log space, centre weighted so the motion looks even on screen
    m_scale = std::exp(std::log(m_from_scale) + (std::log(m_to_scale) - std::log(m_from_scale)) * t);
    m_center = {m_from_center.x + (m_to_center.x - m_from_center.x) * t,
                m_from_center.y + (m_to_center.y - m_from_center.y) * t};
    return m_flight_t < 1.0;
}

gis::Point Camera::to_screen(gis::Point p) const {
    return {(p.x * m_kx - m_center.x) * m_scale + m_width / 2.0, m_height / 2.0 - (p.y - m_center.y) * m_scale};
}

gis::Point Camera::to_scene(gis::Point s) const {
    return {((s.x - m_width / 2.0) / m_scale + m_center.x) / m_kx, (m_height / 2.0 - s.y) / m_scale + m_center.y};
}

gis::Box Camera::visible() const {
    const gis::Point a = to_scene({0, static_cast<double>(m_height)});
    const gis::Point b = to_scene({static_cast<double>(m_width), 0});
    return gis::Box{a.x, a.y, b.x, b.y};
}

void Camera::clip_transform(float out[4]) const {
    out[0] = static_cast<float>(m_kx * m_scale * 2.0 / m_width);
    out[1] = static_cast<float>(m_scale * 2.0 / m_height);
    out[2] = static_cast<float>(-m_center.x * m_scale * 2.0 / m_width);
    out[3] = static_cast<float>(-m_center.y * m_scale * 2.0 / m_height);
}

void Camera::clamp() {
    if (m_bounds.empty()) return;
    const double w = std::max(1e-9, m_bounds.width() * m_kx), h = std::max(1e-9, m_bounds.height());
    const double fit_scale = std::min(m_width / w, m_height / h);
    m_scale = std::clamp(m_scale, fit_scale * 0.5, fit_scale * 4096);
    // the middle of the free part stays over the province
    const gis::Box free_box = free_px();
    const gis::Point free{(free_box.min_x + free_box.max_x) / 2, (free_box.min_y + free_box.max_y) / 2};
    const double dx = (free.x - m_width / 2.0) / m_scale, dy = -(free.y - m_height / 2.0) / m_scale;
    m_center.x = std::clamp(m_center.x + dx, m_bounds.min_x * m_kx, m_bounds.max_x * m_kx) - dx;
    m_center.y = std::clamp(m_center.y + dy, m_bounds.min_y, m_bounds.max_y) - dy;
}

}  // namespace onemap::render
