// Values as officials type them: tables of (input, expected).
#include "data/bundle/region_codes.hpp"
#include "data/bundle/table_values.hpp"
#include "gis/gcj02.hpp"
#include "gis/text_encoding.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace onemap;
using Kind = data::ParsedNumber::Kind;

TEST(TableValues, NumbersAsTyped) {
    struct Case { const char* text; Kind kind; double value; bool percent; };
    const Case cases[] = {
        {"1,234", Kind::Number, 1234, false},
        {"1 234.5", Kind::Number, 1234.5, false},
        {"12.5%", Kind::Number, 12.5, true},
        {"１２３４", Kind::Number, 1234, false},          // full-width digits
        {"１，２３４．５", Kind::Number, 1234.5, false},   // full-width comma and point
        {"-3.2", Kind::Number, -3.2, false},
        {"−3.2", Kind::Number, -3.2, false},             // U+2212 minus
        {" 7 ", Kind::Number, 7, false},
        {"", Kind::Missing, 0, false},
        {"—", Kind::Missing, 0, false},
        {"--", Kind::Missing, 0, false},
        {"/", Kind::Missing, 0, false},
        {"-", Kind::Missing, 0, false},
        {"无", Kind::Missing, 0, false},
        {"1,2,3a", Kind::Invalid, 0, false},
        {"12元", Kind::Invalid, 0, false},
        {"1e5", Kind::Invalid, 0, false},
        {",123", Kind::Invalid, 0, false},
    };
    for (const auto& c : cases) {
        const auto n = data::parse_number(c.text);
        EXPECT_EQ(n.kind, c.kind) << c.text;
        if (c.kind == Kind::Number) {
            EXPECT_DOUBLE_EQ(n.value, c.value) << c.text;
            EXPECT_EQ(n.percent, c.percent) << c.text;
        }
    }
}

TEST(TableValues, Periods) {
    EXPECT_EQ(data::parse_period("2024"), "2024");
    EXPECT_EQ(data::parse_period("2024年"), "2024");
    EXPECT_EQ(data::parse_period("2024-3"), "2024-03");
    EXPECT_EQ(data::parse_period("2024年3月"), "2024-03");
    EXPECT_EQ(data::parse_period("202412"), "2024-12");
    EXPECT_EQ(data::parse_period("２０２４"), "2024");
    EXPECT_FALSE(data::parse_period("2024-13"));
    EXPECT_FALSE(data::parse_period("1899"));
    EXPECT_FALSE(data::parse_period("24"));
    EXPECT_FALSE(data::parse_period(""));
}

TEST(TableValues, WideHeaders) {
    auto h = data::parse_metric_header("2024年脱贫人口人均纯收入");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->metric->key, "tp_income_pc");
    EXPECT_EQ(h->period, "2024");
    h = data::parse_metric_header("人均工资性收入（元）");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->metric->key, "wage_income_pc");
    EXPECT_EQ(h->period, "");
    h = data::parse_metric_header("tp_households_2025");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->metric->key, "tp_households");
    EXPECT_EQ(h->period, "2025");
    h = data::parse_metric_header("增速差（脱贫人口 − 农村居民）");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->metric->key, "growth_gap");
    EXPECT_FALSE(data::parse_metric_header("备注"));
    EXPECT_FALSE(data::parse_metric_header("代码"));
}

TEST(TableValues, CodesInEverySpelling) {
    EXPECT_EQ(data::normalise_code("410000", data::Level::Province), "41");
    EXPECT_EQ(data::normalise_code("410100", data::Level::City), "4101");
    EXPECT_EQ(data::normalise_code("419001", data::Level::City), "419001");
    EXPECT_EQ(data::normalise_code("410102001000", data::Level::Township), "410102001");
    EXPECT_EQ(data::normalise_code("410102001000.0", data::Level::Township), "410102001");
    EXPECT_EQ(data::normalise_code("4.10102001e+11", data::Level::Township), "410102001");
    EXPECT_EQ(data::normalise_code("４１０１０２", data::Level::County), "410102");
    EXPECT_FALSE(data::normalise_code("4101", data::Level::County));
    EXPECT_FALSE(data::normalise_code("410102001", data::Level::County));  // a township code in a county layer
    EXPECT_FALSE(data::normalise_code("41010x", data::Level::County));
    EXPECT_EQ(data::normalise_any_code("410100"), "4101");
    EXPECT_EQ(data::normalise_any_code("410000000000"), "41");
    EXPECT_EQ(data::normalise_any_code("410102001001"), "410102001001");
    EXPECT_EQ(data::normalise_any_code("419001000000"), "419001");
    EXPECT_EQ(data::derived_parent("419001001", data::Level::Township), "419001");
    EXPECT_EQ(data::derived_parent("410102", data::Level::County), "4101");
}

TEST(TableValues, IndicatorRowsAreCheckedForPlausibility) {
    data::RowProblem p;
    bool missing = false;
    auto r = data::check_indicator_row("410102", "2024", "脱贫人口人均纯收入", "16,520", &p, &missing);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->metric, "tp_income_pc");
    EXPECT_DOUBLE_EQ(r->value, 16520);
    EXPECT_FALSE(data::check_indicator_row("410102", "2024", "tp_income_pc", "—", &p, &missing));
    EXPECT_TRUE(missing);
    EXPECT_FALSE(data::check_indicator_row("410102", "2024", "tp_income_pc", "-5", &p, &missing));
    EXPECT_EQ(p.reason, "value implausible for its metric");
    EXPECT_FALSE(data::check_indicator_row("410102", "2024", "tp_population", "12.5", &p, &missing));  // people are whole
    EXPECT_FALSE(data::check_indicator_row("410102", "2024", "tp_income_pc", "12%", &p, &missing));    // % for a yuan metric
    EXPECT_TRUE(data::check_indicator_row("410102", "2024", "industry_fund_share", "62.5%", &p, &missing));
    EXPECT_FALSE(data::check_indicator_row("410102", "20245", "tp_income_pc", "1", &p, &missing));
    EXPECT_EQ(p.reason, "period invalid");
    EXPECT_FALSE(data::check_indicator_row("410102", "2024", "income", "1", &p, &missing));
    EXPECT_EQ(p.reason, "unknown metric");
}

TEST(Gcj02, InverseUndoesTheForwardShift) {
    const gis::Point wgs{113.65, 34.76};  // Zhengzhou
    const gis::Point gcj = gis::wgs84_to_gcj02(wgs);
    // The shift in Henan is a few hundred metres (DataV's data: ~550 m east, ~135 m south of true).
    const double dx_m = (gcj.x - wgs.x) * 111320 * std::cos(34.76 * M_PI / 180);
    const double dy_m = (gcj.y - wgs.y) * 110574;
    EXPECT_GT(std::hypot(dx_m, dy_m), 200);
    EXPECT_LT(std::hypot(dx_m, dy_m), 900);
    const gis::Point back = gis::gcj02_to_wgs84(gcj);
    EXPECT_NEAR(back.x, wgs.x, 1e-7);
    EXPECT_NEAR(back.y, wgs.y, 1e-7);
    const gis::Point outside{2.35, 48.85};  // Paris: identity
    EXPECT_EQ(gis::gcj02_to_wgs84(outside), outside);
}

TEST(TextEncoding, StrictDecoding) {
    const std::string gbk = "\xD6\xD0\xD4\xAD\xC7\xF8";  // 中原区 in GBK
    EXPECT_FALSE(gis::is_valid_utf8(gbk));
    EXPECT_EQ(gis::to_utf8(gbk, "GBK"), "中原区");
    EXPECT_FALSE(gis::to_utf8(gbk, "UTF-8"));
    EXPECT_FALSE(gis::to_utf8("\xD6", "GBK"));  // truncated: an error, not a replacement character
    EXPECT_EQ(gis::detect_encoding({"abc", gbk}), "GB18030");
    EXPECT_EQ(gis::detect_encoding({"abc", "中原区"}), "UTF-8");
    EXPECT_EQ(gis::canonical_encoding("cp936"), "GB18030");
    EXPECT_EQ(gis::encoding_from_ldid(77), "GB18030");
    EXPECT_FALSE(gis::encoding_from_ldid(0));
}
