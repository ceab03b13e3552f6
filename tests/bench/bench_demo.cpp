// Benchmark (not a test): time and peak memory of building the demo province.
//   onemap_bench_demo [--scale province|test] [--out DIR]
#include "data/demo/demo.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char** argv) {
    std::string scale = "province";
    std::filesystem::path dir = std::filesystem::temp_directory_path();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--scale")) scale = argv[i + 1];
        if (!std::strcmp(argv[i], "--out")) dir = argv[i + 1];
    }
    onemap::data::DemoOptions opt;
    opt.scale = scale == "test" ? onemap::data::DemoScale::Test : onemap::data::DemoScale::Province;
    opt.seed = 1;
    opt.out = dir / fmt::format("onemap-bench-demo-{}.gpkg", ::getpid());
    opt.overwrite = true;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = onemap::data::generate_demo(opt);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto size = std::filesystem::file_size(opt.out);
    std::filesystem::remove(opt.out);
    std::filesystem::remove(opt.out.string() + ".key");

    fmt::print("onemap demo build, scale {}, {} threads\n\n", scale, opt.threads);
    fmt::print("| stage | seconds |\n|---|---:|\n");
    fmt::print("| geography (grid, coverage, 5 levels) | {:.2f} |\n", r.seconds_geography);
    fmt::print("| people (households, indicators) | {:.2f} |\n", r.seconds_people);
    fmt::print("| writing the bundle | {:.2f} |\n", r.seconds_write);
    fmt::print("| **total** | **{:.2f}** |\n\n", total);
    fmt::print("| what | count |\n|---|---:|\n");
    const char* levels[] = {"", "province", "city", "county", "township", "village"};
    for (int l = 1; l <= 5; ++l) fmt::print("| {} | {} |\n", levels[l], r.regions_per_level[l]);
    fmt::print("| households | {} |\n| projects | {} |\n| sites | {} |\n| indicator rows | {} |\n", r.households, r.projects, r.sites,
               r.indicator_rows);
    fmt::print("| bundle size (MiB) | {:.1f} |\n| peak memory (MiB) | {:.0f} |\n", static_cast<double>(size) / 1048576.0,
               static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
}
