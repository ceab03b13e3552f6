#pragma once
// A small demo bundle for the E2E tests, with a few synthetic households' look-up credentials.
#include "data/demo/demo.hpp"

#include <cstdint>
#include <filesystem>

namespace onemap::test {

inline data::DemoReport e2e_demo(const std::filesystem::path& out, std::uint64_t seed, int samples) {
    data::DemoOptions opt;
    opt.scale = data::DemoScale::Test;
    opt.seed = seed;
    opt.samples = samples;
    opt.overwrite = true;
    opt.out = out;
    return data::generate_demo(opt);
}

}  // namespace onemap::test
