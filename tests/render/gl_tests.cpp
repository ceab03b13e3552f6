// GL tests that need a context but no bundle: the shaders compile and link both as GLSL 3.30 core
// and as GLSL ES 3.00 (ARM kiosks), in a hidden window and through EGL with no display, and a tiny
// scene draws the expected pixels through GlDevice.
#include "gis/scene.hpp"
#include "render/gl_device.hpp"
#include "render/map_renderer.hpp"
#include "render/offscreen.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

using namespace onemap;
using namespace onemap::render;

namespace {
gis::Scene two_squares() {
    gis::SceneInputLayer layer;
    layer.level = 3;
    layer.features.push_back({"a", "", "甲", 1, {gis::Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}}}});
    layer.features.push_back({"b", "", "乙", 1, {gis::Polygon{{{1, 0}, {2, 0}, {2, 1}, {1, 1}}, {}}}});
    gis::SceneBuildOptions opt;
    opt.tolerances = {0.0};
    return gis::build_scene(std::span(&layer, 1), opt);
}

// 200×100 pixels over both squares: the left one red, the right one blue.
void show_two_squares(MapRenderer& map) {
    map.set_viewport(200, 100);
    map.set_level(3);
    map.camera().fit(gis::Box{-1, -0.5, 1, 0.5}, 0);
    const Rgba colors[] = {{255, 0, 0, 255}, {0, 0, 255, 255}};
    map.set_feature_colors(colors);
}

void draws_two_squares(bool es, ContextSource source = ContextSource::Auto) {
    std::string why;
    auto ctx = OffscreenContext::create(&why, es, source);
    // EGL needs no display: Debian's libegl-mesa0 (scripts/packages.txt) always gives one, so no skip;
    // a window skips where there is no display
    if (source == ContextSource::Egl) {
        ASSERT_TRUE(ctx) << why;
    }
    if (!ctx) GTEST_SKIP() << why << " — run inside xvfb-run -a -s \"-screen 0 1920x1080x24\"";
    if (source != ContextSource::Auto) {
        EXPECT_EQ(ctx->source(), source) << ctx->description();
    }
    GlDevice device;
    EXPECT_EQ(device.es(), es) << device.renderer_name();
    const gis::Scene scene = two_squares();
    MapRenderer map(device, scene, nullptr);  // compiles and links every shader
    OffscreenTarget target(200, 100);
    show_two_squares(map);
    map.set_selection(-1);
    target.bind();
    map.render();
    const Image img = target.read();
    auto px = [&](int x, int y) { return &img.rgba[(static_cast<std::size_t>(y) * img.width + x) * 4]; };
    // left square red, right square blue (away from the border line in the middle)
    EXPECT_GT(px(40, 50)[0], 200);
    EXPECT_LT(px(40, 50)[2], 60);
    EXPECT_GT(px(160, 50)[2], 200);
    EXPECT_LT(px(160, 50)[0], 60);
    // the shared border is drawn once, dark, at x ≈ 100
    EXPECT_LT(px(100, 50)[0] + px(100, 50)[2], px(40, 50)[0] + px(40, 50)[2]);
    EXPECT_LE(device.counters().draw_calls, 4u);
}

int max_channel_difference(const Image& a, const Image& b) {
    int worst = 0;
    for (std::size_t i = 0; i < a.rgba.size() && i < b.rgba.size(); ++i) worst = std::max(worst, std::abs(int(a.rgba[i]) - int(b.rgba[i])));
    return worst;
}

// The frame cache shows what a full frame shows: at rest, moved, hovered; a new picture is drawn a
// slice a frame while the old one stays on screen, and in one go only when nothing like it exists.
void frame_cache_matches_full_frames(bool es) {
    std::string why;
    auto ctx = OffscreenContext::create(&why, es);
    if (!ctx) GTEST_SKIP() << why << " — run inside xvfb-run -a -s \"-screen 0 1920x1080x24\"";
    GlDevice device;
    const gis::Scene scene = two_squares();
    MapRenderer map(device, scene, nullptr);
    OffscreenTarget target(200, 100);
    show_two_squares(map);
    auto frame = [&] {
        target.bind();
        map.render();
        return target.read();
    };
    const Image full = frame();
    map.set_hover(0);
    const Image full_hover = frame();
    map.set_hover(-1);
    map.set_frame_cache(true);
    map.camera().pan(0, 0);  // a move of nothing: the camera counts as moving
    const Image cached = frame();
    EXPECT_EQ(map.cache_redraws(), 1u) << "no picture yet: one drawn in one go";
    EXPECT_FALSE(map.picture_pending());
    EXPECT_LE(max_channel_difference(full, cached), 8) << "the cached picture at rest equals the full frame";

    map.camera().pan(10, 4);
    const Image moved = frame();
    EXPECT_EQ(map.cache_redraws(), 1u) << "a small pan reuses the picture";
    EXPECT_EQ(device.counters().draw_calls, 1u) << "one quad for the whole map";
    EXPECT_FALSE(map.picture_pending()) << "well inside the picture: nothing new begun";
    map.set_frame_cache(false);
    const Image moved_full = frame();
    EXPECT_LE(max_channel_difference(moved, moved_full), 8) << "the moved picture equals a full frame of the moved view";

    // hover is drawn over the picture, never into it
    map.set_frame_cache(true);
    map.camera().pan(-10, -4);
    frame();
    map.camera().settle();
    for (int i = 0; i < 4 && (frame(), map.picture_pending()); ++i) {}
    const auto before_hover = map.cache_redraws();
    map.set_hover(0);
    const Image hovered = frame();
    EXPECT_EQ(map.cache_redraws(), before_hover) << "hovering draws no picture";
    EXPECT_LE(max_channel_difference(full_hover, hovered), 100) << "borders under the hover differ a little, nothing else";
    const auto* h = &hovered.rgba[(50u * hovered.width + 40u) * 4];
    const auto* f = &full_hover.rgba[(50u * full_hover.width + 40u) * 4];
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(h[c], f[c], 8) << "the hovered region is lightened as a full frame lightens it";
    map.set_hover(-1);
    map.set_frame_cache(false);
    map.set_selection(1);
    const Image full_selected = frame();
    map.set_frame_cache(true);
    const Image selected = frame();
    EXPECT_EQ(map.cache_redraws(), before_hover) << "a selection draws no picture either";
    const auto* sp = &selected.rgba[(50u * selected.width + 160u) * 4];
    const auto* fp = &full_selected.rgba[(50u * full_selected.width + 160u) * 4];
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(sp[c], fp[c], 8) << "the selected region is highlighted as a full frame highlights it";
    map.set_selection(-1);

    // a pan towards the picture's edge begins a new one, drawn a slice a frame (budget: one triangle)
    map.set_frame_budget(1);
    map.camera().pan(40, 0);
    frame();
    const auto redraws = map.cache_redraws();
    EXPECT_TRUE(map.picture_pending()) << "near the edge a new picture is begun";
    EXPECT_TRUE(map.update(0)) << "and the caller is asked for more frames";
    int frames = 0;
    while (map.picture_pending() && frames < 50) {
        map.camera().pan(0, 0);
        frame();
        ++frames;
    }
    EXPECT_GT(frames, 1) << "over several frames";
    EXPECT_EQ(map.cache_redraws(), redraws + 1);
    map.camera().settle();
    Image rest;
    for (int i = 0; i < 50; ++i) {
        rest = frame();
        if (!map.picture_pending()) break;
    }
    map.set_frame_cache(false);
    const Image rest_full = frame();
    EXPECT_LE(max_channel_difference(rest, rest_full), 8) << "at rest the picture matches the view pixel for pixel";

    map.set_frame_cache(true);
    map.camera().pan(1, 0);
    frame();
    const auto before = map.cache_redraws();
    const Rgba other[] = {{0, 255, 0, 255}, {0, 0, 255, 255}};
    map.set_feature_colors(other);
    map.camera().pan(1, 0);
    const Image old_colours = frame();
    EXPECT_TRUE(map.picture_pending()) << "new colours begin a new picture, drawn a slice a frame";
    EXPECT_GT(old_colours.rgba[(50u * old_colours.width + 60u) * 4], 200) << "while the old one stays on screen";
    Image recoloured;
    for (int i = 0; i < 50; ++i) {
        map.camera().pan(0, 0);
        recoloured = frame();
        if (!map.picture_pending()) break;
    }
    EXPECT_EQ(map.cache_redraws(), before + 1);
    const auto* p = &recoloured.rgba[(50u * recoloured.width + 60u) * 4];
    EXPECT_GT(p[1], 200) << "and then show them";
}

// The feature raster draws what the triangles draw: 40×40 regions in 1,600 colours, the same pixels
// but for a few along region edges, hover and selection coloured alike, and recoloured without a new raster.
void feature_raster_matches_triangles(bool es) {
    std::string why;
    auto ctx = OffscreenContext::create(&why, es);
    if (!ctx) GTEST_SKIP() << why << " — run inside xvfb-run -a -s \"-screen 0 1920x1080x24\"";
    GlDevice device;
    gis::SceneInputLayer layer;
    layer.level = 5;
    const int n = 40;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            // squares with a notch, so edges are not all along the texel grid
            const double s = 0.01, x0 = x * s, y0 = y * s;
            gis::Ring r{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s * 0.6}, {x0 + s * 0.7, y0 + s * 0.7}, {x0 + s, y0 + s}, {x0, y0 + s}};
            if (x == n - 1) r = {{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}};
            layer.features.push_back({std::to_string(y * n + x), "", "村", 1, {gis::Polygon{r, {}}}});
        }
    gis::SceneBuildOptions opt;
    opt.tolerances = {0.0};
    const gis::Scene scene = gis::build_scene(std::span(&layer, 1), opt);
    MapRenderer map(device, scene, nullptr);
    const int w = 320, h = 240;
    OffscreenTarget target(w, h);
    map.set_viewport(w, h);
    map.set_level(5);
    map.camera().fit(gis::Box{-0.2, -0.2, 0.2, 0.2}, 0);
    std::vector<Rgba> colors;
    for (int i = 0; i < n * n; ++i)
        colors.push_back(Rgba{static_cast<std::uint8_t>(i * 37 % 256), static_cast<std::uint8_t>(i * 91 % 256), static_cast<std::uint8_t>(i % 7 * 36), 255});
    colors[5].a = 0;  // no data: hatched either way
    map.set_feature_colors(colors);
    map.set_selection(n * 20 + 20);
    map.set_hover(n * 10 + 10);
    auto frame = [&] {
        target.bind();
        map.render();
        return target.read();
    };
    const Image triangles = frame();
    map.set_feature_raster(true, 100);
    frame();  // triangles, then the raster
    ASSERT_TRUE(map.raster_ready());
    const Image raster = frame();
    auto differing = [&](const Image& a, const Image& b) {
        int count = 0;
        for (std::size_t p = 0; p + 3 < a.rgba.size(); p += 4) {
            int d = 0;
            for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(int(a.rgba[p + c]) - int(b.rgba[p + c])));
            if (d > 8) ++count;
        }
        return count;
    };
    const int edges = differing(triangles, raster);
    EXPECT_LT(edges, w * h / 25) << "at most a few pixels along region edges differ";
    {
        // a frame-cache picture draws the raster a band of rows a frame: together the same pixels
        map.set_frame_cache(true);
        map.set_frame_budget(1);
        frame();  // the first picture, in one go
        map.set_feature_colors(colors);  // the same colours anew: a new picture, in slices
        int frames = 0;
        Image cached;
        do {
            cached = frame();
            ++frames;
        } while (map.picture_pending() && frames < 20);
        EXPECT_GE(frames, 3) << "drawn over several frames";
        cached = frame();
        EXPECT_LE(differing(raster, cached), w * h / 400) << "the banded picture shows what one quad does";
        map.set_frame_cache(false);
    }
    // a selected or hovered region's middle is the same colour both ways
    auto centre_of = [&](int id) {
        const gis::Point c{(id % n + 0.3) * 0.01 - scene.origin.x, (id / n + 0.3) * 0.01 - scene.origin.y};
        return map.camera().to_screen(c);
    };
    for (const int id : {n * 20 + 20, n * 10 + 10, 7}) {
        const gis::Point p = centre_of(id);
        const auto at = [&](const Image& img) { return &img.rgba[(static_cast<std::size_t>(std::lround(p.y)) * w + std::lround(p.x)) * 4]; };
        for (int c = 0; c < 3; ++c) EXPECT_NEAR(at(raster)[c], at(triangles)[c], 8) << "region " << id;
    }
    // new colours: the same raster, and again the same picture as triangles
    const auto builds = map.raster_builds();
    for (auto& c : colors) c = Rgba{static_cast<std::uint8_t>(255 - c.r), c.b, c.g, 255};
    map.set_feature_colors(colors);
    const Image raster2 = frame();
    EXPECT_EQ(map.raster_builds(), builds);
    map.set_feature_raster(false);
    const Image triangles2 = frame();
    EXPECT_LT(differing(triangles2, raster2), w * h / 25);
    EXPECT_GT(differing(raster, raster2), w * h / 2) << "the colours did change";
}
}  // namespace

TEST(Gl, FrameCacheMatchesFullFramesGl33) { frame_cache_matches_full_frames(false); }
TEST(Gl, FrameCacheMatchesFullFramesGles30) { frame_cache_matches_full_frames(true); }
TEST(Gl, FeatureRasterMatchesTrianglesGl33) { feature_raster_matches_triangles(false); }
TEST(Gl, FeatureRasterMatchesTrianglesGles30) { feature_raster_matches_triangles(true); }
TEST(Gl, ShadersAndFillsOnGl33CoreInAWindow) { draws_two_squares(false, ContextSource::Window); }
TEST(Gl, ShadersAndFillsOnGles30InAWindow) { draws_two_squares(true, ContextSource::Window); }
TEST(Gl, ShadersAndFillsOnEglGl33Core) { draws_two_squares(false, ContextSource::Egl); }
TEST(Gl, ShadersAndFillsOnEglGles30) { draws_two_squares(true, ContextSource::Egl); }

namespace {
// Sets (or, with nullptr, removes) an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        if (value) setenv(name, value, 1);
        else unsetenv(name);
    }
    ~ScopedEnv() {
        if (m_old) setenv(m_name, m_old->c_str(), 1);
        else unsetenv(m_name);
    }
private:
    const char* m_name;
    std::optional<std::string> m_old;
};
}  // namespace

TEST(Gl, WithoutADisplayTheContextComesFromEgl) {
    ScopedEnv x("DISPLAY", nullptr), wl("WAYLAND_DISPLAY", nullptr), forced("ONEMAP_GL", nullptr);
    std::string why;
    auto ctx = OffscreenContext::create(&why);
    ASSERT_TRUE(ctx) << why;
    EXPECT_EQ(ctx->source(), ContextSource::Egl);
    EXPECT_NE(ctx->description().find("EGL"), std::string::npos) << ctx->description();
    GlDevice device;
    EXPECT_FALSE(device.es()) << device.renderer_name();
}

TEST(Gl, OnemapGlPicksTheSourceAndRejectsOtherWords) {
    {
        ScopedEnv forced("ONEMAP_GL", "egl");
        std::string why;
        auto ctx = OffscreenContext::create(&why);
        ASSERT_TRUE(ctx) << why;
        EXPECT_EQ(ctx->source(), ContextSource::Egl);
    }
    if (const char* display = std::getenv("DISPLAY"); display && *display) {
        ScopedEnv forced("ONEMAP_GL", "window");
        std::string why;
        auto ctx = OffscreenContext::create(&why);
        ASSERT_TRUE(ctx) << why;
        EXPECT_EQ(ctx->source(), ContextSource::Window);
        EXPECT_EQ(ctx->description(), "hidden window");
    }
    ScopedEnv forced("ONEMAP_GL", "vulkan");
    std::string why;
    EXPECT_FALSE(OffscreenContext::create(&why));
    EXPECT_NE(why.find("ONEMAP_GL='vulkan'"), std::string::npos) << why;
}
