// Issue 24: running unattended — the heartbeat file and `onemap status`, the supervisor's argument
// handling and the stop signals. (The supervisor restarting a killed kiosk is an E2E test:
// tests/e2e/test_unattended.cpp.)
#include "fixtures.hpp"
#include "kiosk/service/heartbeat.hpp"
#include "kiosk/service/service.hpp"
#include "kiosk/service/supervisor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace onemap;
using namespace onemap::app;

namespace {

Heartbeat sample_beat(std::int64_t written) {
    Heartbeat b;
    b.screen = "大厅-kiosk-3";
    b.mode = "kiosk";
    b.host = "hall3";
    b.pid = 4242;
    b.bundle = "/srv/onemap/henan \"test\".gpkg";
    b.bundle_version = "3f9a0b1c2d3e";
    b.bundle_age_s = 3600;
    b.uptime_s = 86400;
    b.last_frame_ms = 4.25;
    b.rss_mib = 310.5;
    b.last_error = "line one\nline two";
    b.alerts = 12;
    b.interval_s = 30;
    b.written_unix = written;
    b.view = "home";
    b.tour_city = "";
    return b;
}

std::string run(const std::string& cmd, int& status) {
    const fs::path out = test::temp_dir() / "status-out.txt";
    status = std::system((cmd + " > " + out.string() + " 2>&1").c_str());
    status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(Heartbeat, JsonRoundTripsEveryField) {
    const Heartbeat b = sample_beat(1796000000);
    std::string why;
    const auto back = parse_heartbeat(to_json(b), why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(*back, b);
    EXPECT_NE(to_json(b).find("\"written\":\"2026-11-30T"), std::string::npos) << to_json(b);
}

TEST(Heartbeat, TextThatIsNoHeartbeatSaysWhy) {
    std::string why;
    EXPECT_FALSE(parse_heartbeat("[1,2]", why));
    EXPECT_NE(why.find("JSON object"), std::string::npos);
    EXPECT_FALSE(parse_heartbeat("{\"mode\":\"kiosk\"}", why));
    EXPECT_NE(why.find("screen"), std::string::npos) << why;
    EXPECT_FALSE(parse_heartbeat("{\"screen\":\"a\",\"mode\":\"kiosk\",\"written_unix\":1", why));
    EXPECT_FALSE(why.empty());
}

TEST(Heartbeat, PostgresJsonbTextWithSpacesAndAnotherOrderReadsTheSame) {
    std::string why;
    const auto b = parse_heartbeat(R"({"mode": "wall", "alerts": 3, "screen": "wall-1", "tour_city": "410300", "interval_s": 30, "written_unix": 100})", why);
    ASSERT_TRUE(b) << why;
    EXPECT_EQ(b->screen, "wall-1");
    EXPECT_EQ(b->alerts, 3);
    EXPECT_EQ(b->tour_city, "410300");
}

TEST(Heartbeat, StaleAfterThreeIntervalsAndNeverSoonerThanTenSeconds) {
    Heartbeat b = sample_beat(1000);
    EXPECT_FALSE(stale(b, 1000 + 90));
    EXPECT_TRUE(stale(b, 1000 + 91));
    b.interval_s = 1;
    EXPECT_FALSE(stale(b, 1000 + 10));
    EXPECT_TRUE(stale(b, 1000 + 11));
}

TEST(Heartbeat, WrittenAtomicallyWithNoTemporaryFileLeft) {
    const fs::path dir = test::temp_dir() / "beats-atomic";
    fs::remove_all(dir);
    const fs::path f = dir / "sub" / "heartbeat-kiosk.json";
    write_heartbeat(f, sample_beat(5));
    write_heartbeat(f, sample_beat(6));
    std::ifstream in(f);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string why;
    ASSERT_TRUE(parse_heartbeat(text, why)) << why;
    EXPECT_EQ(parse_heartbeat(text, why)->written_unix, 6);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator()), 1) << "no .tmp left beside it";
}

TEST(Heartbeat, StatusTableMarksTheStaleScreenAndCounts) {
    Heartbeat fresh = sample_beat(1000), old = sample_beat(800);
    old.screen = "wall-main";
    old.mode = "wall";
    const std::string t = status_table({fresh, old}, 1010, true);
    EXPECT_NE(t.find("wall-main"), std::string::npos) << t;
    const auto wall_line = t.substr(t.find("wall-main"), t.find('\n', t.find("wall-main")) - t.find("wall-main"));
    EXPECT_NE(wall_line.find("STALE"), std::string::npos) << t;
    const auto kiosk_line = t.substr(t.find("大厅-kiosk-3"), t.find('\n', t.find("大厅-kiosk-3")) - t.find("大厅-kiosk-3"));
    EXPECT_EQ(kiosk_line.find("STALE"), std::string::npos) << t;
    EXPECT_NE(t.find("2 screen(s), 1 online, 1 stale"), std::string::npos) << t;
    EXPECT_LT(t.find("wall-main"), t.find("大厅-kiosk-3")) << "the oldest beat first";
}

TEST(Heartbeat, StatusCommandExitsOneWhenAScreenIsStaleAndNamesIt) {
    const fs::path dir = test::temp_dir() / "beats-status";
    fs::remove_all(dir);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    Heartbeat k = sample_beat(now);
    write_heartbeat(dir / "heartbeat-kiosk.json", k);
    int status = 0;
    std::string out = run(std::string(ONEMAP_BINARY) + " status --language en --heartbeat " + dir.string(), status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("1 online, 0 stale"), std::string::npos) << out;
    Heartbeat w = sample_beat(now - 600);
    w.screen = "wall-main";
    w.mode = "wall";
    write_heartbeat(dir / "heartbeat-wall.json", w);
    out = run(std::string(ONEMAP_BINARY) + " status --language en --heartbeat " + dir.string(), status);
    EXPECT_EQ(status, 1) << out;
    EXPECT_NE(out.find("STALE"), std::string::npos) << out;
    std::ofstream(dir / "heartbeat-bad.json") << "{\"mode\":";
    out = run(std::string(ONEMAP_BINARY) + " status --heartbeat " + (dir / "heartbeat-bad.json").string(), status);
    EXPECT_EQ(status, 2) << out;
    EXPECT_NE(out.find("heartbeat-bad.json"), std::string::npos) << "the message names the file: " << out;
}

TEST(Supervisor, OwnArgumentsComeBackWithoutTheFlag) {
    const auto args = own_arguments_without("--gtest_color=no");
    ASSERT_FALSE(args.empty());
    EXPECT_NE(args.front().find("onemap_unit_tests"), std::string::npos) << args.front();
    for (const auto& a : args) EXPECT_NE(a, "--gtest_color=no");
}

TEST(StopSignals, ASigtermIsTakenOnItsOwnThreadAndWakes) {
    std::atomic<int> woke{0};
    {
        StopSignals stop([&] { woke++; });
        EXPECT_FALSE(stop.requested());
        ::kill(::getpid(), SIGTERM);  // blocked in every thread: only the waiter takes it
        for (int i = 0; i < 50 && !stop.requested(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_TRUE(stop.requested());
        EXPECT_EQ(stop.signal(), SIGTERM);
        EXPECT_EQ(woke.load(), 1);
    }
    // The mask stays on this thread (a later SIGTERM waits instead of killing the test run); unblock it.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}
