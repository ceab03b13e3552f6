#include "data/info.hpp"
#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

using namespace onemap;

TEST(Info, ReportsWhatTheBundleHolds) {
    const auto info = data::read_info(test::test_bundle());
    EXPECT_EQ(info.schema_version, 1);
    EXPECT_TRUE(info.synthetic);
    EXPECT_EQ(info.regions_per_level[3], 3);
    EXPECT_EQ(info.households, 3000);
    EXPECT_EQ(info.periods, (std::vector<std::string>{"2022", "2023", "2024", "2025"}));
    EXPECT_NE(std::find(info.metrics.begin(), info.metrics.end(), "growth_gap"), info.metrics.end());
    EXPECT_FALSE(info.bbox.empty());
}

TEST(Info, CommandPrintsTextAndJson) {
    const auto text = test::run_onemap("info " + test::test_bundle().string());
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("演示数据"), std::string::npos);
    EXPECT_NE(text.out.find("village"), std::string::npos);
    const auto json = test::run_onemap("info --json " + test::test_bundle().string());
    EXPECT_EQ(json.exit_code, 0);
    EXPECT_NE(json.out.find("\"synthetic\":true"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"county\":3"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"households\":3000"), std::string::npos);
}

TEST(Info, BadFilesGiveOneClearLineAndNonZeroExit) {
    const auto dir = test::temp_dir();
    std::ofstream(dir / "readme.gpkg") << "hello";
    const auto truncated = dir / "half.gpkg";
    std::filesystem::copy_file(test::test_bundle(), truncated, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 3);
    const std::string before = test::read_file(truncated);
    for (const auto& f : {dir / "readme.gpkg", truncated, dir / "missing.gpkg"}) {
        const auto r = test::run_onemap("info " + f.string());
        EXPECT_NE(r.exit_code, 0) << f;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
        EXPECT_NE(r.err.find(f.filename().string()), std::string::npos) << r.err;
    }
    EXPECT_EQ(test::read_file(truncated), before) << "the file is untouched";
}

TEST(Cli, HelpListsTheCommands) {
    const auto r = test::run_onemap("--help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("demo"), std::string::npos);
    EXPECT_NE(r.out.find("info"), std::string::npos);
}
