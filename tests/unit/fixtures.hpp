#pragma once
// Shared test fixtures: demo bundles generated once per test process into a private temp folder.
#include "data/demo/demo.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

namespace onemap::test {

inline std::filesystem::path temp_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("onemap-tests-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

// The test-scale demo bundle, seed 1 (one city, three counties). ctest builds it once
// (fixture `demo_test_bundle`, passed in ONEMAP_TEST_BUNDLE); run by hand, the process builds its own.
inline const std::filesystem::path& test_bundle() {
    static const std::filesystem::path path = [] {
        if (const char* env = std::getenv("ONEMAP_TEST_BUNDLE"); env && std::filesystem::exists(env)) return std::filesystem::path(env);
        data::DemoOptions opt;
        opt.scale = data::DemoScale::Test;
        opt.seed = 1;
        opt.out = temp_dir() / "test-seed1.gpkg";
        data::generate_demo(opt);
        return opt.out;
    }();
    return path;
}

// A test-scale demo bundle of its own at `out`, with `samples` households' (synthetic) look-up
// credentials in the report, and its key beside it (OUT.key).
inline data::DemoReport demo_with_samples(const std::filesystem::path& out, std::uint64_t seed, int samples) {
    data::DemoOptions opt;
    opt.scale = data::DemoScale::Test;
    opt.seed = seed;
    opt.samples = samples;
    opt.out = out;
    opt.overwrite = true;
    return data::generate_demo(opt);
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct CommandResult {
    int exit_code;
    std::string out;
    std::string err;
};

// Run the onemap binary with arguments (a shell-quoted string).
inline CommandResult run_onemap(const std::string& args) {
    const auto out = temp_dir() / "cmd.out", err = temp_dir() / "cmd.err";
    const std::string cmd = std::string(ONEMAP_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(("bash -c '" + cmd + "'").c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

}  // namespace onemap::test
