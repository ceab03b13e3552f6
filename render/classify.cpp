#include "classify.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::render {

Rgba lerp(Rgba a, Rgba b, double t) {
    auto mix = [t](std::uint8_t x, std::uint8_t y) {
        return static_cast<std::uint8_t>(std::lround(x + (static_cast<double>(y) - x) * t));
    };
    return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), mix(a.a, b.a)};
}

std::optional<ClassMethod> parse_class_method(std::string_view key) {
    if (key == "quantile") return ClassMethod::Quantile;
    if (key == "equal") return ClassMethod::EqualInterval;
    if (key == "jenks") return ClassMethod::Jenks;
    if (key == "manual") return ClassMethod::Manual;
    return std::nullopt;
}

namespace {

std::vector<double> finite_sorted(std::span<const double> values) {
    std::vector<double> v;
    for (double x : values)
        if (std::isfinite(x)) v.push_back(x);
    std::sort(v.begin(), v.end());
    return v;
}

// Fisher–Jenks: minimise the within-class sum of squared deviations over sorted `v`.
std::vector<double> jenks(const std::vector<double>& v, int k) {
    const int n = static_cast<int>(v.size());
    std::vector<double> s1(n + 1, 0), s2(n + 1, 0);
    for (int i = 0; i < n; ++i) {
        s1[i + 1] = s1[i] + v[i];
        s2[i + 1] = s2[i] + v[i] * v[i];
    }
    auto ssd = [&](int a, int b) {  // [a, b) elements
        const double cnt = b - a, sum = s1[b] - s1[a];
        return (s2[b] - s2[a]) - sum * sum / cnt;
    };
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> cost(k + 1, std::vector<double>(n + 1, inf));
    std::vector<std::vector<int>> cut(k + 1, std::vector<int>(n + 1, 0));
    cost[0][0] = 0;
    for (int c = 1; c <= k; ++c)
        for (int j = c; j <= n; ++j)
            for (int i = c - 1; i < j; ++i) {
                if (cost[c - 1][i] == inf) continue;
                const double total = cost[c - 1][i] + ssd(i, j);
                if (total < cost[c][j]) {
                    cost[c][j] = total;
                    cut[c][j] = i;
                }
            }
    std::vector<double> breaks(k + 1);
    breaks[k] = v.back();
    int j = n;
    for (int c = k; c >= 1; --c) {
        const int i = cut[c][j];
        breaks[c - 1] = v[std::max(0, i > 0 ? i : 0)];
        j = i;
    }
    breaks[0] = v.front();
    return breaks;
}

}  // namespace

std::vector<double> class_breaks(std::span<const double> values, int classes, ClassMethod method,
                                 std::span<const double> manual) {
    if (method == ClassMethod::Manual) return {manual.begin(), manual.end()};
    const std::vector<double> v = finite_sorted(values);
    if (v.empty() || classes < 1) return {};
    std::vector<double> distinct = v;
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const int k = std::min<int>(classes, static_cast<int>(distinct.size()));
    if (k <= 1) return {v.front(), v.back()};
    std::vector<double> breaks;
    switch (method) {
        case ClassMethod::EqualInterval:
            for (int i = 0; i <= k; ++i) breaks.push_back(v.front() + (v.back() - v.front()) * i / k);
            break;
        case ClassMethod::Quantile:
            for (int i = 0; i <= k; ++i) {
                const double pos = static_cast<double>(i) * static_cast<double>(v.size() - 1) / k;
                breaks.push_back(v[static_cast<std::size_t>(std::lround(pos))]);
            }
            break;
        case ClassMethod::Jenks: {
            std::vector<double> sample;
            const std::size_t max_n = 1500;
            if (v.size() <= max_n) {
                sample = v;
            } else {
                for (std::size_t i = 0; i < max_n; ++i) sample.push_back(v[i * (v.size() - 1) / (max_n - 1)]);
            }
            breaks = jenks(sample, k);
            break;
        }
        case ClassMethod::Manual: break;
    }
    breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
    if (breaks.size() < 2) return {v.front(), v.back()};
    return breaks;
}

std::vector<Rgba> sequential_colors(int n) {
    // light yellow → green-teal → deep blue; monotone in lightness (readable in grey and for
    // red–green colour-blind viewers)
    static constexpr Rgba stops[] = {{252, 248, 208, 255}, {180, 222, 170, 255}, {84, 176, 180, 255},
                                     {40, 110, 160, 255}, {30, 45, 105, 255}};
    std::vector<Rgba> out;
    for (int i = 0; i < n; ++i) {
        const double t = n == 1 ? 0.5 : static_cast<double>(i) / (n - 1) * 4.0;
        const int s = std::min(3, static_cast<int>(t));
        out.push_back(lerp(stops[s], stops[s + 1], t - s));
    }
    return out;
}

Rgba diverging_color(double t) {
    // orange (below 0) ↔ near-white ↔ purple (above 0): the colour-blind-safe diverging pair
    static constexpr Rgba neg[] = {{247, 245, 240, 255}, {244, 180, 110, 255}, {200, 110, 30, 255}, {125, 60, 10, 255}};
    static constexpr Rgba pos[] = {{247, 245, 240, 255}, {186, 178, 220, 255}, {120, 100, 175, 255}, {60, 25, 110, 255}};
    const Rgba* stops = t < 0 ? neg : pos;
    const double u = std::clamp(std::fabs(t), 0.0, 1.0) * 3.0;
    const int s = std::min(2, static_cast<int>(u));
    return lerp(stops[s], stops[s + 1], u - s);
}

int Classification::class_of(double value) const {
    if (!std::isfinite(value) || colors.empty()) return k_no_data;
    const auto it = std::upper_bound(breaks.begin() + 1, breaks.end() - 1, value);
    return static_cast<int>(it - (breaks.begin() + 1));
}

Rgba Classification::color_of(double value) const {
    const int c = class_of(value);
    return c == k_no_data ? k_no_data_color : colors[static_cast<std::size_t>(c)];
}

Classification classify(std::span<const double> values, int classes, ClassMethod method, bool diverging,
                        std::span<const double> manual) {
    Classification out;
    out.diverging = diverging;
    if (!diverging || method == ClassMethod::Manual) {
        out.breaks = class_breaks(values, classes, method, manual);
        const int k = static_cast<int>(out.breaks.size()) - 1;
        if (k < 1) return out;
        if (diverging) {
            for (int i = 0; i < k; ++i) {
                const double mid = (out.breaks[i] + out.breaks[i + 1]) / 2;
                const double span = std::max(std::fabs(out.breaks.front()), std::fabs(out.breaks.back()));
                out.colors.push_back(diverging_color(span > 0 ? mid / span : 0));
            }
        } else {
            out.colors = sequential_colors(k);
        }
        return out;
    }
    // diverging: classes below 0 and above 0 classified separately, 0 is a break
    std::vector<double> neg, pos;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        (v < 0 ? neg : pos).push_back(v);
    }
    int kn = neg.empty() ? 0 : (pos.empty() ? classes : classes / 2);
    int kp = classes - kn;
    std::vector<double> bn = kn ? class_breaks(neg, kn, method) : std::vector<double>{};
    std::vector<double> bp = kp && !pos.empty() ? class_breaks(pos, kp, method) : std::vector<double>{};
    if (!bn.empty()) bn.back() = 0;
    if (!bp.empty()) bp.front() = 0;
    kn = bn.empty() ? 0 : static_cast<int>(bn.size()) - 1;
    kp = bp.empty() ? 0 : static_cast<int>(bp.size()) - 1;
    out.breaks = bn;
    if (!bp.empty()) out.breaks.insert(out.breaks.end(), bp.begin() + (bn.empty() ? 0 : 1), bp.end());
    for (int i = 0; i < kn; ++i) out.colors.push_back(diverging_color(-static_cast<double>(kn - i) / kn));
    for (int i = 0; i < kp; ++i) out.colors.push_back(diverging_color(static_cast<double>(i + 1) / kp));
    return out;
}

}  // namespace onemap::render
