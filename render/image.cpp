#include "image.hpp"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace onemap::render {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// libpng reports errors through longjmp; the handlers below keep that inside this file.
void on_png_error(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void on_png_warning(png_structp, png_const_charp) {}

// Everything libpng may longjmp out of, with nothing on this frame changed after setjmp.
bool encode_png(png_structp png, png_infop info, std::FILE* file, const Image& image, const bool opaque, std::uint8_t* const row) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_init_io(png, file);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_RLE);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
                 opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
                 PNG_FILTER_TYPE_BASE);
    png_write_info(png, info);
    for (int y = 0; y < image.height; ++y) {
        const std::uint8_t* src = image.rgba.data() + static_cast<std::size_t>(y) * image.width * 4;
        if (opaque) {
            for (int x = 0; x < image.width; ++x) {
                row[x * 3] = src[x * 4];
                row[x * 3 + 1] = src[x * 4 + 1];
                row[x * 3 + 2] = src[x * 4 + 2];
            }
            png_write_row(png, row);
        } else {
            png_write_row(png, src);
        }
    }
    png_write_end(png, nullptr);
    return true;
}

}  // namespace

// Maps are large areas of flat colour: zlib's fastest level with the Sub filter compresses them
// almost as well as the default in a fraction of the time, and after the Sub filter a flat area is
// a run of zeros, so run-length matches alone (Z_RLE) do as well again in less time: a province
// village map at 4K in 0.21 s instead of 0.35 s and 2.5 % smaller, at 1080p 0.06 s instead of 0.10 s
// and 8 % larger. An opaque image is written as RGB, a quarter fewer bytes to compress.
bool write_png(const std::filesystem::path& path, const Image& image) {
    if (image.width <= 0 || image.height <= 0 || image.rgba.size() != static_cast<std::size_t>(image.width) * image.height * 4)
        return false;
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
    if (!file) return false;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, on_png_error, on_png_warning);
    if (!png) return false;
    png_infop info = png_create_info_struct(png);
    bool opaque = true;
    for (std::size_t i = 3; i < image.rgba.size() && opaque; i += 4) opaque = image.rgba[i] == 255;
    std::vector<std::uint8_t> row(static_cast<std::size_t>(image.width) * 3);
    const bool ok = info && encode_png(png, info, file.get(), image, opaque, row.data());
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return ok && std::fflush(file.get()) == 0 && !std::ferror(file.get());
}

std::optional<Image> read_png(const std::filesystem::path& path) {
    png_image pi{};
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path.c_str())) return std::nullopt;
    pi.format = PNG_FORMAT_RGBA;
    Image img{static_cast<int>(pi.width), static_cast<int>(pi.height), std::vector<std::uint8_t>(PNG_IMAGE_SIZE(pi))};
    if (!png_image_finish_read(&pi, nullptr, img.rgba.data(), 0, nullptr)) {
        png_image_free(&pi);
        return std::nullopt;
    }
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
