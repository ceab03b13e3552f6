#include "gis/geometry.hpp"
#include "gis/point_grid.hpp"
#include "gis/random.hpp"

#include <gtest/gtest.h>

using namespace onemap::gis;

TEST(Geometry, SignedAreaFollowsOrientation) {
    Ring square{{0, 0}, {2, 0}, {2, 2}, {0, 2}};
    EXPECT_DOUBLE_EQ(signed_area(square), 4.0);
    Ring reversed(square.rbegin(), square.rend());
    EXPECT_DOUBLE_EQ(signed_area(reversed), -4.0);
}

TEST(Geometry, PolygonAreaSubtractsHoles) {
    Polygon p{{{0, 0}, {4, 0}, {4, 4}, {0, 4}}, {{{1, 1}, {1, 2}, {2, 2}, {2, 1}}}};
    EXPECT_DOUBLE_EQ(area(p), 15.0);
    EXPECT_TRUE(contains(p, {3, 3}));
    EXPECT_FALSE(contains(p, {1.5, 1.5}));
    EXPECT_FALSE(contains(p, {5, 1}));
}

TEST(Geometry, BoundsOfMultiPolygon) {
    MultiPolygon mp{{{{0, 0}, {1, 0}, {1, 1}}, {}}, {{{5, 5}, {6, 5}, {6, 7}}, {}}};
    const Box b = bounds(mp);
    EXPECT_EQ(b.min_x, 0);
    EXPECT_EQ(b.max_y, 7);
    EXPECT_EQ(vertex_count(mp), 6u);
}

TEST(Random, SameSeedSameSequence) {
    Random a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x, b.next());
        EXPECT_NE(x, c.next());
    }
}

TEST(Random, RangeIsInclusiveAndBounded) {
    Random r(7);
    bool saw_lo = false, saw_hi = false;
    for (int i = 0; i < 2000; ++i) {
        const auto v = r.range(3, 6);
        ASSERT_GE(v, 3);
        ASSERT_LE(v, 6);
        saw_lo |= v == 3;
        saw_hi |= v == 6;
    }
    EXPECT_TRUE(saw_lo && saw_hi);
}

TEST(Random, ValueNoiseIsDeterministicAndBounded) {
    for (int i = 0; i < 500; ++i) {
        const double x = i * 0.137, y = i * 0.071;
        const double n = value_noise(9, x, y, 3);
        EXPECT_GE(n, -1.0);
        EXPECT_LE(n, 1.0);
        EXPECT_EQ(n, value_noise(9, x, y, 3));
    }
    EXPECT_NE(value_noise(1, 0.5, 0.5), value_noise(2, 0.5, 0.5));
}

TEST(PointGrid, NearestMatchesBruteForceWithFilter) {
    Random r(3);
    Box box{0, 0, 10, 10};
    PointGrid grid(box, 0.7, 0.8);
    std::vector<Point> pts;
    for (int i = 0; i < 400; ++i) {
        pts.push_back({r.uniform(0, 10), r.uniform(0, 10)});
        grid.insert(pts.back(), i);
    }
    for (int q = 0; q < 200; ++q) {
        const Point p{r.uniform(0, 10), r.uniform(0, 10)};
        auto odd = [](std::int32_t id) { return id % 2 == 1; };
        int best = -1;
        double bd = 1e18;
        for (int i = 1; i < 400; i += 2) {
            const double dx = (pts[i].x - p.x) * 0.8, dy = pts[i].y - p.y;
            if (dx * dx + dy * dy < bd) { bd = dx * dx + dy * dy; best = i; }
        }
        EXPECT_EQ(grid.nearest(p, odd), best);
    }
}
