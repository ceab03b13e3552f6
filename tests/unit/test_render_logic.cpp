// Renderer logic without a GL context: classification on known data, the camera, and what the map
// renderer draws and uploads (through NullDevice's counters).
#include "gis/lod_prefetch.hpp"
#include "gis/scene.hpp"
#include "render/camera.hpp"
#include "render/classify.hpp"
#include "render/device.hpp"
#include "render/frame_budget.hpp"
#include "render/image.hpp"
#include "render/legend.hpp"
#include "render/map_renderer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>
#include <unistd.h>

using namespace onemap;
using namespace onemap::render;

TEST(Classify, QuantileOnKnownData) {
    const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    const auto b = class_breaks(v, 4, ClassMethod::Quantile);
    EXPECT_EQ(b, (std::vector<double>{1, 4, 7, 10, 13}));
}

TEST(Classify, EqualIntervalOnKnownData) {
    const std::vector<double> v{0, 1, 10, 100};
    EXPECT_EQ(class_breaks(v, 4, ClassMethod::EqualInterval), (std::vector<double>{0, 25, 50, 75, 100}));
}

TEST(Classify, JenksFindsTheNaturalGroups) {
    const std::vector<double> v{1, 2, 3, 20, 21, 22, 50, 51, 52, 53};
    const auto b = class_breaks(v, 3, ClassMethod::Jenks);
    ASSERT_EQ(b.size(), 4u);
    EXPECT_EQ(b[0], 1);
    EXPECT_EQ(b[1], 20);  // the second class starts at 20
    EXPECT_EQ(b[2], 50);
    EXPECT_EQ(b[3], 53);
}

TEST(Classify, NoDataIsNeverAClass) {
    const std::vector<double> v{1, 2, k_missing, 4};
    const Classification c = classify(v, 3, ClassMethod::Quantile, false);
    EXPECT_EQ(c.class_of(k_missing), k_no_data);
    EXPECT_EQ(c.color_of(k_missing), k_no_data_color);
    for (const Rgba& col : c.colors) EXPECT_NE(col, k_no_data_color);
    EXPECT_EQ(c.class_of(1), 0);
    EXPECT_EQ(c.class_of(4), c.classes() - 1);
}

TEST(Classify, DivergingIsCentredOnZero) {
    const std::vector<double> v{-9, -5, -2, -1, 0.5, 1, 3, 4, 8, 12};
    const Classification c = classify(v, 6, ClassMethod::Quantile, true);
    ASSERT_EQ(c.classes(), 6);
    EXPECT_NE(std::find(c.breaks.begin(), c.breaks.end(), 0.0), c.breaks.end());
    // below zero orange-ish (red > blue), above zero purple-ish (blue > red)
    EXPECT_GT(c.color_of(-5).r, c.color_of(-5).b);
    EXPECT_GT(c.color_of(8).b, c.color_of(8).r);
    // the classes next to 0 are the lightest on each side
    auto lightness = [](Rgba x) { return x.r + x.g + x.b; };
    EXPECT_GT(lightness(c.color_of(-1)), lightness(c.color_of(-9)));
    EXPECT_GT(lightness(c.color_of(0.5)), lightness(c.color_of(12)));
}

TEST(Classify, SequentialRampDarkens) {
    const auto colors = sequential_colors(7);
    for (std::size_t i = 1; i < colors.size(); ++i)
        EXPECT_LT(colors[i].r + colors[i].g + colors[i].b, colors[i - 1].r + colors[i - 1].g + colors[i - 1].b);
}

TEST(Camera, ZoomAboutKeepsThePointAndFlightsSettle) {
    Camera cam;
    cam.set_limits(gis::Box{-2, -1, 2, 1}, 34.0);
    cam.set_viewport(800, 600);
    cam.fit(gis::Box{-2, -1, 2, 1});
    const gis::Point screen{200, 150};
    const gis::Point before = cam.to_scene(screen);
    cam.zoom_about(2.0, screen);
    const gis::Point after = cam.to_scene(screen);
    EXPECT_NEAR(before.x, after.x, 1e-9);
    EXPECT_NEAR(before.y, after.y, 1e-9);
    cam.fly_to(gis::Box{0.5, 0.2, 0.7, 0.4}, 1.0);
    int frames = 0;
    while (cam.update(1.0 / 60) && frames < 1000) ++frames;
    EXPECT_NEAR(frames, 59, 2);
    EXPECT_FALSE(cam.update(1.0 / 60));
    // a pan keeps the view "moving" until it has rested for k_settle_seconds
    cam.pan(5, 0);
    EXPECT_TRUE(cam.moving());
    EXPECT_TRUE(cam.update(0.1));
    EXPECT_FALSE(cam.update(0.1));
    const gis::Box vis = cam.visible();
    EXPECT_TRUE(vis.contains({0.6, 0.3}));
    EXPECT_LT(vis.width(), 1.0);
    // limits: cannot pan away from the province
    cam.pan(1e7, 0);
    EXPECT_TRUE(cam.visible().max_x > -2);
}

TEST(Camera, FitsIntoWhatThePanelsLeaveAndStaysFittedWhenTheyChange) {
    Camera cam;
    const gis::Box province{-3, -2, 3, 2};
    cam.set_limits(province, 0.0);  // cos 0 = 1: a degree is as wide as it is tall
    cam.set_viewport(1920, 1080);
    // a side panel 480 px wide on the right, a bar 40 px high on top
    cam.set_insets({0, 40, 480, 0});
    const gis::Box county{1.0, 0.5, 2.0, 1.5};
    cam.fit(county, 48);
    const gis::Point lo = cam.to_screen({county.min_x, county.max_y}), hi = cam.to_screen({county.max_x, county.min_y});
    // the county's middle is the free part's middle, and its box keeps the padding inside the free part
    EXPECT_NEAR((lo.x + hi.x) / 2, (1920 - 480) / 2.0, 1e-6);
    EXPECT_NEAR((lo.y + hi.y) / 2, 40 + (1080 - 40) / 2.0, 1e-6);
    EXPECT_NEAR(hi.y - lo.y, 1080 - 40 - 2 * 48, 1e-6);  // height-limited
    EXPECT_GE(lo.x, 48 - 1e-6);
    EXPECT_LE(hi.x, 1920 - 480 - 48 + 1e-6);

    // The window grows and the panels change: the view is fitted to the county again.
    cam.set_viewport(2560, 1440);
    cam.set_insets({600, 0, 0, 100});
    const gis::Point lo2 = cam.to_screen({county.min_x, county.max_y}), hi2 = cam.to_screen({county.max_x, county.min_y});
    EXPECT_NEAR((lo2.x + hi2.x) / 2, 600 + (2560 - 600) / 2.0, 1e-6);
    EXPECT_NEAR((lo2.y + hi2.y) / 2, (1440 - 100) / 2.0, 1e-6);
    EXPECT_NEAR(hi2.y - lo2.y, 1440 - 100 - 2 * 48, 1e-6);

    // A flight under way is steered to the new fit and ends there.
    cam.fly_to(province, 1.0, 24);
    cam.update(0.3);
    cam.set_insets({0, 0, 0, 0});
    while (cam.update(1.0 / 60)) {
    }
    const gis::Point a = cam.to_screen({province.min_x, province.max_y}), b = cam.to_screen({province.max_x, province.min_y});
    EXPECT_NEAR((a.x + b.x) / 2, 1280, 1e-6);
    EXPECT_NEAR((a.y + b.y) / 2, 720, 1e-6);
    EXPECT_NEAR(b.y - a.y, 1440 - 48, 1e-6);

    // Once the view is panned it is the user's: new insets move nothing.
    cam.pan(100, 0);
    const gis::Point before = cam.to_screen({0, 0});
    cam.set_insets({0, 40, 480, 0});
    const gis::Point after = cam.to_screen({0, 0});
    EXPECT_NEAR(before.x, after.x, 1e-9);
    EXPECT_NEAR(before.y, after.y, 1e-9);

    // The limits keep the free part's middle over the province: a pan far east stops with the
    // province's east edge at the middle of the free part, not of the whole viewport.
    cam.pan(-1e7, 0);
    EXPECT_NEAR(cam.to_screen({province.max_x, 0}).x, (2560 - 480) / 2.0, 1e-6);
}

TEST(Camera, InsetStripsAreWhatThePanelsCover) {
    const auto strips = inset_strips({300, 40, 0, 50}, 1920, 1080);
    ASSERT_EQ(strips.size(), 3u) << "no strip for an inset of 0";
    EXPECT_EQ(strips[0].max_x, 300);  // left, the full height
    EXPECT_EQ(strips[0].max_y, 1080);
    EXPECT_EQ(strips[1].max_x, 1920);  // top, the full width
    EXPECT_EQ(strips[1].max_y, 40);
    EXPECT_EQ(strips[2].min_y, 1080 - 50);  // bottom
    EXPECT_EQ(strips[2].max_y, 1080);
    EXPECT_TRUE(inset_strips({}, 1920, 1080).empty());
    const auto wide = inset_strips({0, 0, 5000, 0}, 800, 600);  // an inset wider than the viewport stays inside it
    ASSERT_EQ(wide.size(), 1u);
    EXPECT_EQ(wide[0].min_x, 0);
    EXPECT_EQ(wide[0].max_x, 800);
}

TEST(Legend, ABoxAtTheBottomLeftWithASwatchPerClassAndNoDataHatched) {
    const auto [font, index] = find_font();
    ASSERT_FALSE(font.empty()) << "no CJK font (scripts/setup installs fonts-noto-cjk)";
    GlyphAtlas atlas(font, index);
    Classification c;
    c.breaks = {0, 1.5, 3, 4.5};
    c.colors = {Rgba{10, 20, 30, 255}, Rgba{40, 50, 60, 255}, Rgba{70, 80, 90, 255}};
    const auto rows = class_rows(c, "无数据", [](double v) { return std::to_string(static_cast<int>(v * 10)); });
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[1].label, "15 – 30");
    EXPECT_EQ(rows[1].color, c.colors[1]);
    EXPECT_FALSE(rows[2].hatched);
    EXPECT_EQ(rows[3].label, "无数据");
    EXPECT_TRUE(rows[3].hatched);

    std::vector<OverlayVertex> q;
    const gis::Box box = add_legend(q, atlas, "脱贫人口人均纯收入（元）2024", rows, 1200, 600);
    // bottom-left, inside the picture, a margin from both edges
    EXPECT_GT(box.min_x, 0);
    EXPECT_LT(box.min_x, 30);
    EXPECT_LT(box.max_y, 600);
    EXPECT_GT(box.max_y, 570);
    EXPECT_LT(box.max_x, 600);
    EXPECT_GT(box.height(), 4 * 12.0 * 1.5);  // a title and four rows
    // every class's swatch, and the no-data swatch's hatching, inside the box
    const auto drawn = [&](Rgba color) {
        return std::any_of(q.begin(), q.end(), [&](const OverlayVertex& v) { return v.color == color && box.contains({v.x, v.y}); });
    };
    for (const Rgba& color : c.colors) EXPECT_TRUE(drawn(color));
    EXPECT_TRUE(drawn(Rgba{153, 153, 153, 255})) << "the no-data swatch is hatched";

    std::vector<OverlayVertex> m;
    const gis::Box mark = add_mark(m, atlas, "演示数据", 1200, 600);
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(mark.max_x, 1200);
    EXPECT_LT(mark.min_y, 20);
    EXPECT_GT(mark.min_x, 1000);
    for (const auto& v : m) EXPECT_TRUE(v.x >= mark.min_x - 1 && v.x <= mark.max_x && v.y >= 0 && v.y <= mark.max_y + 1);
}

namespace {
gis::Scene grid_scene(int n, double s = 0.01) {
    gis::SceneInputLayer layer;
    layer.level = 5;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            gis::Ring r{{x * s, y * s}, {(x + 1) * s, y * s}, {(x + 1) * s, (y + 1) * s}, {x * s, (y + 1) * s}};
            layer.features.push_back({std::to_string(y * n + x), "", "村", 1, {gis::Polygon{r, {}}}});
        }
    gis::SceneBuildOptions opt;
    opt.tolerances = {0.0, 0.002};
    return gis::build_scene(std::span(&layer, 1), opt);
}

// grid_scene(60) whole in a 1080p window
void show_grid(MapRenderer& map) {
    map.set_viewport(1920, 1080);
    map.set_level(5);
    map.camera().fit(gis::Box{-0.3, -0.3, 0.3, 0.3});
}
}  // namespace

TEST(MapRenderer, DrawCallsStayBoundedAndRecolourUploadsOnlyColours) {
    const gis::Scene scene = grid_scene(60);  // 3,600 features
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.render();
    const FrameCounters whole = device.counters();
    EXPECT_GT(whole.draw_calls, 1u);
    EXPECT_LE(whole.draw_calls, 60u);  // tens, whatever the feature count
    EXPECT_EQ(whole.visible_features, 3600u);

    // recolouring 3,600 features rewrites the colour texture only: 4 bytes a texel, no geometry
    std::vector<Rgba> colors(3600, Rgba{10, 20, 30, 255});
    device.begin_frame();
    map.set_feature_colors(colors);
    EXPECT_EQ(device.counters().bytes_uploaded, 1024u * 4 * 4);  // 4 rows of 1,024 texels

    // zoomed in: fewer features and fewer vertices drawn
    map.camera().zoom_about(8.0, {960, 540});
    map.render();
    EXPECT_LT(device.counters().visible_features, whole.visible_features / 4);
    EXPECT_LT(device.counters().vertices, whole.vertices);
}

TEST(MapRenderer, FrameCachePicturesAreSlicedAndCompleteWithinEightFrames) {
    const gis::Scene scene = grid_scene(60);
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.set_frame_cache(true);
    map.set_frame_budget(1);  // one triangle a frame — but never less than an eighth of the picture
    map.camera().pan(0, 0);
    map.render();
    EXPECT_EQ(map.cache_redraws(), 1u) << "the first picture is drawn in one go";
    EXPECT_FALSE(map.picture_pending());
    const auto full_frame_draws = device.counters().draw_calls;
    device.begin_frame();
    map.camera().pan(5, 0);
    map.render();
    EXPECT_EQ(device.counters().draw_calls, 1u) << "a small pan shows the picture: one quad";
    map.camera().pan(400, 0);  // past half the margin: a new picture is begun
    int frames = 0;
    do {
        device.begin_frame();
        map.camera().pan(0, 0);
        map.render();
        ++frames;
        EXPECT_LT(device.counters().draw_calls, full_frame_draws + 2) << "a slice, never more than a whole frame's draws";
    } while (map.picture_pending() && frames < 20);
    EXPECT_GE(frames, 2) << "drawn over several frames";
    EXPECT_LE(frames, 9) << "and complete within 8 frames of slices";
    EXPECT_EQ(map.cache_redraws(), 2u);
    // hovering and selecting draw no picture
    map.set_hover(3);
    map.set_selection(4);
    device.begin_frame();
    map.render();
    EXPECT_EQ(map.cache_redraws(), 2u);
    EXPECT_FALSE(map.picture_pending());
}

namespace {
bool draws_triangles(const NullDevice& d) {
    return std::any_of(d.calls.begin(), d.calls.end(), [](const DrawCall& c) { return c.indexed; });
}
}  // namespace

TEST(MapRenderer, PicturesBegunWhileZoomingLeadTheZoom) {
    const gis::Scene scene = grid_scene(60);
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.set_frame_cache(true);
    map.set_frame_budget(0);  // every picture in one go, so the one shown is the one just begun
    auto& cam = map.camera();
    const gis::Point centre{960, 540};
    cam.zoom_about(2, centre);
    cam.settle();
    map.render();
    auto pic = map.picture_shown();
    ASSERT_TRUE(pic);
    EXPECT_DOUBLE_EQ(pic->scale, cam.pixels_per_degree()) << "at rest: the view's own scale";
    EXPECT_NEAR(pic->box.width(), 1.5 * cam.visible().width(), 1e-9) << "and a quarter screen of margin each side";

    // zooming in: drawn 1.25× finer, around 1.2× the view
    int zoom_frames = 0;
    const auto redraws = map.cache_redraws();
    while (map.cache_redraws() == redraws && zoom_frames < 20) {
        cam.zoom_about(1.072, centre);
        map.render();
        ++zoom_frames;
    }
    pic = map.picture_shown();
    ASSERT_TRUE(pic);
    EXPECT_NEAR(pic->scale, 1.25 * cam.pixels_per_degree(), 1e-6 * pic->scale);
    const gis::Box v = cam.visible();
    EXPECT_TRUE(pic->box.min_x <= v.min_x && pic->box.max_x >= v.max_x && pic->box.min_y <= v.min_y && pic->box.max_y >= v.max_y);
    EXPECT_NEAR(pic->box.width(), 1.2 * v.width(), 0.01 * v.width()) << "0.64 of the ground of a picture at rest";
    // so a zoom in by ×8 needs fewer pictures than at the view's own scale (6 or 7)
    const auto before = map.cache_redraws();
    for (int f = 0; f < 30; ++f) {
        cam.zoom_about(1.072, centre);
        map.render();
    }
    EXPECT_LE(map.cache_redraws() - before, 5u);

    // zooming out: 1.4× coarser, around twice the view and more
    const auto redraws_out = map.cache_redraws();
    zoom_frames = 0;
    while (map.cache_redraws() == redraws_out && zoom_frames < 20) {
        cam.zoom_about(1 / 1.072, centre);
        map.render();
        ++zoom_frames;
    }
    pic = map.picture_shown();
    ASSERT_TRUE(pic);
    EXPECT_NEAR(pic->scale, cam.pixels_per_degree() / 1.4, 1e-6 * pic->scale);
    EXPECT_NEAR(pic->box.width(), 2.1 * cam.visible().width(), 0.01 * pic->box.width());

    // at rest again: a picture at the view's own scale
    cam.settle();
    map.render();
    pic = map.picture_shown();
    ASSERT_TRUE(pic);
    EXPECT_DOUBLE_EQ(pic->scale, cam.pixels_per_degree());
}

TEST(MapRenderer, AFullFrameIsHandedOverInPartsSoRasterisingOverlapsSetUp) {
    const gis::Scene scene = grid_scene(180, 0.002);  // 32,400 features, 64,800 triangles
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    map.set_viewport(1920, 1080);
    map.set_level(5);
    map.camera().fit(gis::Box{-0.2, -0.2, 0.2, 0.2});
    map.render();
    std::uint64_t indices = 0;
    std::size_t fills = 0;
    for (const DrawCall& c : device.calls)
        if (c.indexed) {
            indices += c.count;
            ++fills;
            EXPECT_LE(c.count, 30000u) << "a part of at most 10,000 triangles";
            EXPECT_EQ(c.count % 3, 0u);
        }
    const std::size_t k = static_cast<std::size_t>(map.lod_index(scene.layers[0]));
    EXPECT_EQ(indices, scene.lod(0, k).indices.size()) << "every triangle once";
    EXPECT_GE(fills, 3u);
    ASSERT_GE(device.calls_at_flush.size(), 2u) << "handed over between parts";
    EXPECT_LT(device.calls_at_flush.front(), device.calls.size()) << "before the frame's end";
}

TEST(FrameBudget, FollowsTheFrameTimesTowardsTheTarget) {
    FrameBudget b;
    b.set(60000);
    b.frame(100, 60000);
    EXPECT_EQ(b.units(), 60000u) << "no target: the budget stays as set";
    b.set_target(30);
    b.frame(50, 60000);
    EXPECT_EQ(b.units(), 45000u) << "no base yet: a slow frame backs off";
    for (int i = 0; i < 20; ++i) b.frame(10, 0);  // the picture shown alone: 10 ms
    EXPECT_NEAR(b.base_ms(), 10, 1e-6);
    b.frame(5000, 0);
    EXPECT_NEAR(b.base_ms(), 10, 1e-6) << "a screen waiting for input is not a frame";
    // drawing costs 0.4 µs a unit: 20 ms fit beside the base, 50,000 units
    b.frame(10 + 45000 * 0.0004, 45000);
    EXPECT_NEAR(static_cast<double>(b.units()), 50000, 50);
    b.frame(10 + 50000 * 0.0004, 50000);
    EXPECT_NEAR(static_cast<double>(b.units()), 50000, 50) << "steady at the target";
    // the machine gets twice as slow: the budget halves within a few frames
    for (int i = 0; i < 6; ++i) b.frame(10 + static_cast<double>(b.units()) * 0.0008, b.units());
    EXPECT_NEAR(static_cast<double>(b.units()), 25000, 1000);
    // a frame that drew little (a picture's last slice) says little: the budget stays
    const auto units = b.units();
    b.frame(11, 500);
    EXPECT_EQ(b.units(), units);
    // a frame drawing after a long wait counts as slow, not as slow as the wait
    b.frame(60000, units);
    EXPECT_GE(b.units(), FrameBudget::k_min);
    for (int i = 0; i < 8; ++i) b.frame(10 + static_cast<double>(b.units()) * 0.0008, b.units());
    EXPECT_NEAR(static_cast<double>(b.units()), 25000, 1000) << "and it recovers";
}

TEST(MapRenderer, FeatureRasterDrawsZoomedOutFillsAsOneQuad) {
    const gis::Scene scene = grid_scene(60);  // 3,600 features, 7,200 triangles
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.render();
    const FrameCounters triangles = device.counters();
    EXPECT_FALSE(map.raster_pending()) << "off by default";

    map.set_feature_raster(true, 1000);
    EXPECT_TRUE(map.raster_pending());
    EXPECT_TRUE(map.update(0)) << "frames are wanted while it is drawn";
    const int targets = device.targets_created;
    device.begin_frame();
    map.render();  // without the frame cache: this frame's fills are triangles, then the raster in one go
    EXPECT_EQ(device.targets_created, targets + 1);
    EXPECT_TRUE(map.raster_ready());
    EXPECT_FALSE(map.update(0));
    EXPECT_EQ(map.raster_builds(), 1u);

    device.begin_frame();
    device.calls.clear();
    map.render();
    EXPECT_FALSE(draws_triangles(device)) << "the fills are the raster's quad";
    EXPECT_LT(device.counters().vertices, triangles.vertices);

    // colours, hover and selection are looked up per pixel: nothing is drawn into the raster again
    std::vector<Rgba> colors(3600, Rgba{10, 20, 30, 255});
    map.set_feature_colors(colors);
    map.set_hover(3);
    map.set_selection(5);
    device.begin_frame();
    device.calls.clear();
    map.render();
    EXPECT_FALSE(draws_triangles(device));
    EXPECT_EQ(map.raster_builds(), 1u);
    EXPECT_EQ(device.targets_created, targets + 1);

    // zoomed in past its texels (and to a few triangles): triangles again
    map.camera().zoom_about(8.0, {960, 540});
    device.begin_frame();
    device.calls.clear();
    map.render();
    EXPECT_TRUE(draws_triangles(device));
    map.camera().fit(gis::Box{-0.3, -0.3, 0.3, 0.3});

    // a window resized a little keeps the raster; one a third the size gets a new, smaller one
    map.set_viewport(1800, 1000);
    map.render();
    EXPECT_EQ(map.raster_builds(), 1u);
    map.set_viewport(640, 360);
    EXPECT_TRUE(map.raster_pending());
    map.render();
    EXPECT_EQ(map.raster_builds(), 2u);
    EXPECT_TRUE(map.raster_ready());

    // a level light enough to draw as triangles at every zoom has none
    map.set_feature_raster(true, 100000);
    EXPECT_FALSE(map.raster_pending());
    EXPECT_FALSE(map.raster_ready());
    device.begin_frame();
    device.calls.clear();
    map.render();
    EXPECT_TRUE(draws_triangles(device));
}

TEST(MapRenderer, FeatureRasterIsBegunOnlyWhenAViewWantsIt) {
    const gis::Scene scene = grid_scene(60);
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.camera().zoom_about(8.0, {960, 540});  // a kiosk at its village: a few triangles in view
    map.camera().settle();
    map.set_feature_raster(true, 1000);
    const int targets = device.targets_created;
    map.render();
    EXPECT_FALSE(map.raster_pending());
    EXPECT_FALSE(map.update(0)) << "no frames asked for a raster no view needs";
    EXPECT_EQ(device.targets_created, targets) << "nor its memory spent";
    map.camera().fit(gis::Box{-0.3, -0.3, 0.3, 0.3});
    EXPECT_TRUE(map.raster_pending()) << "zoomed out, it is wanted";
    map.render();
    EXPECT_TRUE(map.raster_ready());
    map.camera().zoom_about(8.0, {960, 540});
    EXPECT_TRUE(map.raster_ready()) << "and kept when the view zooms in again";
}

TEST(MapRenderer, FeatureRasterIsDrawnASliceAFrameWithTheFrameCache) {
    const gis::Scene scene = grid_scene(60);
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    show_grid(map);
    map.set_frame_cache(true);
    map.set_frame_budget(1);
    map.set_feature_raster(true, 1000);
    map.camera().pan(0, 0);
    EXPECT_TRUE(map.raster_pending());
    device.begin_frame();
    map.render();
    EXPECT_EQ(map.raster_builds(), 0u);
    EXPECT_TRUE(map.raster_pending()) << "not while the view moves";
    map.camera().settle();
    int frames = 0;
    while (map.raster_pending() && frames < 30) {
        device.begin_frame();
        map.render();
        ++frames;
    }
    EXPECT_TRUE(map.raster_ready());
    EXPECT_GE(frames, 2) << "drawn over several frames";
    EXPECT_LE(frames, 9) << "and complete within 8 frames of slices";
    // the next picture's fills are the raster's quad: no triangles while it is drawn, and the quad in
    // bands of the picture's rows, a frame's share each, together all of them once
    map.camera().pan(400, 0);
    frames = 0;
    std::vector<std::pair<int, int>> bands;
    do {
        device.begin_frame();
        device.calls.clear();
        map.camera().pan(0, 0);
        map.render();
        EXPECT_FALSE(draws_triangles(device)) << "frame " << frames;
        for (const DrawCall& c : device.calls)
            if (c.scissor[2] > 0) bands.emplace_back(c.scissor[1], c.scissor[1] + c.scissor[3]);
        ++frames;
    } while (map.picture_pending() && frames < 30);
    EXPECT_LE(frames, 9);
    ASSERT_GE(bands.size(), 2u);
    EXPECT_EQ(bands.front().first, 0);
    for (std::size_t i = 1; i < bands.size(); ++i) EXPECT_EQ(bands[i].first, bands[i - 1].second) << "band " << i;
    EXPECT_EQ(bands.back().second, 1080 + 2 * 270) << "the picture's height: 1.5× the window's";
    EXPECT_EQ(map.raster_builds(), 1u);
}

TEST(MapRenderer, GpuBudgetGivesBackTheLodsLeastRecentlyDrawn) {
    const gis::Scene scene = grid_scene(10, 1.0);  // 10° square: zoomed out the coarse LOD, zoomed in the fine one
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    map.set_viewport(640, 480);
    map.set_level(5);
    map.camera().fit(gis::Box{-5, -5, 5, 5});
    map.set_gpu_budget(1);  // less than any LOD: only what was drawn lately stays
    map.render();
    const int coarse = map.lod_index(map.layer());
    const std::uint64_t one_lod = map.gpu_bytes();
    ASSERT_GT(one_lod, 0u);
    EXPECT_EQ(map.lods_evicted(), 0u) << "what this frame drew is kept, over budget or not";
    map.camera().zoom_about(400, {320, 240});
    map.render();
    ASSERT_NE(map.lod_index(map.layer()), coarse);
    const std::uint64_t two_lods = map.gpu_bytes();
    EXPECT_GT(two_lods, one_lod);
    for (int i = 0; i < 61; ++i) map.render();
    EXPECT_EQ(map.lods_evicted(), 1u) << "the coarse LOD, not drawn for 60 frames, is given back";
    EXPECT_EQ(map.gpu_bytes(), two_lods - one_lod);
    EXPECT_EQ(device.buffers_released, 4) << "fills: xy, feature, indices; borders: segments";
    EXPECT_EQ(device.arrays_released, 2);
    EXPECT_EQ(device.live_buffer_bytes() + one_lod, [&] {
        NullDevice fresh;  // what the same frames leave without a budget
        MapRenderer m(fresh, scene, nullptr);
        m.set_viewport(640, 480);
        m.set_level(5);
        m.camera().fit(gis::Box{-5, -5, 5, 5});
        m.render();
        m.camera().zoom_about(400, {320, 240});
        m.render();
        return fresh.live_buffer_bytes();
    }());
    // zoomed out again, it is uploaded anew and drawn
    map.camera().fit(gis::Box{-5, -5, 5, 5});
    device.begin_frame();
    map.render();
    EXPECT_GE(device.counters().bytes_uploaded, one_lod);
    EXPECT_GT(device.counters().draw_calls, 0u);
    EXPECT_EQ(map.gpu_bytes(), two_lods);
}

TEST(MapRenderer, ALevelDrawnOnlyForItsBordersNeverUploadsItsTriangles) {
    // counties: 2×2 squares over villages: a 180×180 grid, each village ≈ 5 px across at this zoom,
    // too small for its borders to be drawn
    gis::SceneInputLayer counties, villages;
    counties.level = 3;
    villages.level = 5;
    const double s = 0.002, c = 90 * s;
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x) {
            gis::Ring r{{x * c, y * c}, {(x + 1) * c, y * c}, {(x + 1) * c, (y + 1) * c}, {x * c, (y + 1) * c}};
            counties.features.push_back({"c" + std::to_string(y * 2 + x), "", "县", 1, {gis::Polygon{r, {}}}});
        }
    for (int y = 0; y < 180; ++y)
        for (int x = 0; x < 180; ++x) {
            gis::Ring r{{x * s, y * s}, {(x + 1) * s, y * s}, {(x + 1) * s, (y + 1) * s}, {x * s, (y + 1) * s}};
            villages.features.push_back({std::to_string(y * 180 + x), "c" + std::to_string((y / 90) * 2 + x / 90), "村", 1, {gis::Polygon{r, {}}}});
        }
    gis::SceneBuildOptions opt;
    opt.tolerances = {0.0, 0.0004};
    const gis::SceneInputLayer layers[] = {counties, villages};
    const gis::Scene scene = gis::build_scene(layers, opt);
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    map.set_viewport(1920, 1080);
    map.set_level(5);
    map.camera().fit(gis::Box{-0.2, -0.2, 0.2, 0.2});
    const auto before = device.live_buffer_bytes();  // colour textures are not buffers
    map.render();
    std::size_t county = 0, village = 1;
    if (scene.layers[0].level != 3) std::swap(county, village);
    std::uint64_t expected = 0;
    for (auto [li, k] : MapRenderer::lods_drawn(scene, 5, map.camera().pixels_per_degree())) {
        const gis::SceneLod& lod = scene.lod(li, k);
        if (li == village) expected += lod.vertex_feature.size() * 12 + lod.indices.size() * 4;  // fills only
        if (li == county) expected += lod.segments.size() * 4;                                     // borders only
    }
    EXPECT_EQ(device.live_buffer_bytes() - before, expected);
    EXPECT_EQ(map.gpu_bytes(), expected);
    // the county level drawn: now its triangles, and the villages' stay as they were
    map.set_level(3);
    map.render();
    EXPECT_GT(map.gpu_bytes(), expected);
}

TEST(MapRenderer, UploadingAheadLeavesAZoomStepNothingToUpload) {
    const gis::Scene scene = grid_scene(10, 1.0);  // 10° square: zoomed out the coarse LOD, zoomed in the fine one
    for (const bool budget : {false, true}) {
        NullDevice device;
        MapRenderer map(device, scene, nullptr);
        map.set_viewport(640, 480);
        map.set_level(5);
        map.camera().fit(gis::Box{-5, -5, 5, 5});
        map.camera().zoom_about(10, {320, 240});  // the coarse LOD's last zoom: a step in draws the fine one
        map.render();
        const int here = map.lod_index(map.layer());
        if (budget) map.set_gpu_budget(map.gpu_bytes());  // nothing more fits
        int pieces = 0;
        while (map.upload_ahead() && pieces < 20) {
            ++pieces;
            map.render();  // a frame at rest uploads what was wanted
        }
        EXPECT_FALSE(map.upload_ahead()) << "done: nothing left to fetch ahead";
        EXPECT_EQ(map.lods_wanted(), 0u);
        map.camera().zoom_about(2, {320, 240});
        device.begin_frame();
        map.render();
        ASSERT_NE(map.lod_index(map.layer()), here) << "the zoom step draws another LOD";
        if (!budget) {
            EXPECT_GE(pieces, 1);
            EXPECT_EQ(device.counters().bytes_uploaded, 0u) << "the zoom step's geometry was already there";
        } else {
            EXPECT_EQ(pieces, 0) << "over the budget nothing is fetched ahead";
            EXPECT_GT(device.counters().bytes_uploaded, 0u);
        }
    }
}

TEST(MapRenderer, LodFollowsZoom) {
    const gis::Scene scene = grid_scene(10, 1.0);  // 10° square
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    map.set_viewport(640, 480);
    map.set_level(5);
    map.camera().fit(gis::Box{-5, -5, 5, 5});  // ≈ 45 px per degree: 0.002° is 0.1 px → coarse LOD
    EXPECT_EQ(map.lod_index(scene.layers[0]), 1);
    map.camera().zoom_about(100, {320, 240});  // 4,500 px per degree: 0.002° is 9 px → full detail
    EXPECT_EQ(map.lod_index(scene.layers[0]), 0);
    map.render();
    EXPECT_LT(device.counters().visible_features, 10u);
}

namespace {
// A scene read from its blob, each LOD when first asked for (as a bundle's render cache is).
class BytesBlob final : public gis::SceneBlobReader {
public:
    explicit BytesBlob(std::vector<std::uint8_t> b) : m_b(std::move(b)) {}
    std::uint64_t size() const override { return m_b.size(); }
    std::vector<std::uint8_t> read(std::uint64_t offset, std::uint64_t size) const override {
        return {m_b.begin() + static_cast<std::ptrdiff_t>(offset), m_b.begin() + static_cast<std::ptrdiff_t>(offset + size)};
    }
private:
    std::vector<std::uint8_t> m_b;
};
std::vector<std::pair<std::size_t, std::size_t>> loaded_lods(const gis::Scene& scene) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t li = 0; li < scene.layers.size(); ++li)
        for (std::size_t k = 0; k < scene.layers[li].lods.size(); ++k)
            if (scene.layers[li].lods[k].loaded) out.push_back({li, k});
    return out;
}
}  // namespace

// A zoom into a LOD not read yet: no frame of the gesture waits for it. The picture begun for the zoom
// draws the nearest LOD at hand in its place; once the LOD has been read (on the prefetch thread while
// the view moves, or without one in a frame at rest) and uploaded, the picture is drawn again with it.
TEST(MapRenderer, AZoomMeetingALodNotReadYetDrawsAStandInUntilItHasArrived) {
    const auto blob = gis::serialize(grid_scene(10, 1.0));  // 10° square: zoomed out the coarse LOD, zoomed in the fine one
    for (const bool prefetching : {false, true}) {
        SCOPED_TRACE(prefetching ? "LODs read on the prefetch thread" : "no prefetch thread");
        const gis::Scene scene = gis::open_scene(std::make_shared<BytesBlob>(blob));
        std::unique_ptr<gis::LodPrefetch> prefetch;
        if (prefetching) prefetch = std::make_unique<gis::LodPrefetch>(scene);
        NullDevice device;
        MapRenderer map(device, scene, nullptr);
        map.set_lod_prefetch(prefetch.get());
        map.set_viewport(640, 480);
        map.set_level(5);
        map.set_frame_cache(true);
        map.set_frame_budget(0);  // every picture in one go
        auto& cam = map.camera();
        const gis::Point centre{320, 240};
        cam.fit(gis::Box{-5, -5, 5, 5});
        cam.zoom_about(10, centre);  // the coarse LOD's last zoom
        cam.settle();
        map.render();
        ASSERT_EQ(map.lod_index(map.layer()), 1);
        ASSERT_FALSE(scene.layers[0].lods[0].loaded);
        EXPECT_EQ(map.pictures_with_stand_ins(), 0u);

        cam.zoom_about(2.5, centre);  // into the fine LOD's zooms
        ASSERT_EQ(map.lod_index(map.layer()), 0);
        const auto redraws = map.cache_redraws();
        map.render();
        EXPECT_EQ(map.cache_redraws(), redraws + 1);
        EXPECT_EQ(map.pictures_with_stand_ins(), 1u) << "the coarse LOD stood in for the fine one";
        ASSERT_TRUE(map.picture_shown());
        EXPECT_TRUE(map.picture_shown()->stand_ins);
        EXPECT_EQ(map.lods_wanted(), 2u) << "the fine LOD's fills and borders";
        EXPECT_TRUE(map.update(0)) << "frames go on while a LOD is wanted";
        if (!prefetching) {
            EXPECT_FALSE(scene.layers[0].lods[0].loaded) << "not read in a frame while the view moves";
            for (int f = 0; f < 5; ++f) {
                cam.zoom_about(1.01, centre);
                map.render();
            }
            EXPECT_FALSE(scene.layers[0].lods[0].loaded);
            EXPECT_EQ(map.pictures_with_stand_ins(), 1u) << "nothing new to draw until it arrives";
            cam.settle();
        }
        // frames (moving with the prefetch thread, at rest without) until it is read and uploaded
        for (int f = 0; f < 2000 && map.lods_wanted() > 0; ++f) {
            if (prefetching) cam.zoom_about(1.0001, centre);
            map.update(0);
            map.render();
            if (prefetching && map.lods_wanted() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ASSERT_EQ(map.lods_wanted(), 0u);
        EXPECT_TRUE(scene.layers[0].lods[0].loaded);
        map.render();
        EXPECT_GT(map.cache_redraws(), redraws + 1) << "drawn again with the fine LOD";
        ASSERT_TRUE(map.picture_shown());
        EXPECT_FALSE(map.picture_shown()->stand_ins) << "and that picture needed none";
        const auto after = map.cache_redraws();
        for (int f = 0; f < 3; ++f) map.render();
        if (!prefetching) {
            EXPECT_EQ(map.cache_redraws(), after) << "at rest, nothing more to draw";
        }
        map.set_lod_prefetch(nullptr);
    }
}

// A LOD part larger than a slice goes up a slice a frame (4 MiB), a smaller one standing in meanwhile.
TEST(MapRenderer, ALargeLodIsUploadedASliceAFrameWhileASmallerOneStandsIn) {
    gis::Scene scene;
    scene.bounds = gis::Box{0, 0, 1, 1};
    gis::SceneLayer layer;
    layer.level = 5;
    gis::SceneFeature f;
    f.code = "1";
    f.bounds = gis::Box{0, 0, 1, 1};
    f.anchor = {0.5, 0.5};
    layer.features.push_back(f);
    for (const double tolerance : {0.0, 0.01}) {
        gis::SceneLod lod;
        lod.tolerance = tolerance;
        const std::uint32_t n = tolerance == 0 ? 600000 : 3;  // fine: 9.6 MB of fills (xy, feature, index)
        lod.xy.assign(std::size_t{n} * 2, 0.5f);
        lod.vertex_feature.assign(n, 0);
        for (std::uint32_t i = 0; i < n; ++i) lod.indices.push_back(i);
        lod.fill_chunks = {{gis::Box{0, 0, 1, 1}, 0, n}};
        lod.segments = {0, 0, 1, 1};
        lod.border_chunks = {{gis::Box{0, 0, 1, 1}, 0, 1}};
        layer.lods.push_back(std::move(lod));
    }
    scene.layers.push_back(std::move(layer));
    NullDevice device;
    MapRenderer map(device, scene, nullptr);
    map.set_viewport(640, 480);
    map.set_level(5);
    map.set_frame_cache(true);
    map.set_frame_budget(0);
    map.camera().fit(gis::Box{0, 0, 1, 1});  // 480 px a degree: 0.01° is 4.8 px, so the fine LOD
    ASSERT_EQ(map.lod_index(map.layer()), 0);
    map.render();
    EXPECT_EQ(map.pictures_with_stand_ins(), 1u) << "the first picture: the small LOD, at once";
    const std::uint64_t slice = std::uint64_t{4} << 20, fills = 600000ull * 16;
    const auto redraws = map.cache_redraws();
    int frames = 0;
    while (map.lods_wanted() > 0 && frames < 10) {
        device.begin_frame();
        map.render();
        ++frames;
        EXPECT_LE(device.counters().bytes_uploaded, slice);
    }
    EXPECT_EQ(frames, static_cast<int>((fills + slice - 1) / slice)) << "9.6 MB in slices of 4 MiB";
    EXPECT_GE(map.gpu_bytes(), fills);
    EXPECT_EQ(map.cache_redraws(), redraws + 1) << "drawn again with the fine LOD in the frame it was all there";
    EXPECT_EQ(map.pictures_with_stand_ins(), 1u);
    ASSERT_TRUE(map.picture_shown());
    EXPECT_FALSE(map.picture_shown()->stand_ins);
    map.render();
    EXPECT_EQ(map.cache_redraws(), redraws + 1) << "and then nothing more";
}

// `onemap render` reads the LODs a frame will draw on another thread, before the renderer exists:
// lods_drawn must name exactly those the frame then reads, at every zoom (townships' borders come and go).
TEST(MapRenderer, LodsDrawnAreTheLodsAFrameReads) {
    // villages of a 40×40 grid, 0.01° each, in townships of 4×4 villages
    gis::SceneInputLayer towns, villages;
    towns.level = 4;
    villages.level = 5;
    const double s = 0.01;
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 40; ++x) {
            gis::Ring r{{x * s, y * s}, {(x + 1) * s, y * s}, {(x + 1) * s, (y + 1) * s}, {x * s, (y + 1) * s}};
            villages.features.push_back({std::to_string(y * 40 + x), "", "村", 1, {gis::Polygon{r, {}}}});
            if (x % 4 == 0 && y % 4 == 0) {
                const double t = 4 * s;
                gis::Ring tr{{x * s, y * s}, {x * s + t, y * s}, {x * s + t, y * s + t}, {x * s, y * s + t}};
                towns.features.push_back({"t" + std::to_string(y * 40 + x), "", "乡", 1, {gis::Polygon{tr, {}}}});
            }
        }
    gis::SceneBuildOptions opt;
    opt.tolerances = {0.0002, 0.001, 0.005};
    const gis::SceneInputLayer layers[] = {towns, villages};
    const auto blob = gis::serialize(gis::build_scene(layers, opt));
    std::size_t shapes = 0;
    for (const double zoom : {1.0, 4.0, 40.0}) {
        const gis::Scene scene = gis::open_scene(std::make_shared<BytesBlob>(blob));
        ASSERT_TRUE(loaded_lods(scene).empty());
        NullDevice device;
        MapRenderer map(device, scene, nullptr);
        map.set_viewport(800, 600);
        map.set_level(5);
        map.camera().fit(gis::Box{-0.2, -0.2, 0.2, 0.2});
        map.camera().zoom_about(zoom, {400, 300});
        auto want = MapRenderer::lods_drawn(scene, 5, map.camera().pixels_per_degree());
        map.render();
        auto got = loaded_lods(scene);
        std::sort(want.begin(), want.end());
        EXPECT_EQ(want, got) << "zoom " << zoom;
        shapes += got.size();
    }
    EXPECT_GT(shapes, 3u);  // somewhere the townships' borders were drawn too
}

TEST(Png, OpaqueAndTranslucentImagesRoundTrip) {
    const auto dir = std::filesystem::temp_directory_path() / ("onemap-png-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const std::uint8_t alpha : {std::uint8_t{255}, std::uint8_t{90}}) {
        render::Image img{37, 11, std::vector<std::uint8_t>(37 * 11 * 4)};
        for (std::size_t i = 0; i < img.rgba.size(); i += 4) {
            img.rgba[i] = static_cast<std::uint8_t>(i * 7);
            img.rgba[i + 1] = static_cast<std::uint8_t>(i / 3);
            img.rgba[i + 2] = 200;
            img.rgba[i + 3] = (i / 4) % 5 == 0 ? alpha : 255;
        }
        const auto file = dir / "x.png";
        ASSERT_TRUE(render::write_png(file, img));
        const auto back = render::read_png(file);
        ASSERT_TRUE(back);
        EXPECT_EQ(back->width, 37);
        EXPECT_EQ(back->height, 11);
        EXPECT_EQ(back->rgba, img.rgba) << "alpha " << int(alpha);
    }
    // a tall image is deflated in bands of rows on several threads and joined into one stream: libpng
    // reads it back (checking every CRC and the stream's Adler-32) exactly, whatever the band count
    for (const std::uint8_t alpha : {std::uint8_t{255}, std::uint8_t{17}}) {
        render::Image tall{301, 517, std::vector<std::uint8_t>(301 * 517 * 4)};
        for (std::size_t i = 0; i < tall.rgba.size(); i += 4) {
            const std::size_t px = i / 4, x = px % 301, y = px / 301;
            tall.rgba[i] = static_cast<std::uint8_t>(x / 40 * 30);  // flat runs, as maps have
            tall.rgba[i + 1] = static_cast<std::uint8_t>(y / 25 * 11);
            tall.rgba[i + 2] = static_cast<std::uint8_t>((x * y) % 251);
            tall.rgba[i + 3] = (x + y) % 97 == 0 ? alpha : 255;
        }
        for (const unsigned threads : {1u, 3u, 8u}) {
            const auto file = dir / ("tall-" + std::to_string(threads) + ".png");
            ASSERT_TRUE(render::write_png(file, tall, threads));
            const auto back = render::read_png(file);
            ASSERT_TRUE(back) << threads << " threads";
            EXPECT_EQ(back->rgba, tall.rgba) << threads << " threads, alpha " << int(alpha);
        }
    }
    EXPECT_FALSE(render::write_png(dir / "missing-folder" / "x.png", render::Image{2, 2, std::vector<std::uint8_t>(16, 255)}));
    EXPECT_FALSE(render::write_png(dir / "bad.png", render::Image{2, 2, std::vector<std::uint8_t>(3)}));
    EXPECT_FALSE(render::read_png(dir / "bad.png"));
    std::filesystem::remove_all(dir);
}

// Issue 24: a screen that runs for weeks meets more characters than the atlas holds; a full atlas
// says so, and after reset() the glyphs drawn next are rasterised again (not drawn empty for good).
TEST(GlyphAtlas, AFullAtlasSaysSoAndResetMakesRoomAgain) {
    const auto [font, index] = find_font();
    ASSERT_FALSE(font.empty()) << "no CJK font (scripts/setup installs fonts-noto-cjk)";
    GlyphAtlas atlas(font, index);
    char32_t c = 0x4E00;  // CJK unified ideographs, one after another
    for (; c < 0x4E00 + 6000 && !atlas.full(); ++c) atlas.glyph(c, 24);
    ASSERT_TRUE(atlas.full()) << "6,000 glyphs at 24 px do not fit in " << GlyphAtlas::k_size << "²";
    EXPECT_EQ(atlas.glyph(c + 1, 24).w, 0) << "no room: an empty glyph";
    const std::size_t held = atlas.glyph_count();
    EXPECT_GT(held, 900u);
    atlas.reset();
    EXPECT_FALSE(atlas.full());
    EXPECT_EQ(atlas.glyph_count(), 0u);
    EXPECT_EQ(atlas.resets(), 1u);
    const auto& g = atlas.glyph(c + 1, 24);
    EXPECT_GT(g.w, 0) << "rasterised again";
    EXPECT_EQ(g.x, 4);
    EXPECT_EQ(g.y, 4);
}
