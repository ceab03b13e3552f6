#include "data/bundle/region_index.hpp"
#include "fixtures.hpp"
#include "data/scene/stand_ins.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace onemap;
using namespace onemap::data;

TEST(RegionIndex, HierarchyBreadcrumbsAndChildren) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const RegionIndex idx = RegionIndex::load(b);
    ASSERT_NE(idx.root(), nullptr);
    EXPECT_EQ(idx.root()->code, "41");
    const RegionInfo* lankao = idx.find("410225");
    ASSERT_NE(lankao, nullptr);
    EXPECT_EQ(lankao->name, "兰考县");
    EXPECT_FALSE(lankao->children.empty());
    const auto crumbs = idx.breadcrumbs(lankao->children.front());
    ASSERT_EQ(crumbs.size(), 4u);
    EXPECT_EQ(crumbs[0]->code, "41");
    EXPECT_EQ(crumbs[1]->code, "4102");
    EXPECT_EQ(crumbs[2]->code, "410225");
    EXPECT_EQ(idx.find("999999"), nullptr);
}

TEST(RegionIndex, SearchByNameOrCodePrefix) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const RegionIndex idx = RegionIndex::load(b);
    auto hits = idx.search("兰考");
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0]->code, "410225");
    hits = idx.search("4102");
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0]->code, "4102") << "exact code first";
    for (const auto* h : hits) EXPECT_EQ(h->code.compare(0, 4, "4102"), 0);
    const RegionInfo* village = idx.find(idx.find(idx.find("410225")->children.front())->children.front());
    ASSERT_NE(village, nullptr);
    hits = idx.search(village->name, 100);
    EXPECT_NE(std::find(hits.begin(), hits.end(), village), hits.end()) << "a village is found by its name";
    EXPECT_TRUE(idx.search("不存在的地方").empty());
}

TEST(RegionIndex, LayerOfALevelCoversTheMap) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const RegionIndex idx = RegionIndex::load(b);
    EXPECT_EQ(idx.layer(Level::County).size(), 3u);
    for (const auto* r : idx.layer(Level::Village)) EXPECT_EQ(r->level, Level::Village);
}

TEST(Indicators, ValuesBySeriesAndLayer) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const Indicators ind(b);
    EXPECT_EQ(ind.periods(), (std::vector<std::string>{"2022", "2023", "2024", "2025"}));
    const auto metrics = ind.metrics();
    ASSERT_FALSE(metrics.empty());
    EXPECT_EQ(metrics.front(), "tp_income_pc") << "catalogue order";
    const auto v = ind.value("410225", "tp_population", "2025");
    ASSERT_TRUE(v.has_value());
    EXPECT_GT(*v, 0);
    EXPECT_FALSE(ind.value("410225", "tp_income_growth", "2022").has_value()) << "no data is not zero";
    EXPECT_EQ(ind.values("growth_gap", "2024").count("410225"), 1u);
    const auto series = ind.series("410225", "tp_income_pc");
    ASSERT_EQ(series.size(), 4u);
    EXPECT_DOUBLE_EQ(series.at("2025"), *ind.value("410225", "tp_income_pc", "2025"));
}

// A series is read once and kept: a change to the indicators shows after forget(), not before.
TEST(Indicators, ASeriesIsReadOnceUntilForgotten) {
    const auto path = test::temp_dir() / "series-cache.gpkg";
    std::filesystem::copy_file(test::test_bundle(), path, std::filesystem::copy_options::overwrite_existing);
    Bundle b = Bundle::open(path, OpenMode::ReadWrite);
    const Indicators ind(b);
    const auto before = ind.series("410225", "tp_income_pc");
    ASSERT_EQ(before.size(), 4u);
    ASSERT_EQ(sqlite3_exec(b.db(), "UPDATE indicators SET value = value + 1000 WHERE region_code = '410225' AND metric = 'tp_income_pc'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(ind.series("410225", "tp_income_pc"), before) << "kept from the first read";
    ind.forget();
    const auto after = ind.series("410225", "tp_income_pc");
    ASSERT_EQ(after.size(), 4u);
    EXPECT_DOUBLE_EQ(after.at("2025"), before.at("2025") + 1000) << "read again after forget()";
}

// A region's value looked up alone (the desk's panel, before any layer of that indicator is read) is
// the value its layer holds, and "no data" where the layer has none.
TEST(Indicators, AValueLookedUpAloneIsTheOneItsLayerHolds) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const RegionIndex idx = RegionIndex::load(b);
    const Indicators alone(b), whole(b);
    std::size_t present = 0, missing = 0;
    for (const char* metric : {"tp_income_pc", "tp_income_growth", "growth_gap", "no_such_metric"}) {
        for (const char* period : {"2022", "2025", "1999"}) {
            const auto& layer = whole.values(metric, period);
            for (const auto level : {Level::Province, Level::County, Level::Township, Level::Village}) {
                for (const RegionInfo* r : idx.layer(level)) {
                    const auto v = alone.value(r->code, metric, period);
                    const auto it = layer.find(r->code);
                    ASSERT_EQ(v.has_value(), it != layer.end()) << metric << " " << period << " " << r->code;
                    if (v) {
                        EXPECT_EQ(*v, it->second) << metric << " " << period << " " << r->code;
                    }
                    (v ? present : missing) += 1;
                }
            }
        }
    }
    EXPECT_GT(present, 100u);
    EXPECT_GT(missing, 100u) << "growth has no 2022, nothing has 1999";
    // and once the layer is read, from it
    alone.values("tp_income_pc", "2025");
    const RegionInfo* village = idx.layer(Level::Village).front();
    EXPECT_EQ(alone.value(village->code, "tp_income_pc", "2025"), whole.value(village->code, "tp_income_pc", "2025"));
    EXPECT_FALSE(alone.value("999999", "tp_income_pc", "2025").has_value());
}

// A region the map does not draw (a city, the province) stands there as its nearest drawn descendants.
TEST(RegionIndex, DrawnStandInsOfARegionTheMapDoesNotDraw) {
    using onemap::data::Level;
    using onemap::data::RegionInfo;
    const auto row = [](std::string code, std::string parent, Level level) {
        RegionInfo r;
        r.code = std::move(code);
        r.parent_code = std::move(parent);
        r.level = level;
        return r;
    };
    const auto index = onemap::data::RegionIndex::from_rows({row("41", "", Level::Province), row("4101", "41", Level::City),
                                                             row("410102", "4101", Level::County), row("410103", "4101", Level::County),
                                                             row("4102", "41", Level::City), row("410221", "4102", Level::County),
                                                             row("410221001", "410221", Level::Township), row("419001", "41", Level::City)});
    // the map draws counties, townships and 419001 (a city without counties, in the county view)
    const std::set<std::string, std::less<>> drawn{"410102", "410103", "410221", "410221001", "419001"};
    const auto is_drawn = [&](std::string_view c) { return drawn.count(c) > 0; };
    using V = std::vector<std::string>;
    EXPECT_EQ(onemap::data::drawn_stand_ins("410221", index, is_drawn), V{"410221"}) << "a drawn region is itself";
    EXPECT_EQ(onemap::data::drawn_stand_ins("4101", index, is_drawn), (V{"410102", "410103"})) << "a city: its counties";
    EXPECT_EQ(onemap::data::drawn_stand_ins("41", index, is_drawn), (V{"410102", "410103", "410221", "419001"}))
        << "the province: every county and the city drawn as one, never a township under a drawn county";
    EXPECT_TRUE(onemap::data::drawn_stand_ins("4199", index, is_drawn).empty()) << "unknown";
    EXPECT_TRUE(onemap::data::drawn_stand_ins("4102", index, [](std::string_view) { return false; }).empty()) << "nothing drawn";

    // a damaged tree with a loop in it (each the other's parent) ends
    const auto loop = onemap::data::RegionIndex::from_rows({row("4103", "4104", Level::City), row("4104", "4103", Level::City)});
    EXPECT_TRUE(onemap::data::drawn_stand_ins("4103", loop, [](std::string_view) { return false; }).empty());
}


// Issue 24: the layers a desk clicks through for days stay within a budget, least recently used given
// back first; a layer given back reads again the same.
TEST(Indicators, TrimGivesBackTheLeastRecentlyUsedLayersWithinTheBudget) {
    Bundle b = Bundle::open(test::test_bundle(), OpenMode::ReadOnly);
    const Indicators ind(b);
    const auto metrics = ind.metrics();
    ASSERT_GE(metrics.size(), 3u);
    const auto first = ind.values(metrics[0], "2025");  // a copy: trim() invalidates references
    ASSERT_FALSE(first.empty());
    const std::size_t one = ind.cached_bytes();
    EXPECT_GE(one, first.size() * 64) << "the estimate counts every value";
    for (const auto& p : ind.periods()) ind.values(metrics[1], p);
    ind.values(metrics[2], "2024");
    EXPECT_EQ(ind.layers_cached(), 6u);
    ind.values(metrics[0], "2025");  // used again: the most recent now
    ind.trim(2 * one);
    EXPECT_LE(ind.layers_cached(), 2u);
    EXPECT_EQ(ind.layers_evicted(), 6u - ind.layers_cached());
    EXPECT_LE(ind.cached_bytes(), 2 * one + 4096 * 160) << "within the budget (single values aside)";
    EXPECT_EQ(ind.values(metrics[0], "2025"), first) << "the layer used last stayed";
    ind.trim(0);
    EXPECT_EQ(ind.layers_cached(), 1u) << "the layer used last always stays";
    EXPECT_EQ(ind.values(metrics[1], "2022"), Indicators(b).values(metrics[1], "2022")) << "read again, the same";
}
