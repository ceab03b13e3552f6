// Render tests as data: every folder tests/render/<case>/ holds case.txt (the `onemap render`
// arguments, a per-channel threshold and the allowed fraction of differing pixels) and
// expected.png. The runner renders the case from the test-scale demo bundle (seed 1) and compares;
// on failure it writes actual.png and diff.png next to expected.png.
//
//   ONEMAP_REBASELINE=1 ctest -R Render     rewrites every expected.png from what renders now
//
// `onemap render` takes its context from EGL (render/offscreen.hpp). A few cases run a second time
// with no display at all (DISPLAY and WAYLAND_DISPLAY removed) and ONEMAP_GL=window, so through a
// hidden window on Xvfb, and must match the same expected.png; without a display those skip.
#include "render/image.hpp"
#include "render/offscreen.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace onemap::render;

namespace {

struct Case {
    std::string args;
    int threshold = 24;
    double allowed = 0.003;
};

Case read_case(const fs::path& file) {
    Case c;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, colon), value = line.substr(colon + 1);
        if (key == "args") c.args = value;
        else if (key == "threshold") c.threshold = std::stoi(value);
        else if (key == "allowed") c.allowed = std::stod(value);
    }
    return c;
}

std::string run(const std::string& command) {
    const int rc = std::system((command + " > /dev/null 2>&1").c_str());
    return rc == 0 ? std::string() : "command failed (" + std::to_string(rc) + "): " + command;
}

class RenderCase : public testing::TestWithParam<std::string> {
protected:
    static void SetUpTestSuite() {
        std::string why;
        if (!OffscreenContext::create(&why)) {
            s_skip = "no OpenGL context (" + why + ")";
            return;
        }
        s_dir = fs::temp_directory_path() / ("onemap_render_tests_" + std::to_string(::getpid()));
        fs::create_directories(s_dir);
        // ctest makes the bundle once (fixture render_bundle); run by hand, the runner makes it
        s_bundle = ONEMAP_RENDER_BUNDLE;
        if (!fs::exists(s_bundle)) {
            fs::create_directories(s_bundle.parent_path());
            s_setup_error = run(std::string(ONEMAP_BINARY) + " demo --scale test --seed 1 --force --out " + s_bundle.string());
            if (s_setup_error.empty()) s_setup_error = run(std::string(ONEMAP_BINARY) + " prepare --bundle " + s_bundle.string());
        }
    }
    static void TearDownTestSuite() {
        if (!s_dir.empty()) fs::remove_all(s_dir);
    }
    static inline std::string s_skip, s_setup_error;
    static inline fs::path s_dir, s_bundle;
};

// Renders case `name` with `prefix` before the command (an environment) and compares; `tag` names
// the failure pictures (actual<tag>.png, diff<tag>.png).
void check_case(const fs::path& scratch, const fs::path& bundle, const std::string& name, const std::string& prefix,
                const std::string& tag, bool may_rebaseline) {
    const fs::path dir = fs::path(ONEMAP_RENDER_CASES) / name;
    const Case c = read_case(dir / "case.txt");
    ASSERT_FALSE(c.args.empty()) << dir << "/case.txt has no args line";
    const fs::path actual_tmp = scratch / (name + tag + ".png");
    const std::string err = run(prefix + std::string(ONEMAP_BINARY) + " render --quiet --bundle " + bundle.string() + " " +
                                c.args + " --out " + actual_tmp.string());
    ASSERT_TRUE(err.empty()) << err;
    const auto actual = read_png(actual_tmp);
    ASSERT_TRUE(actual) << "onemap render wrote no readable PNG";
    const char* rebaseline = std::getenv("ONEMAP_REBASELINE");
    if (may_rebaseline && rebaseline && std::string(rebaseline) == "1") {
        ASSERT_TRUE(write_png(dir / "expected.png", *actual));
        GTEST_SKIP() << "rebaselined " << (dir / "expected.png");
    }
    const auto expected = read_png(dir / "expected.png");
    ASSERT_TRUE(expected) << dir / "expected.png" << " is missing; create it with ONEMAP_REBASELINE=1";
    const ImageDiff d = compare(*actual, *expected, c.threshold);
    ASSERT_TRUE(d.same_size) << "size " << actual->width << "×" << actual->height << ", expected " << expected->width << "×"
                             << expected->height;
    const double fraction = static_cast<double>(d.differing_pixels) / (static_cast<double>(actual->width) * actual->height);
    const fs::path actual_png = dir / ("actual" + tag + ".png"), diff_png = dir / ("diff" + tag + ".png");
    if (fraction > c.allowed) {
        write_png(actual_png, *actual);
        write_png(diff_png, d.diff);
    } else {
        fs::remove(actual_png);
        fs::remove(diff_png);
    }
    EXPECT_LE(fraction, c.allowed) << d.differing_pixels << " pixels differ (max channel difference "
                                   << d.max_channel_difference << "); see " << actual_png << " and " << diff_png;
}

TEST_P(RenderCase, MatchesExpected) {
    if (!s_skip.empty()) GTEST_SKIP() << s_skip;
    ASSERT_TRUE(s_setup_error.empty()) << s_setup_error;
    check_case(s_dir, s_bundle, GetParam(), "", "", true);
}

// The same pictures through a hidden window on the display (the other source of a context).
class RenderInAWindow : public RenderCase {};

TEST_P(RenderInAWindow, MatchesExpected) {
    if (!s_skip.empty()) GTEST_SKIP() << s_skip;
    ASSERT_TRUE(s_setup_error.empty()) << s_setup_error;
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) GTEST_SKIP() << "no display: run inside xvfb-run -a -s \"-screen 0 1920x1080x24\"";
    check_case(s_dir, s_bundle, GetParam(), "env ONEMAP_GL=window ", "-window", false);
}

std::vector<std::string> cases() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(ONEMAP_RENDER_CASES))
        if (e.is_directory() && fs::exists(e.path() / "case.txt")) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

INSTANTIATE_TEST_SUITE_P(Render, RenderCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Render, RenderInAWindow,
                         testing::Values("03_choropleth_village", "08_points_clusters", "09_chinese_labels"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
