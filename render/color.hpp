#pragma once
// An 8-bit sRGB colour with alpha, as uploaded to textures and vertex attributes.
#include <cstdint>

namespace onemap::render {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    friend bool operator==(const Rgba&, const Rgba&) = default;
};

Rgba lerp(Rgba a, Rgba b, double t);

}  // namespace onemap::render
