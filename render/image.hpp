#pragma once
// RGBA8 images: PNG in (libpng) and out (zlib, compressed in bands on several threads) and a pixel
// comparison for render tests.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace onemap::render {

struct Image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgba;  // top row first
};

// `threads` 0: one per core, at most 4.
bool write_png(const std::filesystem::path& path, const Image& image, unsigned threads = 0);
std::optional<Image> read_png(const std::filesystem::path& path);

struct ImageDiff {
    bool same_size = false;
    std::size_t differing_pixels = 0;  // any channel differs by more than the threshold
    int max_channel_difference = 0;
    Image diff;                        // red where different, faded actual elsewhere
};
ImageDiff compare(const Image& actual, const Image& expected, int threshold);

}  // namespace onemap::render
