#include "image.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdlib>

namespace onemap::render {

bool write_png(const std::filesystem::path& path, const Image& image) {
    return stbi_write_png(path.c_str(), image.width, image.height, 4, image.rgba.data(), image.width * 4) != 0;
}

std::optional<Image> read_png(const std::filesystem::path& path) {
    int w = 0, h = 0, n = 0;
    unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 4);
    if (!data) return std::nullopt;
    Image img{w, h, std::vector<std::uint8_t>(data, data + static_cast<std::size_t>(w) * h * 4)};
    stbi_image_free(data);
    return img;
}

ImageDiff compare(const Image& actual, const Image& expected, int threshold) {
    ImageDiff d;
    d.same_size = actual.width == expected.width && actual.height == expected.height;
    if (!d.same_size) return d;
    d.diff = actual;
    for (std::size_t i = 0; i < actual.rgba.size(); i += 4) {
        int worst = 0;
        for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(int(actual.rgba[i + c]) - int(expected.rgba[i + c])));
        d.max_channel_difference = std::max(d.max_channel_difference, worst);
        if (worst > threshold) {
            ++d.differing_pixels;
            d.diff.rgba[i] = 255;
            d.diff.rgba[i + 1] = 0;
            d.diff.rgba[i + 2] = 0;
        } else {
            for (int c = 0; c < 3; ++c) d.diff.rgba[i + c] = static_cast<std::uint8_t>(255 - (255 - actual.rgba[i + c]) / 4);
        }
        d.diff.rgba[i + 3] = 255;
    }
    return d;
}

}  // namespace onemap::render
