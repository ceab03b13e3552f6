#pragma once
// For the benchmark programs: the province demo built into a temporary file when no --bundle is
// given (about 35 s here), with the time it took printed.
#include "data/demo/demo.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include <unistd.h>

namespace onemap::bench {

inline std::filesystem::path build_province_demo(std::string_view bench_name) {
    data::DemoOptions opt;
    opt.scale = data::DemoScale::Province;
    opt.out = std::filesystem::temp_directory_path() / fmt::format("onemap-bench-{}-{}.gpkg", bench_name, ::getpid());
    opt.overwrite = true;
    fmt::print("building the province demo … ");
    std::fflush(stdout);
    const auto t0 = std::chrono::steady_clock::now();
    data::generate_demo(opt);
    fmt::print("{:.1f} s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return opt.out;
}

}  // namespace onemap::bench
