// Issue 22: the session under the three modes, driven through Session::apply with a clock the test
// holds — no window, no GL. Every screen's logic: drill-down, back, search, compare, exports, idle
// reset, attract, tour, year play, the PIN pad, the look-up steps and lockout, data reload.
#include "data/bundle/bundle.hpp"
#include "data/demo/demo.hpp"
#include "data/household/household_key.hpp"
#include "data/household/privacy.hpp"
#include "fixtures.hpp"
#include "data/search/pinyin.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/session/kiosk_look.hpp"
#include "kiosk/session/session.hpp"

#include "data/household/lookup_guard.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace onemap;
using namespace onemap::app;
using K = Intent::Kind;

namespace {

// A private copy of the test bundle: desk and wall sessions store their render cache into it.
const fs::path& bundle_copy() {
    static const fs::path path = [] {
        const fs::path p = test::temp_dir() / "session-test.gpkg";
        fs::copy_file(test::test_bundle(), p, fs::copy_options::overwrite_existing);
        return p;
    }();
    return path;
}

// A demo bundle with three sample households' credentials, for the look-up.
struct LookupBundle {
    fs::path bundle;
    std::vector<data::DemoSample> samples;
};
const LookupBundle& lookup_bundle() {
    static const LookupBundle b = [] {
        const fs::path path = test::temp_dir() / "session-lookup.gpkg";
        return LookupBundle{path, test::demo_with_samples(path, 7, 3).samples};
    }();
    return b;
}

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

class SessionTest : public ::testing::Test {
protected:
    Clock::time_point t0 = Clock::time_point(std::chrono::hours(1000));
    Clock::time_point now = t0;
    std::unique_ptr<Session> s;
    std::vector<Effect> fx;  // the effects of the last intent
    fs::path exports;

    SessionOptions options(bool lookup = false) {
        SessionOptions o;
        exports = test::temp_dir() / ("exports-" + test_name());
        fs::remove_all(exports);
        fs::create_directories(exports);
        o.export_dir = exports;
        o.open_household_lookup = lookup;
        o.wall_clock = [this] { return 1.8e9 + std::chrono::duration<double>(now - t0).count(); };
        return o;
    }
    AppConfig config(Mode mode) {
        AppConfig c = default_config(mode);
        c.bundle = bundle_copy();
        c.idle_timeout_s = 90;
        c.card_timeout_s = 60;
        c.tour_interval_s = 20;
        return c;
    }
    void start(AppConfig c, SessionOptions o) { s = std::make_unique<Session>(c, load_session_data(c), now, std::move(o)); }
    void start(Mode mode, const std::function<void(AppConfig&)>& edit = {}) {
        AppConfig c = config(mode);
        if (edit) edit(c);
        start(c, options());
    }
    void start_lookup(const std::function<void(AppConfig&)>& edit = {}, bool can_speak = false) {
        AppConfig c = config(Mode::Kiosk);
        c.bundle = lookup_bundle().bundle;
        c.lookup_guard = test::temp_dir() / ("guard-" + test_name() + ".db");
        fs::remove(c.lookup_guard);
        if (edit) edit(c);
        SessionOptions o = options(true);
        o.can_speak = can_speak;
        start(c, o);
        go(K::Screen, "lookup");
    }

    // What the window sends for a person's input: a Touch (the idle timers restart), then the intent.
    std::vector<Effect>& go(K kind, std::string text = {}, std::int64_t number = 0) {
        s->apply(Intent(K::Touch), now);
        fx = s->apply(Intent(kind, std::move(text), number), now);
        return fx;
    }
    // Time passes without anyone touching anything; the window ticks once at the end.
    std::vector<Effect>& wait(double seconds) {
        now += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        fx = s->apply(Intent(K::Tick), now);
        return fx;
    }
    AppState st() const { return s->state(now); }
    bool has(Effect::Kind k) const {
        return std::any_of(fx.begin(), fx.end(), [k](const Effect& e) { return e.kind == k; });
    }
    const data::RegionInfo& region(const std::string& code) const { return *s->regions().find(code); }
    std::string root() const { return s->regions().root()->code; }
    std::string child(const std::string& code, std::size_t i = 0) const { return region(code).children.at(i); }
    // province → city → county → township → village, the first child each time
    std::vector<std::string> path_to_village() const {
        std::vector<std::string> p{child(root())};
        while (p.size() < 4) p.push_back(child(p.back()));
        return p;
    }
    // The map's per-feature data is for the level it draws: the invariant whose breach crashed the kiosk.
    void expect_map_coherent() const {
        const MapModel& m = s->map();
        EXPECT_EQ(m.colors_level(), m.level());
        EXPECT_EQ(m.colors().size(), m.layer().features.size());
        for (const auto& code : {m.selected(), m.hover()}) {
            if (code.empty() || m.index_on_level(code) < 0) continue;
            EXPECT_LT(static_cast<std::size_t>(m.index_on_level(code)), m.layer().features.size());
        }
    }
    void type(const std::string& chars) {
        for (const char c : chars) go(K::LookupKey, std::string(1, c));
    }
    void erase_all() {
        for (int i = 0; i < 20; ++i) go(K::LookupKey, "<");
    }
    const data::DemoSample& sample(std::size_t i = 0) const { return lookup_bundle().samples.at(i); }
    static std::string wrong_factor(const std::string& right) { return right == "0000" ? "1111" : "0000"; }
    static std::string bad_checksum(const std::string& id) {
        for (const char c : std::string("0123456789X")) {
            std::string v = id.substr(0, 17) + c;
            if (!data::valid_id_number(v)) return v;
        }
        return {};
    }
};

// ── Desk: drill-down, back, search ───────────────────────────────────────────────────────────────

TEST_F(SessionTest, DeskStartsOnTheProvinceAtItsCoarsestLevel) {
    start(Mode::Desk);
    EXPECT_EQ(st().focus, root());
    EXPECT_EQ(st().level, "county") << "the test bundle draws no city layer: its one city is drawn as its counties";
    EXPECT_EQ(s->map().level(), s->map().coarsest_level());
    EXPECT_EQ(st().screen, "map");
    EXPECT_EQ(st().metric, "tp_income_pc");
    EXPECT_EQ(st().period, s->periods().back()) << "the latest year";
    EXPECT_TRUE(s->map().focus().empty()) << "the province is not a focus that fades the rest";
    expect_map_coherent();
}

TEST_F(SessionTest, SelectDrillsDownLevelByLevelToAVillage) {
    start(Mode::Desk);
    const auto path = path_to_village();
    const char* levels[] = {"county", "township", "village"};
    for (std::size_t i = 0; i < 3; ++i) {
        go(K::Select, path[i]);
        EXPECT_EQ(st().focus, path[i]);
        EXPECT_EQ(st().level, levels[i]);
        EXPECT_EQ(st().panel_title, region(path[i]).name);
        expect_map_coherent();
    }
    go(K::Select, path[3]);
    EXPECT_EQ(st().focus, path[2]) << "a village has nothing finer: it is selected, the focus stays";
    EXPECT_EQ(st().selected, path[3]);
    EXPECT_EQ(st().panel_title, region(path[3]).name);
    EXPECT_EQ(s->map().selected(), path[3]);
    expect_map_coherent();
}

TEST_F(SessionTest, SelectedRegionShowsItsValueAsThePanelWritesIt) {
    start(Mode::Desk);
    const std::string city = child(root());
    go(K::Select, city);
    const auto v = s->indicators().value(city, "tp_income_pc", st().period);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(st().value, format_value(*v, data::find_metric("tp_income_pc")));
    EXPECT_NE(st().value.find("元"), std::string::npos);
}

TEST_F(SessionTest, BackGoesUpOneLevelAndStopsAtTheProvince) {
    start(Mode::Desk);
    const auto path = path_to_village();
    for (std::size_t i = 0; i < 3; ++i) go(K::Select, path[i]);
    go(K::Back);
    EXPECT_EQ(st().focus, path[1]);
    EXPECT_EQ(st().level, "township");
    go(K::Back);
    go(K::Back);
    EXPECT_EQ(st().focus, root());
    go(K::Back);
    EXPECT_EQ(st().focus, root()) << "nothing above the province";
    EXPECT_EQ(st().level, "county");
    expect_map_coherent();
}

TEST_F(SessionTest, EscapeAndTheRightButtonGoBackOnTheDesk) {
    start(Mode::Desk);
    const auto path = path_to_village();
    go(K::Select, path[0]);
    go(K::Select, path[1]);
    go(K::Escape);
    EXPECT_EQ(st().focus, path[0]);
    go(K::SecondaryClick);
    EXPECT_EQ(st().focus, root());
}

TEST_F(SessionTest, HomeReturnsToTheProvinceFromAnywhere) {
    start(Mode::Desk);
    for (const auto& c : path_to_village()) go(K::Select, c);
    go(K::Home);
    EXPECT_EQ(st().focus, root());
    EXPECT_EQ(st().selected, root());
    EXPECT_EQ(st().level, "county");
    expect_map_coherent();
}

TEST_F(SessionTest, SearchResultFocusesThatRegionAtOnce) {
    start(Mode::Desk);
    const std::string village = path_to_village().back();
    go(K::Focus, village);
    EXPECT_EQ(st().focus, village);
    EXPECT_EQ(st().level, "village");
    EXPECT_EQ(st().camera_target, village);
    ASSERT_FALSE(s->map().view_requests().empty()) << "the camera is asked to fly there";
    EXPECT_EQ(s->map().view_requests().back().kind, ViewRequest::Kind::Fit);
    expect_map_coherent();
}

TEST_F(SessionTest, UnknownCodesChangeNothing) {
    start(Mode::Desk);
    const AppState before = st();
    go(K::Select, "419999");
    go(K::Focus, "nope");
    go(K::Select, "");
    EXPECT_EQ(st(), before);
}

TEST_F(SessionTest, HoverFollowsThePointerAndClears) {
    start(Mode::Desk);
    const std::string county = child(child(root()));
    go(K::Hover, county);
    EXPECT_EQ(s->hover(), county);
    EXPECT_GE(s->map().index_on_level(county), 0);
    go(K::Hover, "");
    EXPECT_TRUE(s->hover().empty());
}

TEST_F(SessionTest, DrawnLevelIndexIsBuiltOnceForEveryLevel) {
    start(Mode::Desk);
    const MapModel& m = s->map();
    const auto village = path_to_village().back();
    ASSERT_NE(m.find(village), nullptr) << "every level's features are in the index";
    EXPECT_EQ(m.index_on_level(village), -1) << "not on the drawn (city) level";
    for (const auto& code : m.drawn_codes()) EXPECT_EQ(m.layer().features.at(static_cast<std::size_t>(m.index_on_level(code))).code, code);
}

// ── Desk: indicator, year, classes, layers ───────────────────────────────────────────────────────

TEST_F(SessionTest, SetMetricRecoloursAndIgnoresUnknownKeys) {
    start(Mode::Desk);
    const auto v0 = s->map().colors_version();
    go(K::SetMetric, "rural_income_pc");
    EXPECT_EQ(st().metric, "rural_income_pc");
    EXPECT_GT(s->map().colors_version(), v0);
    go(K::SetMetric, "no_such_metric");
    EXPECT_EQ(st().metric, "rural_income_pc");
    go(K::SetMetric, "rule:R99");
    EXPECT_EQ(st().metric, "rural_income_pc");
}

TEST_F(SessionTest, RuleLayerColoursByStatusAndShowsNoValue) {
    start(Mode::Desk);
    go(K::Select, child(root()));
    const auto v0 = s->map().colors_version();
    go(K::SetMetric, "rule:R1");
    EXPECT_EQ(st().metric, "rule:R1");
    EXPECT_GT(s->map().colors_version(), v0);
    EXPECT_TRUE(st().value.empty()) << "a rule layer has statuses, not values";
    expect_map_coherent();
}

TEST_F(SessionTest, SetPeriodTakesOnlyYearsTheBundleHas) {
    start(Mode::Desk);
    const auto& years = s->periods();
    ASSERT_GE(years.size(), 2u);
    go(K::SetPeriod, years.front());
    EXPECT_EQ(st().period, years.front());
    go(K::SetPeriod, "1999");
    EXPECT_EQ(st().period, years.front());
}

TEST_F(SessionTest, ClassesAndMethodAreClamped) {
    start(Mode::Desk);
    go(K::SetClasses, "", 5);
    EXPECT_EQ(s->classes(), 5);
    EXPECT_LE(s->map().classification().classes(), 5);
    EXPECT_EQ(s->map().class_counts().size(), static_cast<std::size_t>(s->map().classification().classes()) + 1) << "the classes and no data";
    go(K::SetClasses, "", 50);
    EXPECT_EQ(s->classes(), 9);
    go(K::SetClasses, "", 1);
    EXPECT_EQ(s->classes(), 3);
    go(K::SetMethod, "", 2);
    EXPECT_EQ(static_cast<int>(s->method()), 2);
    go(K::SetMethod, "", 9);
    EXPECT_EQ(static_cast<int>(s->method()), 2);
}

TEST_F(SessionTest, YearPlayStepsEveryOneAndAHalfSecondsAndWraps) {
    start(Mode::Desk);
    const auto& years = s->periods();
    go(K::TogglePlay);
    EXPECT_TRUE(s->playing());
    EXPECT_LE(s->next_timer(now), 1.5);
    wait(1.0);
    EXPECT_EQ(st().period, years.back()) << "not yet";
    wait(0.6);
    EXPECT_EQ(st().period, years.front()) << "from the last year round to the first";
    wait(1.6);
    EXPECT_EQ(st().period, years.at(1));
    go(K::TogglePlay);
    wait(5);
    EXPECT_EQ(st().period, years.at(1)) << "stopped";
    EXPECT_EQ(s->next_timer(now), 10.0);
}

TEST_F(SessionTest, ProjectAndSiteLayersToggleTheirSymbols) {
    start(Mode::Desk);
    EXPECT_TRUE(s->map().points().empty());
    go(K::ToggleProjects);
    EXPECT_TRUE(s->projects());
    const auto projects = s->map().points().size();
    EXPECT_GT(projects, 0u);
    go(K::ToggleSites);
    EXPECT_GT(s->map().points().size(), projects);
    go(K::ToggleProjects);
    go(K::ToggleSites);
    EXPECT_TRUE(s->map().points().empty());
}

TEST_F(SessionTest, LabelsToggleOnTheDesk) {
    start(Mode::Desk);
    EXPECT_FALSE(s->map().labels()) << "the desk starts without names";
    const auto v0 = s->map().labels_version();
    go(K::ToggleLabels);
    EXPECT_TRUE(s->map().labels());
    EXPECT_GT(s->map().labels_version(), v0);
}

TEST_F(SessionTest, ZoomAsksTheCameraExceptOnTheWall) {
    start(Mode::Desk);
    s->map().take_view_requests();
    go(K::Zoom, "", 1);
    ASSERT_EQ(s->map().view_requests().size(), 1u);
    EXPECT_EQ(s->map().view_requests().front().kind, ViewRequest::Kind::Zoom);
    EXPECT_GT(s->map().view_requests().front().factor, 1.0);
    start(Mode::Wall);
    s->map().take_view_requests();
    go(K::Zoom, "", 1);
    EXPECT_TRUE(s->map().view_requests().empty());
}

// ── Desk: exports and the comparison ─────────────────────────────────────────────────────────────

TEST_F(SessionTest, ExportPngIsAnEffectAnsweredByExported) {
    start(Mode::Desk);
    go(K::ExportPng);
    ASSERT_EQ(fx.size(), 1u);
    EXPECT_EQ(fx[0].kind, Effect::Kind::ExportPng);
    EXPECT_EQ(fx[0].path, exports / ("onemap-" + root() + "-tp_income_pc-" + st().period + ".png"));
    go(K::Exported, fx[0].path.string(), 1);
    EXPECT_EQ(st().last_export, (exports / ("onemap-" + root() + "-tp_income_pc-" + st().period + ".png")).string());
    EXPECT_NE(s->message().find(s->strings()("exported")), std::string::npos);
    go(K::Exported, "/nowhere/x.png", 0);
    EXPECT_EQ(s->message(), "cannot write /nowhere/x.png");
}

TEST_F(SessionTest, ExportCsvWritesTheChildrenWithABom) {
    start(Mode::Desk);
    const std::string city = child(root());
    go(K::Select, city);
    go(K::ExportCsv);
    const fs::path csv = exports / ("onemap-" + city + "-children-" + st().period + ".csv");
    ASSERT_TRUE(fs::exists(csv)) << s->message();
    const std::string text = test::read_file(csv);
    EXPECT_EQ(text.rfind("\xEF\xBB\xBF" "code,name,level,tp_income_pc", 0), 0u);
    for (const auto& county : region(city).children) EXPECT_NE(text.find(county + "," + region(county).name), std::string::npos);
    EXPECT_EQ(st().last_export, csv.string());
}

TEST_F(SessionTest, CompareHoldsFourRegionsTogglesAndClears) {
    start(Mode::Desk);
    const std::string city = child(root());
    std::vector<std::string> codes{root(), city};
    for (const auto& c : region(city).children) codes.push_back(c);
    ASSERT_GE(codes.size(), 5u);
    for (const auto& c : codes) go(K::CompareToggle, c);
    EXPECT_EQ(st().compare, std::vector<std::string>(codes.begin(), codes.begin() + k_compare_max)) << "four at most, in the order added";
    go(K::CompareToggle, city);
    EXPECT_EQ(st().compare.size(), 3u);
    const auto compare = st().compare;
    EXPECT_EQ(std::count(compare.begin(), compare.end(), city), 0);
    go(K::CompareToggle, "nope");
    EXPECT_EQ(st().compare.size(), 3u);
    go(K::CompareClear);
    EXPECT_TRUE(st().compare.empty());
}

TEST_F(SessionTest, CompareExportHasAColumnPerIndicatorOfThePanel) {
    start(Mode::Desk);
    go(K::CompareExport);
    EXPECT_TRUE(st().last_export.empty()) << "nothing to compare, nothing written";
    const std::string city = child(root());
    go(K::CompareToggle, city);
    go(K::CompareToggle, child(city));
    go(K::CompareExport);
    const fs::path csv = exports / ("onemap-compare-" + st().period + ".csv");
    ASSERT_TRUE(fs::exists(csv));
    std::string header = "code,name,level";
    for (const auto m : k_compare_metrics) header += "," + std::string(m);
    const std::string text = test::read_file(csv);
    EXPECT_EQ(text.substr(3, header.size()), header);
    EXPECT_NE(text.find(child(city) + ","), std::string::npos);
}

TEST_F(SessionTest, KioskHasNoComparisonAndNoDeskBack) {
    start(Mode::Kiosk);
    go(K::CompareToggle, child(root()));
    EXPECT_TRUE(st().compare.empty());
    go(K::Select, child(root()));
    go(K::Escape);
    EXPECT_EQ(st().focus, child(root())) << "Esc is the desk's back";
}

// ── Kiosk: screens, idle reset, attract ──────────────────────────────────────────────────────────

TEST_F(SessionTest, KioskStartsHomeWithNamesAndProjects) {
    start(Mode::Kiosk);
    EXPECT_EQ(st().screen, "home");
    EXPECT_EQ(s->kiosk_screen(), KioskScreen::Home);
    EXPECT_TRUE(s->map().labels());
    // No cluster bubbles over the home map: the projects' symbols come with 身边的项目, and go with it.
    EXPECT_FALSE(s->projects());
    EXPECT_TRUE(s->map().points().empty());
    go(K::Screen, "projects");
    EXPECT_TRUE(s->projects());
    EXPECT_FALSE(s->map().points().empty());
    go(K::Screen, "home");
    EXPECT_TRUE(s->map().points().empty());
    EXPECT_FALSE(s->project_list().empty());
    EXPECT_FALSE(s->policy().empty()) << "the policy cards in plain words";
}

TEST_F(SessionTest, KioskScreensFollowTheStateMachine) {
    start(Mode::Kiosk);
    for (const char* to : {"policy", "projects", "lookup", "find", "policy", "home"}) {
        go(K::Screen, to);
        EXPECT_EQ(st().screen, to);
    }
    go(K::Screen, "attract");
    EXPECT_EQ(st().screen, "home") << "the attract loop comes by itself";
    go(K::Screen, "bogus");
    EXPECT_EQ(st().screen, "home");
    EXPECT_FALSE(screen_step_allowed(KioskScreen::Attract, KioskScreen::Policy));
    EXPECT_TRUE(screen_step_allowed(KioskScreen::Lookup, KioskScreen::Attract));
    for (const char* key : {"home", "policy", "projects", "lookup", "find", "attract"}) EXPECT_EQ(screen_key(*parse_screen(key)), key);
    EXPECT_FALSE(parse_screen("map").has_value());
}

// ── Kiosk for elderly villagers (适老化, issue 25) ───────────────────────────────────────────────

TEST(KioskLook, SizesMeetTheTargetsInMillimetresOnAnyPanel) {
    const double p1080 = panel_px_per_mm(1920, 1080, 21.5, 0, 0);
    EXPECT_NEAR(p1080, 4.03, 0.01);
    const KioskSizes n = kiosk_sizes(p1080, false), l = kiosk_sizes(p1080, true);
    EXPECT_GE(n.body_px, 32);
    EXPECT_GE(n.heading_px, 48);
    EXPECT_GE(l.body_px, 44) << "大字";
    EXPECT_GT(l.heading_px, n.heading_px);
    EXPECT_GE(n.target_px / p1080, 15.0);
    EXPECT_GE(n.gap_px / p1080, 2.0);
    // An 8K 32" panel: the same millimetres.
    const double p8k = panel_px_per_mm(7680, 4320, 32, 0, 0);
    const KioskSizes big = kiosk_sizes(p8k, false);
    EXPECT_NEAR(big.body_px / p8k, n.body_px / p1080, 0.3);
    EXPECT_NEAR(big.target_px / p8k, n.target_px / p1080, 0.3);
    // The configured diagonal wins over what the monitor says; a reported size counts when plausible.
    EXPECT_NEAR(panel_px_per_mm(1920, 1080, 0, 476, 268), 4.03, 0.02);
    EXPECT_NEAR(panel_px_per_mm(1920, 1080, 0, 0, 0), p1080, 1e-9) << "nothing known: 21.5 inches";
    EXPECT_NEAR(panel_px_per_mm(1920, 1080, 0, 10, 10), p1080, 1e-9) << "an implausible size is ignored";
}

TEST(KioskLook, EveryTextAndItsBackgroundAreAtLeastFourAndAHalfToOneInBothThemes) {
    EXPECT_NEAR(contrast_ratio({1, 1, 1}, {0, 0, 0}), 21.0, 1e-6);
    EXPECT_NEAR(contrast_ratio({1, 1, 1}, {1, 0.75f, 0}), 1.6, 0.1) << "white on yellow, the old selected button";
    for (const bool high : {false, true}) {
        const auto pairs = text_pairs(kiosk_palette(high));
        EXPECT_GE(pairs.size(), 9u);
        for (const auto& p : pairs) EXPECT_GE(contrast_ratio(p.text, p.background), k_min_contrast) << (high ? "high contrast: " : "standard: ") << p.name;
    }
    EXPECT_GE(contrast_ratio(kiosk_palette(true).text, kiosk_palette(true).background), 21.0 - 1e-6);
}

TEST(KioskText, NumbersReadLikeSentencesAndTheIdIsMasked) {
    const Strings zh = Strings::load("zh-CN"), en = Strings::load("en");
    EXPECT_EQ(format_count(300000), "300,000");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1234567.4), "1,234,567");
    EXPECT_EQ(format_growth(8.14, zh), "比上年增长 8.1%");
    EXPECT_EQ(format_growth(-1.2, zh), "比上年下降 1.2%");
    EXPECT_EQ(format_growth(0.01, zh), "与上年持平");
    EXPECT_EQ(format_growth(8.1, en), "up 8.1% on the year before");
    EXPECT_EQ(masked_id("410102"), "410102");
    EXPECT_EQ(masked_id("4101021"), "410102 1") << "the digit just typed shows";
    EXPECT_EQ(masked_id("41010219"), "410102 *9");
    EXPECT_EQ(masked_id("410102198001019734"), "410102 ******** 9734") << "complete: the first 6 and last 4 only";
    EXPECT_EQ(masked_id("4101021980010197"), "410102 ******** 97");
}

TEST_F(SessionTest, KioskHomeSpeaksInSentencesWithGroupedNumbers) {
    start(Mode::Kiosk);
    const auto lines = s->facts(root());
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines[0].find(','), std::string::npos) << "a province's households, grouped: " << lines[0];
    bool growth = false;
    for (const auto& l : lines) growth = growth || l.find("比上年") != std::string::npos || l.find("与上年持平") != std::string::npos;
    EXPECT_TRUE(growth) << "the income line says how it changed in words";
}

TEST_F(SessionTest, KioskEveryScreenHasItsInstructionAndCanBeReadAloud) {
    AppConfig c = config(Mode::Kiosk);
    SessionOptions o = options();
    o.can_speak = true;
    start(c, o);
    std::set<std::string> seen;
    for (const char* to : {"home", "policy", "projects", "find", "lookup"}) {
        go(K::Screen, to);
        const std::string line = st().instruction;
        EXPECT_FALSE(line.empty()) << to;
        seen.insert(line);
        go(K::SpeakScreen);
        ASSERT_TRUE(has(Effect::Kind::Speak)) << to;
        const auto it = std::find_if(fx.begin(), fx.end(), [](const Effect& e) { return e.kind == Effect::Kind::Speak; });
        EXPECT_EQ(it->text.rfind(line, 0), 0u) << "the instruction first: " << to;
        if (std::string(to) != "lookup") {  // (this session has no look-up: its line is all it says)
            EXPECT_GT(it->text.size(), line.size()) << "and the screen's text: " << to;
        }
    }
    EXPECT_EQ(seen.size(), 5u) << "one line per screen";
}

TEST_F(SessionTest, KioskLargeTextAndHighContrastFromEveryScreenUntilTheIdleReset) {
    start(Mode::Kiosk);
    for (const char* to : {"home", "policy", "projects", "find", "lookup"}) {
        go(K::Screen, to);
        const bool big = st().large_text;
        go(K::LargeText);
        EXPECT_NE(st().large_text, big) << to;
        const std::string theme = st().theme;
        go(K::Contrast);
        EXPECT_NE(st().theme, theme) << to;
        EXPECT_EQ(st().screen, to) << "the toggles keep the screen";
    }
    ASSERT_TRUE(st().large_text) << "five screens, five taps each";
    ASSERT_EQ(st().theme, "high_contrast");
    wait(91);
    EXPECT_EQ(st().screen, "attract");
    EXPECT_FALSE(st().large_text) << "the next visitor starts afresh";
    EXPECT_EQ(st().theme, "standard");
}

TEST_F(SessionTest, KioskConfiguredHighContrastIsWhereEachVisitorStarts) {
    start(Mode::Kiosk, [](AppConfig& c) { c.theme = Theme::HighContrast; });
    EXPECT_EQ(st().theme, "high_contrast");
    go(K::Contrast);
    EXPECT_EQ(st().theme, "standard");
    wait(91);
    EXPECT_EQ(st().theme, "high_contrast") << "the idle reset returns to the configured theme";
}

TEST_F(SessionTest, KioskPolicyCardsPageWithBigButtonsNotScrolling) {
    start(Mode::Kiosk);
    go(K::Screen, "policy");
    const int normal = st().pages;
    ASSERT_GE(normal, 1);
    go(K::LargeText);
    const int large = st().pages;
    EXPECT_EQ(large, static_cast<int>(s->policy().size())) << "大字: a card a page";
    EXPECT_GE(large, normal);
    for (int i = 0; i < large + 3; ++i) go(K::Page, {}, 1);
    EXPECT_EQ(st().page, large - 1) << "下一页 stops at the last";
    go(K::Page, {}, -1);
    EXPECT_EQ(st().page, large - 2);
    go(K::LargeText);  // back to two a page: the page stays in range
    EXPECT_LT(st().page, st().pages);
    go(K::Screen, "home");
    go(K::Screen, "policy");
    EXPECT_EQ(st().page, 0) << "a screen opens at its first page";
}

TEST_F(SessionTest, KioskFindsAVillageByPinyinInitialsInThreeTaps) {
    start(Mode::Kiosk);
    // a village of the demo bundle, and the initials a visitor would type
    const std::string village = path_to_village().back();
    const std::string name = region(village).name;
    const std::string initials = data::initials_of(name, data::PinyinInitials::shared());
    ASSERT_GE(initials.size(), 2u) << name;
    int taps = 0;
    go(K::Screen, "find"), ++taps;
    EXPECT_EQ(st().screen, "find");
    // typed until the village is among the results (at most the whole name's initials)
    std::size_t typed = 0;
    while (typed < initials.size() &&
           std::find(st().find_results.begin(), st().find_results.end(), village) == st().find_results.end()) {
        go(K::FindKey, std::string(1, initials[typed++]));
    }
    const auto results = st().find_results;
    ASSERT_NE(std::find(results.begin(), results.end(), village), results.end()) << name << " by " << initials;
    EXPECT_LE(results.size(), 8u);
    for (const auto& r : s->find_results()) {
        EXPECT_TRUE(data::initials_prefix(r.name, st().find_query, data::PinyinInitials::shared())) << r.name;
        if (r.code.size() == 12) {
            EXPECT_FALSE(r.county.empty()) << "the county beside each name";
        }
    }
    go(K::FindPick, village), ++taps;
    EXPECT_LE(taps, 3);
    EXPECT_EQ(st().screen, "home");
    EXPECT_EQ(st().selected, village);
    EXPECT_EQ(st().focus, region(village).parent_code) << "among its neighbours";
    EXPECT_FALSE(s->facts(village).empty());
    // by code: digits; letters and digits do not mix; erase and clear
    go(K::Screen, "find");
    EXPECT_TRUE(st().find_query.empty()) << "a fresh search each time";
    for (const char c : village.substr(0, 9)) go(K::FindKey, std::string(1, c));
    go(K::FindKey, "Z");
    EXPECT_EQ(st().find_query, village.substr(0, 9));
    ASSERT_FALSE(st().find_results.empty());
    for (const auto& code : st().find_results) EXPECT_EQ(code.rfind(village.substr(0, 9), 0), 0u);
    go(K::FindKey, "<");
    EXPECT_EQ(st().find_query, village.substr(0, 8));
    go(K::FindKey, "clear");
    EXPECT_TRUE(st().find_query.empty());
    EXPECT_TRUE(st().find_results.empty());
    go(K::FindPick, village);
    EXPECT_EQ(st().screen, "find") << "only a shown result can be picked";
}

TEST_F(SessionTest, KioskLookupShowsTheIdMaskedOnceTyped) {
    start_lookup();
    const std::string id = sample().id_number;
    type(id.substr(0, 8));
    EXPECT_EQ(st().lookup_display, masked_id(id.substr(0, 8)));
    EXPECT_EQ(st().lookup_display.find(id.substr(6, 2)), std::string::npos) << "the birth date is starred";
    type(id.substr(8));
    EXPECT_EQ(st().lookup_display, id.substr(0, 6) + " ******** " + id.substr(14));
    go(K::LookupNext);
    type("12");
    EXPECT_EQ(st().lookup_display, id.substr(0, 6) + " ******** " + id.substr(14) + "  **");
    EXPECT_EQ(st().lookup_display.find("12"), std::string::npos);
}

TEST_F(SessionTest, DeskAndWallHaveNoKioskScreens) {
    start(Mode::Desk);
    go(K::Screen, "policy");
    EXPECT_EQ(st().screen, "map");
    EXPECT_FALSE(s->kiosk_screen().has_value());
}

// The crash of issue 22: drill down to a village, walk away, the idle reset returns to the province.
TEST_F(SessionTest, KioskDrillToAVillageThenIdleResetTwentyTimes) {
    start(Mode::Kiosk);
    const auto path = path_to_village();
    for (int round = 0; round < 20; ++round) {
        for (const auto& code : path) go(K::Select, code);
        go(K::Hover, path.back());
        ASSERT_EQ(st().level, "village");
        ASSERT_EQ(st().selected, path.back());
        wait(89);
        ASSERT_EQ(st().screen, "home") << "not yet";
        wait(2);
        ASSERT_EQ(st().screen, "attract") << "round " << round;
        EXPECT_EQ(st().focus, root());
        EXPECT_EQ(st().level, "county");
        EXPECT_EQ(st().selected, root());
        EXPECT_TRUE(s->hover().empty());
        expect_map_coherent();
        for (int frame = 0; frame < 10; ++frame) wait(1.0 / 60);
        expect_map_coherent();
        go(K::Touch);
        ASSERT_EQ(st().screen, "home") << "a touch wakes it";
    }
}

TEST_F(SessionTest, KioskIdleResetClosesEveryScreenAndThePinPad) {
    start(Mode::Kiosk);
    go(K::Screen, "policy");
    go(K::AdminChord);
    go(K::PinKey, "1");
    EXPECT_EQ(st().pin_typed, 1);
    wait(91);
    EXPECT_EQ(st().screen, "attract");
    EXPECT_FALSE(s->admin_pad());
    EXPECT_EQ(st().pin_typed, 0);
    EXPECT_TRUE(s->typing().pin.empty());
}

TEST_F(SessionTest, InputPostponesTheIdleReset) {
    start(Mode::Kiosk);
    go(K::Select, child(root()));
    wait(60);
    go(K::Touch);
    wait(60);
    EXPECT_EQ(st().screen, "home");
    EXPECT_EQ(st().focus, child(root()));
    EXPECT_NEAR(s->next_timer(now), 30, 1e-6) << "the window sleeps until the reset is due";
}

TEST_F(SessionTest, AttractTapWakesWithoutDrilling) {
    start(Mode::Kiosk);
    wait(91);
    ASSERT_EQ(st().screen, "attract");
    EXPECT_EQ(s->next_timer(now), 4.0);
    s->apply(Intent(K::Select, child(root())), now);  // a tap that has not woken it yet
    EXPECT_EQ(st().focus, root());
    go(K::Touch);
    EXPECT_EQ(st().screen, "home");
    go(K::Select, child(root()));
    EXPECT_EQ(st().focus, child(root()));
}

TEST_F(SessionTest, AttractLoopFliesOverTheHomeRegionsChildren) {
    start(Mode::Kiosk);
    wait(91);
    s->map().take_view_requests();
    wait(7);
    EXPECT_TRUE(s->map().view_requests().empty()) << "not yet";
    wait(2);
    const auto& children = region(root()).children;
    EXPECT_NE(std::find(children.begin(), children.end(), st().camera_target), children.end());
    ASSERT_FALSE(s->map().view_requests().empty());
    EXPECT_EQ(s->map().view_requests().back().kind, ViewRequest::Kind::Fit);
}

TEST_F(SessionTest, KioskHomeRegionIsWhereItStaysAndReturns) {
    const std::string county = "410221";
    start(Mode::Kiosk, [&](AppConfig& c) { c.home_region = county; });
    EXPECT_EQ(st().focus, county);
    EXPECT_EQ(st().level, "township");
    go(K::Back);
    EXPECT_EQ(st().focus, county) << "a kiosk stays in its region";
    go(K::Select, child(county));
    go(K::Back);
    EXPECT_EQ(st().focus, county);
    go(K::Select, child(county));
    wait(91);
    EXPECT_EQ(st().focus, county);
}

TEST_F(SessionTest, UnknownHomeRegionIsRefusedWithItsCode) {
    try {
        start(Mode::Kiosk, [](AppConfig& c) { c.home_region = "419999"; });
        FAIL() << "accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("419999"), std::string::npos) << e.what();
    }
}

TEST_F(SessionTest, ReloadWaitsForTheNextVisitor) {
    start(Mode::Kiosk);
    EXPECT_TRUE(s->reload_allowed());
    go(K::Screen, "policy");
    EXPECT_FALSE(s->reload_allowed()) << "not under someone reading";
    go(K::Screen, "home");
    go(K::AdminChord);
    EXPECT_FALSE(s->reload_allowed());
    go(K::AdminCancel);
    EXPECT_TRUE(s->reload_allowed());
    start(Mode::Desk);
    EXPECT_TRUE(s->reload_allowed());
}

// ── Kiosk: the admin PIN pad ─────────────────────────────────────────────────────────────────────

TEST_F(SessionTest, PinPadCountsDigitsClearsAndCancels) {
    start(Mode::Kiosk);
    go(K::PinKey, "1");
    EXPECT_EQ(st().pin_typed, 0) << "the pad is closed";
    go(K::AdminChord);
    EXPECT_TRUE(s->admin_pad());
    for (int i = 0; i < 15; ++i) go(K::PinKey, "7");
    EXPECT_EQ(st().pin_typed, 12) << "twelve digits at most";
    go(K::PinKey, "x");
    EXPECT_EQ(st().pin_typed, 12);
    go(K::PinKey, "C");
    EXPECT_EQ(st().pin_typed, 0);
    go(K::AdminCancel);
    EXPECT_FALSE(s->admin_pad());
}

TEST_F(SessionTest, RightPinLeavesWrongPinSaysSo) {
    start(Mode::Kiosk, [](AppConfig& c) { c.admin_pin_hash = hash_pin("2468", "testsalt", 1000); });
    go(K::Screen, "admin");
    for (const char* d : {"1", "1", "1", "1"}) go(K::PinKey, d);
    go(K::PinKey, "OK");
    EXPECT_FALSE(has(Effect::Kind::Leave));
    EXPECT_FALSE(s->leave_requested());
    EXPECT_EQ(s->message(), s->strings()("pin_wrong"));
    EXPECT_FALSE(s->admin_pad());
    go(K::AdminChord);
    for (const char* d : {"2", "4", "6", "8"}) go(K::PinKey, d);
    go(K::PinKey, "OK");
    EXPECT_TRUE(has(Effect::Kind::Leave));
    EXPECT_TRUE(s->leave_requested());
    EXPECT_TRUE(s->typing().pin.empty());
}

// Issue 23, case 11: wrong PINs are paused after three, the pause doubling each time.
TEST_F(SessionTest, WrongPinsPauseThePadLongerEachTime) {
    start(Mode::Kiosk, [](AppConfig& c) { c.admin_pin_hash = hash_pin("2468", "testsalt", 1000); });
    auto try_pin = [&](const std::string& pin) {
        go(K::AdminChord);
        for (const char d : pin) go(K::PinKey, std::string(1, d));
        go(K::PinKey, "OK");
    };
    for (int i = 0; i < 3; ++i) try_pin("1111");
    EXPECT_NEAR(s->pin_paused_s(now), 30, 1e-6);
    now += std::chrono::seconds(10);
    try_pin("2468");
    EXPECT_FALSE(s->leave_requested()) << "not even the right PIN while paused";
    EXPECT_NE(s->message().find("20"), std::string::npos) << s->message();
    now += std::chrono::seconds(21);
    try_pin("1111");
    EXPECT_NEAR(s->pin_paused_s(now), 60, 1e-6) << "the fourth wrong PIN: twice as long";
    now += std::chrono::seconds(61);
    try_pin("2468");
    EXPECT_TRUE(s->leave_requested());
}

TEST_F(SessionTest, LookupAnswersAnUnregisteredNumberAsAWrongFactor) {
    start_lookup();
    std::string nobody = "41010119800101002";
    nobody += data::id_check_character(nobody);
    type(nobody);
    go(K::LookupNext);
    type("1234");
    go(K::LookupSubmit);
    const std::string unregistered = s->lookup_message();
    const std::string step = st().lookup_step;
    const int typed = st().lookup_typed;
    go(K::LookupChangeId);
    erase_all();
    type(sample().id_number);
    go(K::LookupNext);
    type(wrong_factor(sample().second_factor));
    go(K::LookupSubmit);
    EXPECT_EQ(s->lookup_message(), unregistered) << "one answer for both";
    EXPECT_EQ(st().lookup_step, step);
    EXPECT_EQ(st().lookup_typed, typed);
    EXPECT_EQ(step, "factor");
}

// Issue 23 case 10: on real households a deleted guard is not made afresh (that would reset every
// counter): the look-up stays off until `onemap guard init` makes one. A demo's guard makes itself.
TEST_F(SessionTest, ARealBundleWithoutItsGuardOffersNoLookUpUntilOneIsMade) {
    const fs::path real = test::temp_dir() / ("real-" + test_name() + ".gpkg");
    fs::copy_file(lookup_bundle().bundle, real, fs::copy_options::overwrite_existing);
    fs::copy_file(lookup_bundle().bundle.string() + ".key", real.string() + ".key", fs::copy_options::overwrite_existing);
    data::Bundle::open(real, data::OpenMode::ReadWrite).set_meta("synthetic", "0");
    start_lookup([&](AppConfig& c) { c.bundle = real; });
    EXPECT_EQ(st().lookup_step, "unavailable");
    EXPECT_FALSE(fs::exists(test::temp_dir() / ("guard-" + test_name() + ".db"))) << "the kiosk made a guard itself";
    s.reset();
    data::LookupGuard::open(test::temp_dir() / ("guard-" + test_name() + ".db"));  // what `onemap guard init` does
    AppConfig c = config(Mode::Kiosk);
    c.bundle = real;
    c.lookup_guard = test::temp_dir() / ("guard-" + test_name() + ".db");
    start(c, options(true));
    go(K::Screen, "lookup");
    EXPECT_EQ(st().lookup_step, "id");
    type(sample().id_number);
    go(K::LookupNext);
    type(sample().second_factor);
    go(K::LookupSubmit);
    EXPECT_EQ(st().lookup_step, "card");
    // the demo bundle: its guard is made on first use
    start_lookup();
    EXPECT_EQ(st().lookup_step, "id");
}

TEST_F(SessionTest, NoPinConfiguredNeverLeaves) {
    start(Mode::Kiosk);
    go(K::AdminExit, "0000");
    EXPECT_FALSE(s->leave_requested());
    start(Mode::Desk, [](AppConfig& c) { c.admin_pin_hash = hash_pin("1", "s", 1000); });
    go(K::AdminExit, "1");
    EXPECT_FALSE(s->leave_requested()) << "the desk has a close button, not a PIN";
}

// ── Wall: tour ───────────────────────────────────────────────────────────────────────────────────

TEST_F(SessionTest, WallToursEveryIntervalAndWraps) {
    start(Mode::Wall);
    // the test bundle has one city: the tour goes through its counties
    const auto& counties = region(child(root())).children;
    wait(19);
    EXPECT_TRUE(st().tour_city.empty()) << "not yet";
    for (std::size_t i = 0; i <= counties.size(); ++i) {
        wait(20);
        EXPECT_EQ(st().tour_city, counties[i % counties.size()]);
        EXPECT_EQ(st().spotlight, st().tour_city);
        EXPECT_EQ(st().selected, st().tour_city);
        expect_map_coherent();
    }
}

TEST_F(SessionTest, WallTourPausesWhileSomeoneUsesItAndIgnoresClicks) {
    start(Mode::Wall);
    go(K::Touch);
    wait(30);
    EXPECT_TRUE(st().tour_city.empty()) << "paused for the person at the wall";
    EXPECT_NEAR(s->next_timer(now), 60, 1e-6);
    go(K::Select, child(root()));
    go(K::Back);
    EXPECT_EQ(st().focus, root()) << "the wall is not drilled into";
    wait(91);
    EXPECT_FALSE(st().tour_city.empty()) << "the tour resumes";
}

TEST_F(SessionTest, ARestartedWallGoesOnFromTheCityItShowedLast) {
    start(Mode::Wall);
    const auto& counties = region(child(root())).children;
    ASSERT_GE(counties.size(), 3u);
    s->apply(Intent(K::ResumeTour, counties[1]), now);  // what the last heartbeat said (kiosk/service/heartbeat.hpp)
    EXPECT_EQ(st().tour_city, counties[1]) << "shown again at once";
    EXPECT_EQ(st().spotlight, counties[1]);
    wait(20);
    EXPECT_EQ(st().tour_city, counties[2]) << "then the next one, not the first";
    s->apply(Intent(K::ResumeTour, "999999"), now);
    EXPECT_EQ(st().tour_city, counties[2]) << "a city not in this bundle is ignored";
    expect_map_coherent();
}

TEST_F(SessionTest, ResumeTourMeansNothingToTheDeskAndKiosk) {
    for (Mode m : {Mode::Desk, Mode::Kiosk}) {
        start(m);
        const std::string county = region(child(root())).children.front();
        s->apply(Intent(K::ResumeTour, county), now);
        EXPECT_TRUE(st().tour_city.empty()) << mode_key(m);
    }
}

TEST_F(SessionTest, ScreensOnlineReachTheStateForTheWallsTile) {
    start(Mode::Wall);
    EXPECT_EQ(st().screens_online, "");
    s->apply(Intent(K::ScreensOnline, "3/4"), now);
    EXPECT_EQ(st().screens_online, "3/4");
    EXPECT_NE(to_json(st()).find("\"screens_online\":\"3/4\""), std::string::npos);
}

TEST_F(SessionTest, TheKioskSaysItsBundleIsReadOnlyEvenWhenTheFileIsWritable) {
    ASSERT_EQ(::access(bundle_copy().c_str(), W_OK), 0) << "the test needs a writable file";
    start(Mode::Kiosk);
    EXPECT_TRUE(st().read_only);
    start(Mode::Desk);
    EXPECT_FALSE(st().read_only) << "the desk may step alerts in a writable bundle";
}

// ── Data: reload, database changes ───────────────────────────────────────────────────────────────

TEST_F(SessionTest, DeskTakeOverKeepsWhatStillExists) {
    start(Mode::Desk);
    const std::string city = child(root()), county = child(city);
    go(K::SetMetric, "rural_income_pc");
    go(K::SetPeriod, s->periods().front());
    go(K::SetClasses, "", 4);
    go(K::Select, city);
    go(K::Select, county);
    go(K::Select, child(county));
    go(K::CompareToggle, city);
    go(K::ToggleSites);
    std::unique_ptr<Session> old = std::move(s);
    start(Mode::Desk);
    s->take_over(*old);
    EXPECT_EQ(st().metric, "rural_income_pc");
    EXPECT_EQ(st().period, old->periods().front());
    EXPECT_EQ(s->classes(), 4);
    EXPECT_EQ(st().focus, child(county)) << "the township drilled into";
    EXPECT_EQ(st().level, "village");
    EXPECT_EQ(st().compare, std::vector<std::string>{city});
    EXPECT_TRUE(s->sites());
    EXPECT_EQ(st().bundle_reloads, 1);
    expect_map_coherent();
}

TEST_F(SessionTest, KioskTakeOverStaysInTheAttractLoop) {
    start(Mode::Kiosk);
    wait(91);
    std::unique_ptr<Session> old = std::move(s);
    start(Mode::Kiosk);
    s->take_over(*old);
    EXPECT_EQ(st().screen, "attract");
    EXPECT_EQ(st().bundle_reloads, 1);
    EXPECT_EQ(s->idle_seconds(now), old->idle_seconds(now)) << "the idle timer carries on";
}

TEST_F(SessionTest, DataChangedRecoloursAndCounts) {
    start(Mode::Desk);
    const auto v0 = s->map().colors_version();
    go(K::DataChanged, "alerts,indicators");
    EXPECT_EQ(st().data_refreshes, 1);
    EXPECT_GT(s->map().colors_version(), v0);
    const auto v1 = s->map().colors_version();
    go(K::DataChanged, "households");
    EXPECT_EQ(st().data_refreshes, 2);
    EXPECT_EQ(s->map().colors_version(), v1) << "nothing the map shows";
}

TEST_F(SessionTest, SourceProblemBecomesOneLineBannerAndClears) {
    start(Mode::Desk);
    go(K::SourceProblem, "could not connect to server:\n\tConnection refused.");
    EXPECT_EQ(st().source_problem, "could not connect to server:\n\tConnection refused.");
    EXPECT_NE(s->source_banner().find("could not connect to server: Connection refused"), std::string::npos) << s->source_banner();
    EXPECT_EQ(s->source_banner().find('\n'), std::string::npos);
    go(K::SourceProblem, "");
    EXPECT_TRUE(s->source_banner().empty());
}

TEST_F(SessionTest, ReloadRefusedAndBundleFileAreShownInTheState) {
    start(Mode::Desk);
    go(K::ReloadRefused, "new.gpkg: not a bundle");
    go(K::BundleFile, "", 4242);
    EXPECT_EQ(st().bundle_error, "new.gpkg: not a bundle");
    EXPECT_EQ(st().bundle_inode, 4242u);
}

TEST_F(SessionTest, EnglishSessionSpeaksEnglish) {
    start(Mode::Kiosk, [](AppConfig& c) { c.language = "en"; });
    EXPECT_EQ(st().language, "en");
    EXPECT_EQ(s->strings().language(), "en");
    ASSERT_FALSE(s->policy().empty());
    EXPECT_EQ(std::count_if(s->policy().front().title.begin(), s->policy().front().title.end(), [](char c) { return c & 0x80; }), 0)
        << "the policy cards are English too: " << s->policy().front().title;
}

// ── Kiosk: 查询我家 ──────────────────────────────────────────────────────────────────────────────

TEST_F(SessionTest, LookupKeypadTakesOnlyWhatAnIdNumberCanBe) {
    start_lookup();
    ASSERT_EQ(st().lookup_step, "id") << s->lookup_message();
    type("12a");
    EXPECT_EQ(st().lookup_typed, 2) << "letters are refused";
    type("X");
    EXPECT_EQ(st().lookup_typed, 2) << "X only as the 18th character";
    go(K::LookupKey, "<");
    EXPECT_EQ(st().lookup_typed, 1);
    erase_all();
    type(sample().id_number.substr(0, 17) + "x");
    EXPECT_EQ(st().lookup_typed, 18);
    EXPECT_EQ(s->typing().id.back(), 'X') << "a lower-case x is the same";
    type("1");
    EXPECT_EQ(st().lookup_typed, 18) << "eighteen at most";
}

TEST_F(SessionTest, LookupFindsTheHouseholdCard) {
    start_lookup();
    const auto& h = sample();
    type(h.id_number);
    go(K::LookupNext);
    ASSERT_EQ(st().lookup_step, "factor") << s->lookup_message();
    EXPECT_EQ(st().lookup_typed, 0);
    type(h.second_factor + "99999");
    EXPECT_EQ(st().lookup_typed, s->factor_kind() == "phone4" ? 4 : 8);
    go(K::LookupSubmit);
    ASSERT_EQ(st().lookup_step, "card") << s->lookup_message();
    EXPECT_EQ(st().lookup_outcome, "found");
    ASSERT_NE(s->card(), nullptr);
    EXPECT_EQ(s->card()->village_code, h.village_code);
    EXPECT_EQ(st().card.size(), 16u) << "a digest of the masked name";
    EXPECT_TRUE(s->typing().id.empty()) << "the number is wiped once found";
    const std::string json = to_json(st());
    EXPECT_EQ(json.find(h.id_number), std::string::npos);
    EXPECT_EQ(json.find(h.head_name_masked), std::string::npos);
}

TEST_F(SessionTest, LookupChangeIdKeepsTheNumberAndDropsTheFactor) {
    start_lookup();
    type(sample().id_number);
    go(K::LookupNext);
    type("12");
    go(K::LookupChangeId);
    EXPECT_EQ(st().lookup_step, "id");
    EXPECT_EQ(st().lookup_typed, 18);
    EXPECT_TRUE(s->typing().factor.empty());
}

TEST_F(SessionTest, LookupBadCheckCharacterIsAFailure) {
    start_lookup();
    const std::string bad = bad_checksum(sample().id_number);
    ASSERT_FALSE(bad.empty());
    type(bad);
    go(K::LookupNext);
    EXPECT_EQ(st().lookup_step, "id");
    EXPECT_EQ(st().lookup_outcome, "bad_id");
    EXPECT_EQ(s->lookup_message(), s->strings()("lookup_id_bad"));
}

TEST_F(SessionTest, LookupPausesAfterFiveFailuresAndResumes) {
    start_lookup();
    type(bad_checksum(sample().id_number));
    for (int i = 0; i < 5; ++i) go(K::LookupNext);
    EXPECT_EQ(st().lookup_step, "paused");
    EXPECT_NEAR(s->lookup_paused_s(now), 30, 1);
    go(K::LookupKey, "<");
    EXPECT_EQ(st().lookup_typed, 18) << "the keypad is paused";
    now += std::chrono::seconds(31);
    go(K::Touch);
    EXPECT_EQ(st().lookup_step, "id");
    go(K::LookupKey, "<");
    EXPECT_EQ(st().lookup_typed, 17);
}

TEST_F(SessionTest, LookupWrongFactorsLockTheHousehold) {
    start_lookup();
    const auto& h = sample();
    type(h.id_number);
    go(K::LookupNext);
    for (int i = 0; i < 5; ++i) {
        type(wrong_factor(h.second_factor));
        go(K::LookupSubmit);
        EXPECT_EQ(st().lookup_outcome, i < 4 ? "wrong_factor" : "locked");
        if (i == 0) {
            EXPECT_NE(s->lookup_message().find('4'), std::string::npos) << "four tries left: " << s->lookup_message();
        }
    }
    EXPECT_TRUE(s->typing().id.empty()) << "the fifth wrong factor locks the household and wipes the number";
    EXPECT_EQ(st().lookup_step, "paused") << "five failures in a row pause the keypad too";
    now += std::chrono::seconds(31);  // past the keypad's pause
    type(h.id_number);
    go(K::LookupNext);
    type(h.second_factor);
    go(K::LookupSubmit);
    EXPECT_EQ(st().lookup_outcome, "locked");
    EXPECT_EQ(st().lookup_step, "id");
    EXPECT_TRUE(s->typing().id.empty());
    EXPECT_EQ(s->card(), nullptr);
    now += std::chrono::seconds(901);  // the household's lock is over
    type(h.id_number);
    go(K::LookupNext);
    type(h.second_factor);
    go(K::LookupSubmit);
    EXPECT_EQ(st().lookup_outcome, "found") << s->lookup_message();
}

TEST_F(SessionTest, LookupCardClosesWhenLeftAndIsWiped) {
    start_lookup();
    type(sample().id_number);
    go(K::LookupNext);
    type(sample().second_factor);
    go(K::LookupSubmit);
    ASSERT_NE(s->card(), nullptr);
    EXPECT_NEAR(s->card_closes_in_s(now), 60, 1e-6);
    wait(59);
    EXPECT_NE(s->card(), nullptr);
    wait(2);
    EXPECT_EQ(s->card(), nullptr);
    EXPECT_EQ(st().screen, "home");
    EXPECT_TRUE(has(Effect::Kind::ScrubUiBuffers));
    EXPECT_TRUE(has(Effect::Kind::StopSpeaking));
}

TEST_F(SessionTest, LookupIdleResetWipesWhatWasTyped) {
    start_lookup([](AppConfig& c) { c.card_timeout_s = 300; });
    type(sample().id_number.substr(0, 10));
    wait(91);
    EXPECT_EQ(st().screen, "attract");
    EXPECT_TRUE(s->typing().id.empty());
    EXPECT_TRUE(has(Effect::Kind::ScrubUiBuffers));
}

TEST_F(SessionTest, LeavingTheLookupScreenWipesIt) {
    start_lookup();
    type("1234");
    go(K::Screen, "policy");
    EXPECT_TRUE(s->typing().id.empty());
    EXPECT_TRUE(has(Effect::Kind::ScrubUiBuffers));
    go(K::Screen, "lookup");
    EXPECT_EQ(st().lookup_typed, 0) << "entering starts clean";
}

TEST_F(SessionTest, LookupCloseBigAndSpeak) {
    start_lookup({}, true);
    type(sample().id_number);
    go(K::LookupNext);
    type(sample().second_factor);
    go(K::LookupSubmit);
    ASSERT_NE(s->card(), nullptr);
    go(K::LookupBig);
    EXPECT_TRUE(s->card_big());
    go(K::LookupSpeak);
    ASSERT_EQ(fx.size(), 1u);
    EXPECT_EQ(fx[0].kind, Effect::Kind::Speak);
    EXPECT_EQ(fx[0].text.rfind(s->strings()("lookup_card_title"), 0), 0u);
    EXPECT_EQ(fx[0].text.find(sample().id_number), std::string::npos);
    go(K::LookupClose);
    EXPECT_EQ(st().screen, "home");
    EXPECT_EQ(s->card(), nullptr);
    EXPECT_TRUE(s->card_big()) << "大字 is the visitor's, on every screen, until the idle reset";
    EXPECT_TRUE(has(Effect::Kind::ScrubUiBuffers));
}

TEST_F(SessionTest, LookupWithoutAVoiceSpeaksNothing) {
    start_lookup();
    type(sample().id_number);
    go(K::LookupNext);
    type(sample().second_factor);
    go(K::LookupSubmit);
    go(K::LookupSpeak);
    EXPECT_TRUE(fx.empty());
}

TEST_F(SessionTest, LookupWithoutItsKeyIsUnavailable) {
    start_lookup([](AppConfig& c) { c.household_key = test::temp_dir() / "no-such.key"; });
    EXPECT_EQ(st().lookup_step, "unavailable");
    type("123");
    EXPECT_EQ(st().lookup_typed, 0);
}

}  // namespace

// Issue 24: the memory figures reach the state file, and a session clicked through every metric and
// year keeps its indicator layers within a quarter of the budget.
TEST_F(SessionTest, IndicatorLayersStayWithinTheirShareOfTheMemoryBudget) {
    start(Mode::Desk, [](AppConfig& c) { c.memory_budget_mib = 64; });
    for (const auto& m : s->indicators().metrics())
        for (const auto& p : s->periods()) {
            go(K::SetMetric, m);
            go(K::SetPeriod, p);
            wait(0.1);
        }
    const AppState a = st();
    EXPECT_EQ(a.budget_mib, 64);
    EXPECT_GT(a.indicator_layers, 0);
    EXPECT_LE(a.indicators_mib, 64.0 / 4 + 0.7) << "layers within 16 MiB (single values and series aside)";
    EXPECT_NE(to_json(a).find("\"memory\":{\"budget_mib\":64"), std::string::npos) << to_json(a);
    start(Mode::Kiosk);
    EXPECT_EQ(st().budget_mib, 256) << "the kiosk's default";
}
