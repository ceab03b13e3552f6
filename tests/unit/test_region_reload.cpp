// desk/wall --pg: when a new map is loaded after the database's regions changed (kiosk/gui/region_reload.hpp),
// with failures injected as a load that threw (the server dropped mid-read).
#include "kiosk/gui/region_reload.hpp"

#include <gtest/gtest.h>

using onemap::app::RegionReload;

TEST(RegionReload, AFailedLoadIsRetriedAtTheWatchsNextPoll) {
    RegionReload r;
    EXPECT_FALSE(r.should_start(0)) << "nothing changed";
    r.changed();
    ASSERT_TRUE(r.should_start(3));
    r.started();
    EXPECT_FALSE(r.should_start(3)) << "one load at a time";
    r.failed(3);  // the server dropped mid-read
    EXPECT_TRUE(r.pending()) << "the map is still owed";
    EXPECT_FALSE(r.should_start(3)) << "not before the watch has read the counter again";
    EXPECT_TRUE(r.should_start(4)) << "retried at the next poll, with no new change of regions";
    r.started();
    r.succeeded();
    EXPECT_FALSE(r.pending());
    EXPECT_FALSE(r.should_start(100));
    EXPECT_EQ(r.failures(), 0);
}

TEST(RegionReload, RepeatedFailuresBackOffAndANewChangeIsTriedAtOnce) {
    RegionReload r;
    r.changed();
    int polls = 10;
    for (int gap : {1, 2, 4, 8, 16, 32, 64, 64}) {
        ASSERT_TRUE(r.should_start(polls));
        r.started();
        r.failed(polls);
        EXPECT_FALSE(r.should_start(polls + gap - 1)) << "gap " << gap;
        polls += gap;
    }
    EXPECT_EQ(r.failures(), 8);
    r.changed();  // regions changed again: worth a try now
    EXPECT_TRUE(r.should_start(polls - 1));
}

TEST(RegionReload, RegionsChangedWhileLoadingAreLoadedAgain) {
    RegionReload r;
    r.changed();
    r.started();
    r.changed();  // reported while the worker reads: it may have read the regions before this change
    EXPECT_FALSE(r.should_start(5));
    r.succeeded();
    EXPECT_TRUE(r.should_start(5));
}
