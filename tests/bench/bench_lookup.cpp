// Benchmark (not a test): what the kiosk's household look-up costs when a kiosk opens (or reloads)
// a province bundle — the look-up's set-up and the card's glyph set for the font atlas.
//   onemap_bench_lookup [--bundle FILE] [--runs N]
//     FILE is opened read-only, as a kiosk does (ideally `onemap demo --scale province` then
//     `onemap prepare`); without it a province demo is built (and prepared) in the temp folder.
//     Each run opens the bundle afresh; the first run is reported alone (SQLite's page cache is
//     empty then, the OS file cache may not be), the others as a median. Exits 1 when the stored
//     card characters differ from a scan of the tables.
// Prints timings and counts only: nothing of any household.
#include "data/bundle/bundle.hpp"
#include "data/demo/demo.hpp"
#include "tests/bench/bench_demo_bundle.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_key.hpp"
#include "data/household/household_lookup.hpp"
#include "data/household/lookup_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double median(std::vector<double> xs) {
    if (xs.empty()) return 0;
    std::sort(xs.begin(), xs.end());
    return xs[xs.size() / 2];
}
std::size_t code_points(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
}  // namespace

int main(int argc, char** argv) {
    using namespace onemap;
    std::filesystem::path path;
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--bundle")) path = argv[i + 1];
        if (!std::strcmp(argv[i], "--runs")) runs = std::max(1, std::atoi(argv[i + 1]));
    }
    bool built = false;
    if (path.empty()) {
        path = bench::build_province_demo("lookup");
        built = true;
    }
    const std::filesystem::path key_path = path.string() + ".key";
    const auto guard_path = std::filesystem::temp_directory_path() / fmt::format("onemap-bench-lookup-guard-{}.db", ::getpid());

    std::vector<double> setup_s, glyphs_s, scan_s;
    std::size_t glyphs = 0;
    bool available = false, stored = false;
    for (int run = 0; run <= runs; ++run) {
        const data::Bundle bundle = data::Bundle::open(path, data::OpenMode::ReadOnly);
        auto guard = data::LookupGuard::open(guard_path);
        std::optional<data::Key> key;
        if (std::filesystem::exists(key_path)) key = data::load_key_file(key_path);
        auto t0 = Clock::now();
        data::HouseholdLookup lookup(bundle, std::move(key), guard);
        setup_s.push_back(since(t0));
        available = lookup.available();
        t0 = Clock::now();
        const std::string g = data::household_card_glyphs(bundle);
        glyphs_s.push_back(since(t0));
        glyphs = code_points(g);
        stored = data::household_card_glyphs_stored(bundle);
        t0 = Clock::now();
        if (data::scan_household_card_glyphs(bundle) != g) {
            fmt::print(stderr, "the stored household card characters differ from the tables'\n");
            return 1;
        }
        scan_s.push_back(since(t0));
    }
    std::filesystem::remove(guard_path);
    fmt::print("onemap kiosk household look-up on open — {} ({} runs after the first)\n\n", path.string(), runs);
    fmt::print("| step | first run ms | median ms |\n|---|---:|---:|\n");
    fmt::print("| HouseholdLookup set-up (key, meta, factor kind, year){} | {:.1f} | {:.1f} |\n", available ? "" : " — unavailable: no key",
               setup_s.front() * 1000, median({setup_s.begin() + 1, setup_s.end()}) * 1000);
    fmt::print("| household_card_glyphs, what the kiosk calls ({} characters; {}) | {:.1f} | {:.1f} |\n", glyphs,
               stored ? "the set stored in the bundle" : "none stored: scanned", glyphs_s.front() * 1000,
               median({glyphs_s.begin() + 1, glyphs_s.end()}) * 1000);
    fmt::print("| scan_household_card_glyphs (a bundle without a stored set; what import, publish, demo and prepare store) | {:.1f} | {:.1f} |\n",
               scan_s.front() * 1000, median({scan_s.begin() + 1, scan_s.end()}) * 1000);
    if (built) {
        std::filesystem::remove(path);
        std::filesystem::remove(key_path);
    }
    return 0;
}
