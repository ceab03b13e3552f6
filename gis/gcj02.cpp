#include "gcj02.hpp"

#include <cmath>
#include <numbers>

namespace onemap::gis {

namespace {
constexpr double k_a = 6378245.0;                 // Krasovsky 1940 semi-major axis, as in the formula
constexpr double k_ee = 0.00669342162296594323;   // its first eccentricity squared
constexpr double k_pi = std::numbers::pi;

double shift_lat(double x, double y) {
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * k_pi) + 20.0 * std::sin(2.0 * x * k_pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(y * k_pi) + 40.0 * std::sin(y / 3.0 * k_pi)) * 2.0 / 3.0;
    r += (160.0 * std::sin(y / 12.0 * k_pi) + 320.0 * std::sin(y * k_pi / 30.0)) * 2.0 / 3.0;
    return r;
}

double shift_lon(double x, double y) {
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * k_pi) + 20.0 * std::sin(2.0 * x * k_pi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(x * k_pi) + 40.0 * std::sin(x / 3.0 * k_pi)) * 2.0 / 3.0;
    r += (150.0 * std::sin(x / 12.0 * k_pi) + 300.0 * std::sin(x / 30.0 * k_pi)) * 2.0 / 3.0;
    return r;
}
}  // namespace

bool in_china_rough(Point p) { return p.x >= 72.004 && p.x <= 137.8347 && p.y >= 0.8293 && p.y <= 55.8271; }

Point wgs84_to_gcj02(Point p) {
    if (!in_china_rough(p)) return p;
    double dlat = shift_lat(p.x - 105.0, p.y - 35.0);
    double dlon = shift_lon(p.x - 105.0, p.y - 35.0);
    const double radlat = p.y / 180.0 * k_pi;
    double magic = std::sin(radlat);
    magic = 1 - k_ee * magic * magic;
    const double sqrtmagic = std::sqrt(magic);
    dlat = (dlat * 180.0) / ((k_a * (1 - k_ee)) / (magic * sqrtmagic) * k_pi);
    dlon = (dlon * 180.0) / (k_a / sqrtmagic * std::cos(radlat) * k_pi);
    return {p.x + dlon, p.y + dlat};
}

Point gcj02_to_wgs84(Point g) {
    if (!in_china_rough(g)) return g;
    Point w = g;
    for (int i = 0; i < 10; ++i) {  // the shift is smooth and small: converges in 2–3 steps
        const Point f = wgs84_to_gcj02(w);
        const double ex = f.x - g.x, ey = f.y - g.y;
        w.x -= ex;
        w.y -= ey;
        if (std::abs(ex) < 1e-9 && std::abs(ey) < 1e-9) break;
    }
    return w;
}

}  // namespace onemap::gis
