// Issue 22: the desk draws what `onemap render` draws, and the renderer stays coherent when the
// level changes between frames (the kiosk's idle-reset crash). A desk Session (kiosk/session/) and a
// MapView on an offscreen GL context, on the render fixture's bundle.
#include "data/policy/catalogue.hpp"
#include "kiosk/gui/map_view.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/session/session.hpp"
#include "render/image.hpp"
#include "render/offscreen.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace onemap;
using namespace onemap::app;
using K = Intent::Kind;

namespace {

class DeskRender : public testing::Test {
protected:
    void SetUp() override {
        std::string why;
        ctx = render::OffscreenContext::create(&why);
        if (!ctx) GTEST_SKIP() << "no OpenGL context (" << why << ")";
        ASSERT_TRUE(fs::exists(ONEMAP_RENDER_BUNDLE)) << "ctest makes it (fixture render_bundle)";
        AppConfig cfg = default_config(Mode::Desk);
        cfg.bundle = ONEMAP_RENDER_BUNDLE;
        SessionOptions opt;
        opt.export_dir = fs::temp_directory_path();
        session = std::make_unique<Session>(cfg, load_session_data(cfg), now, opt);
    }
    void go(K kind, std::string text = {}) {
        for (const Effect& e : session->apply(Intent(kind, std::move(text)), now)) (void)e;
    }
    std::unique_ptr<render::OffscreenContext> ctx;
    Clock::time_point now = Clock::now();
    std::unique_ptr<Session> session;
};

// The desk's PNG export and `onemap render` of the same view (county level, the city in focus, the
// same camera) give the same pixels: colours, classes, legend, mark, borders.
TEST_F(DeskRender, DeskExportIsWhatOnemapRenderDraws) {
    const std::string city = session->regions().root()->children.at(0);
    const std::string period = session->periods().back();
    go(K::SetMetric, "tp_income_pc");
    go(K::SetPeriod, period);
    go(K::Focus, city);
    ASSERT_EQ(session->map().level(), 3) << "a city's children are its counties";

    constexpr int w = 900, h = 600;
    MapView view(session->map(), false);
    view.sync();
    // `onemap render --region CITY` fits the region's box with the camera's default padding
    const gis::Box lonlat = session->map().region_bounds(city, session->regions());
    const gis::Point o = session->map().scene().origin;
    view.renderer().set_viewport(w, h);
    view.renderer().camera().fit(gis::Box{lonlat.min_x - o.x, lonlat.min_y - o.y, lonlat.max_x - o.x, lonlat.max_y - o.y});
    view.renderer().camera().settle();
    const data::Metric* metric = data::find_metric("tp_income_pc");
    const MapLegend legend = picture_legend(session->map().classification(), *metric, period, "zh-CN", session->strings()("no_data"));
    const render::Image desk = view.snapshot(w, h, legend.title, legend.rows);

    const fs::path out = fs::temp_directory_path() / ("onemap-desk-render-" + std::to_string(::getpid()) + ".png");
    const std::string cmd = std::string(ONEMAP_BINARY) + " render --quiet --bundle " + std::string(ONEMAP_RENDER_BUNDLE) +
                            " --level county --region " + city + " --metric tp_income_pc --period " + period +
                            " --size 900x600 --out " + out.string() + " > /dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const auto cli = render::read_png(out);
    ASSERT_TRUE(cli);
    const render::ImageDiff d = render::compare(desk, *cli, 8);
    ASSERT_TRUE(d.same_size);
    const double fraction = static_cast<double>(d.differing_pixels) / (w * h);
    if (fraction > 0.001) {
        render::write_png(out.string() + ".desk.png", desk);
        render::write_png(out.string() + ".diff.png", d.diff);
    } else {
        fs::remove(out);
    }
    EXPECT_LE(fraction, 0.001) << d.differing_pixels << " pixels differ (max " << d.max_channel_difference << "); see " << out << ".desk.png";
}

// Drill to a village with names, hover and selection there, then back to the province, frame after
// frame: what the renderer derived from one layer is never used on another.
TEST_F(DeskRender, LevelSwitchesBetweenFramesKeepTheRendererCoherent) {
    go(K::ToggleLabels);
    MapView view(session->map(), false);
    render::MapRenderer& r = view.renderer();
    std::string township = session->regions().root()->code;  // province → city → county → township
    for (int i = 0; i < 3; ++i) township = session->regions().find(township)->children.at(0);
    const std::string village = session->regions().find(township)->children.at(0);
    for (int round = 0; round < 5; ++round) {
        go(K::Focus, township);
        go(K::Select, village);
        go(K::Hover, village);
        view.sync();
        view.update(5.0);  // the flight ends; the view settles and names are placed
        view.update(1.0);
        view.render(800, 500);
        ASSERT_EQ(view.level(), 5);
        EXPECT_GE(r.selection(), 0);
        EXPECT_GE(r.hover(), 0);
        EXPECT_GT(r.placed_labels(), 0u);
        EXPECT_EQ(r.labels_level(), 5);
        go(K::Home);  // the idle reset's way back: the level changes under the placed names
        view.sync();
        EXPECT_EQ(view.level(), 3) << "the province, drawn as its counties";
        EXPECT_EQ(r.hover(), -1) << "the hover index was the village layer's";
        EXPECT_NE(r.labels_level(), 5) << "names placed on the village layer are not drawn on the city layer";
        for (int frame = 0; frame < 10; ++frame) {
            view.update(1.0 / 60);
            view.render(800, 500);
        }
        EXPECT_TRUE(r.labels_level() == -1 || r.labels_level() == r.level());
        // and straight to another level, with no frame between
        go(K::Focus, township);
        view.sync();
        go(K::Home);
        view.sync();
        view.render(800, 500);
        EXPECT_TRUE(r.labels_level() == -1 || r.labels_level() == r.level());
    }
}

}  // namespace
