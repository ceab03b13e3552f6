#pragma once
// Classification of indicator values into colour classes (pure logic, no GL).
//
//   values (one per feature, NaN = no data) ──class_breaks──▶ breaks b0 < b1 < … < bk
//        ──Classification::class_of(v)──▶ class 0…k-1, or k_no_data ──colours──▶ Rgba
//
// Methods: quantile, equal interval, Jenks natural breaks (Fisher's exact optimum on at most 1,500
// sorted samples), manual. Ramps are colour-blind-safe (light → dark sequential; orange ↔ purple
// diverging, centred on 0 for signed values such as growth_gap). No data is never a class: it gets
// its own grey, drawn hatched by the renderer.
#include "render/color.hpp"

#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace onemap::render {

enum class ClassMethod { Quantile, EqualInterval, Jenks, Manual };
std::optional<ClassMethod> parse_class_method(std::string_view key);  // quantile | equal | jenks | manual

inline constexpr double k_missing = std::numeric_limits<double>::quiet_NaN();
inline constexpr int k_no_data = -1;
inline constexpr Rgba k_no_data_color{200, 200, 200, 0};  // alpha 0 marks no data for the fill shader

// k+1 ascending breaks over the finite values (fewer classes when there are fewer distinct values).
// `manual` must hold the breaks themselves (ascending) for ClassMethod::Manual.
std::vector<double> class_breaks(std::span<const double> values, int classes, ClassMethod method,
                                 std::span<const double> manual = {});

enum class Palette { Sequential, Diverging };
// `n` colours. Sequential: light → dark. Diverging: position t ∈ [-1, 1] → orange … neutral … purple.
std::vector<Rgba> sequential_colors(int n);
Rgba diverging_color(double t);

struct Classification {
    std::vector<double> breaks;   // k+1
    std::vector<Rgba> colors;     // k
    bool diverging = false;
    int class_of(double value) const;  // k_no_data for NaN
    Rgba color_of(double value) const;
    int classes() const { return static_cast<int>(colors.size()); }
};

// Classify; diverging puts 0 on a break, with classes below and above 0 coloured symmetrically.
Classification classify(std::span<const double> values, int classes, ClassMethod method, bool diverging,
                        std::span<const double> manual = {});

}  // namespace onemap::render
