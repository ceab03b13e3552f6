#include "data/bundle/info.hpp"
#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <utility>

#include <sys/wait.h>

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

// `onemap` is a launcher: render goes to onemap-render, everything else to onemap-full, with the
// arguments exactly as given and the program's exit status. Checked here with two stand-ins.
TEST(Cli, TheLauncherHandsRenderAndEverythingElseToTheirPrograms) {
    const auto dir = test::temp_dir() / "launcher";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(ONEMAP_BINARY, dir / "onemap");
    const auto stand_in = [&](const char* name, int status) {
        std::ofstream(dir / name) << "#!/bin/sh\nprintf '%s' \"" << name << "\"; for a in \"$@\"; do printf '|%s' \"$a\"; done\nexit " << status << "\n";
        std::filesystem::permissions(dir / name, std::filesystem::perms::owner_all);
    };
    const auto run = [&](const std::string& args) {
        const auto out = dir / "out.txt";
        const int status = std::system(("'" + (dir / "onemap").string() + "' " + args + " >'" + out.string() + "' 2>&1").c_str());
        return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::read_file(out)};
    };
    auto [code, out] = run("render --out 'a b.png'");
    EXPECT_EQ(code, 127) << "nothing to run yet: " << out;
    EXPECT_NE(out.find("onemap-render"), std::string::npos) << out;
    stand_in("onemap-render", 0);
    stand_in("onemap-full", 3);
    std::tie(code, out) = run("render --out 'a b.png'");
    EXPECT_EQ(code, 0);
    EXPECT_EQ(out, "onemap-render|render|--out|a b.png");
    std::tie(code, out) = run("info --json x.gpkg");
    EXPECT_EQ(code, 3) << "the program's own exit status";
    EXPECT_EQ(out, "onemap-full|info|--json|x.gpkg");
    std::tie(code, out) = run("--version");
    EXPECT_EQ(out, "onemap-full|--version");
    std::tie(code, out) = run("");
    EXPECT_EQ(out, "onemap-full");
}

TEST(Cli, RenderHelpComesFromTheRenderProgram) {
    const auto r = test::run_onemap("render --help");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("--bundle"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--size"), std::string::npos) << r.out;
    EXPECT_EQ(test::run_onemap("--version").out, "onemap 0.1.0\n");
}

// Bad input to `onemap render`: a clear message naming what was wrong, exit 2, no picture.
TEST(Cli, RenderRefusesWhatItCannotDraw) {
    const auto out = test::temp_dir() / "refused.png";
    // --no-cache: the shared test bundle is left as it is (a render would store its render cache and
    // regions fingerprint in it, and Demo.SameSeedSameContentInEveryTable compares its content)
    const std::string bundle = " --no-cache --bundle '" + test::test_bundle().string() + "' --out '" + out.string() + "'";
    const auto refused = [&](const std::string& args, const std::string& says) {
        std::filesystem::remove(out);
        const auto r = test::run_onemap("render" + bundle + (args.find("--size") == std::string::npos ? " --size 320x200 " : " ") + args);
        EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
        EXPECT_FALSE(std::filesystem::exists(out)) << args;
    };
    refused("--region 4199", "no region with code 4199");
    refused("--metric no_such_metric", "unknown metric 'no_such_metric'");
    refused("--level city", "unknown level 'city'");
    refused("--level county --select 4102", "--select 4102: no county region has that code");
    refused("--size 10x10", "--size '10x10' is not WIDTHxHEIGHT");

    // a city is drawn as its counties (the test bundle's only city: the whole map)
    std::filesystem::remove(out);
    const auto city = test::run_onemap("render" + bundle + " --size 320x200 --region 4102 --quiet");
    EXPECT_EQ(city.exit_code, 0) << city.err;
    EXPECT_TRUE(std::filesystem::exists(out));
}

