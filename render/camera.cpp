#include "camera.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::render {

void Camera::set_limits(const gis::Box& bounds, double origin_lat) {
    m_bounds = bounds;
    m_kx = std::cos(origin_lat * 3.14159265358979 / 180.0);
}

void Camera::set_viewport(int width, int height) {
    m_width = std::max(1, width);
    m_height = std::max(1, height);
    clamp();
}

void Camera::pan(double dx_px, double dy_px) {
    m_flight_t = 1.0;
    m_idle = 0;
    m_center.x -= dx_px / m_scale;
    m_center.y += dy_px / m_scale;
    clamp();
}

void Camera::zoom_about(double factor, gis::Point screen_px) {
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
    const double w = std::max(1e-9, box.width() * m_kx), h = std::max(1e-9, box.height());
    m_scale = std::min((m_width - 2 * padding_px) / w, (m_height - 2 * padding_px) / h);
    m_center = {(box.min_x + box.max_x) / 2 * m_kx, (box.min_y + box.max_y) / 2};
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
    m_center.x = std::clamp(m_center.x, m_bounds.min_x * m_kx, m_bounds.max_x * m_kx);
    m_center.y = std::clamp(m_center.y, m_bounds.min_y, m_bounds.max_y);
}

}  // namespace onemap::render
