// The GUI's watch on its bundle path (kiosk/gui/bundle_watch.hpp): which file a path names, when a new
// one counts as arrived, and the wake-up thread.
#include "kiosk/session/app_state.hpp"
#include "kiosk/gui/bundle_watch.hpp"
#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace onemap;
using namespace onemap::app;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
fs::path watch_dir(const std::string& name) {
    const auto d = test::temp_dir() / ("watch-" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}
void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }
// What onemap sync does: a new file beside it, renamed over it.
void swap_in(const fs::path& p, const std::string& text) {
    const auto tmp = p.parent_path() / (".new-" + p.filename().string());
    write_text(tmp, text);
    fs::rename(tmp, p);
}
}  // namespace

TEST(BundleWatch, IdentityNamesTheFileNotThePath) {
    const auto d = watch_dir("identity");
    const auto p = d / "kiosk.gpkg";
    EXPECT_FALSE(file_identity(p).exists);
    write_text(p, "one");
    const FileIdentity a = file_identity(p);
    EXPECT_TRUE(a.exists);
    EXPECT_EQ(a.size, 3u);
    EXPECT_EQ(file_identity(p), a) << "nothing changed, same identity";
    swap_in(p, "two");
    const FileIdentity b = file_identity(p);
    EXPECT_NE(b.inode, a.inode) << "a renamed-over file is another inode";
    EXPECT_NE(b, a);
}

TEST(BundleWatch, ANewFileCountsWhenItIsTheSameOnTwoLooks) {
    const auto d = watch_dir("twolooks");
    const auto p = d / "kiosk.gpkg";
    write_text(p, "old");
    BundleWatch w(p, file_identity(p), 1.0);
    auto t = BundleWatch::Clock::now();
    EXPECT_FALSE(w.changed(t)) << "not yet time to look";
    EXPECT_FALSE(w.changed(t += 1100ms)) << "nothing new";
    EXPECT_FALSE(w.settling());
    swap_in(p, "new file");
    EXPECT_FALSE(w.changed(t += 200ms)) << "looks at most once an interval";
    EXPECT_FALSE(w.changed(t += 1000ms)) << "first look at the new file";
    EXPECT_TRUE(w.settling());
    EXPECT_TRUE(w.changed(t += 1000ms)) << "the same file a second later";
    EXPECT_EQ(w.candidate(), file_identity(p));
    w.loaded(w.candidate());
    EXPECT_FALSE(w.settling());
    EXPECT_FALSE(w.changed(t += 1000ms)) << "now shown: nothing to do";
    EXPECT_EQ(w.current(), file_identity(p));
}

TEST(BundleWatch, ChangesInPlaceAreNotANewBundleAndAMissingPathIsNoChange) {
    const auto d = watch_dir("inplace");
    const auto p = d / "kiosk.gpkg";
    write_text(p, "old");
    BundleWatch w(p, file_identity(p), 1.0);
    auto t = BundleWatch::Clock::now();
    {
        std::ofstream grow(p, std::ios::binary | std::ios::app);  // as the render cache or an alert step writes
        for (int i = 0; i < 3; ++i) {
            grow << "more" << std::flush;
            EXPECT_FALSE(w.changed(t += 1000ms)) << "the same file, written in place, at look " << i;
            EXPECT_FALSE(w.settling());
        }
    }
    EXPECT_FALSE(w.changed(t += 1000ms));
    fs::remove(p);
    EXPECT_FALSE(w.changed(t += 1000ms));
    EXPECT_FALSE(w.changed(t += 1000ms)) << "no file: keep showing the one that is open";
}

TEST(BundleWatch, ANewFileStillBeingWrittenIsWaitedFor) {
    const auto d = watch_dir("growing");
    const auto p = d / "kiosk.gpkg";
    write_text(p, "old");
    BundleWatch w(p, file_identity(p), 1.0);
    auto t = BundleWatch::Clock::now();
    swap_in(p, "new");
    std::ofstream grow(p, std::ios::binary | std::ios::app);
    for (int i = 0; i < 3; ++i) {
        grow << "more" << std::flush;
        EXPECT_FALSE(w.changed(t += 1000ms)) << "still changing at look " << i;
        EXPECT_TRUE(w.settling());
    }
    EXPECT_TRUE(w.changed(t += 1000ms)) << "settled";
}

TEST(BundleWatch, AFileThatFailedIsNotRetriedUntilTheNextOne) {
    const auto d = watch_dir("failed");
    const auto p = d / "kiosk.gpkg";
    write_text(p, "good");
    std::ifstream shown(p);  // held open, as the GUI holds its bundle: its inode cannot be reused meanwhile
    BundleWatch w(p, file_identity(p), 1.0);
    auto t = BundleWatch::Clock::now();
    swap_in(p, "bad file");
    EXPECT_FALSE(w.changed(t += 1000ms));
    ASSERT_TRUE(w.changed(t += 1000ms));
    w.failed(w.candidate());
    EXPECT_FALSE(w.settling());
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(w.changed(t += 1000ms)) << "the bad file is left alone";
    swap_in(p, "fixed file");
    EXPECT_FALSE(w.changed(t += 1000ms));
    EXPECT_TRUE(w.changed(t += 1000ms)) << "a newer file is tried";
}

TEST(BundleWatch, PokeWakesWhenTheFileIsSwapped) {
    const auto d = watch_dir("poke");
    const auto p = d / "kiosk.gpkg";
    write_text(p, "old");
    std::atomic<int> wakes{0};
    {
        const BundlePoke poke(p, [&] { ++wakes; }, 0.05);
        std::this_thread::sleep_for(300ms);
        EXPECT_EQ(wakes.load(), 0) << "no change, no wake-up";
        swap_in(p, "new");
        for (int i = 0; i < 100 && wakes.load() == 0; ++i) std::this_thread::sleep_for(20ms);
        EXPECT_EQ(wakes.load(), 1);
    }
    swap_in(p, "newer");
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(wakes.load(), 1) << "stopped with its owner";
}

TEST(BundleWatch, StateFileSaysWhichFileIsShown) {
    AppState s;
    s.bundle_inode = 123456;
    s.bundle_reloads = 2;
    s.bundle_error = "kiosk.gpkg: not an onemap bundle";
    const std::string json = to_json(s);
    EXPECT_NE(json.find("\"bundle_inode\":123456"), std::string::npos) << json;
    EXPECT_NE(json.find("\"bundle_reloads\":2"), std::string::npos) << json;
    EXPECT_NE(json.find("\"bundle_error\":\"kiosk.gpkg: not an onemap bundle\""), std::string::npos) << json;
}
