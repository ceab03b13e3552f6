#pragma once
// The demo province: a deterministic stand-in for Henan's data (same seed → same bytes in every table).
//
//   real county locations + outline ──▶ labelled grid (counties grown around their real places)
//        ──▶ villages inside counties, townships from villages ──▶ arcs shared by all levels
//        ──▶ regions (5 levels, nested exactly)  ──▶ households, months, benefits, measures
//        ──▶ indicators aggregated bottom-up, projects, relocation sites ──▶ bundle (marked synthetic)
//
// The bundle is written to a temporary file and renamed into place, so FILE is either the whole new
// bundle or untouched.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace onemap::data {

enum class DemoScale { Test, Province };

struct DemoOptions {
    DemoScale scale = DemoScale::Province;
    std::uint64_t seed = 1;
    std::int64_t households = -1;         // -1: 300,000 (province) or 3,000 (test)
    std::filesystem::path out;
    std::filesystem::path key_out;        // household look-up key; empty: OUT + ".key"
    bool overwrite = false;
    int threads = 2;
    // PBKDF2 rounds for the (key-peppered) second factor. Kept low in the demo so 300,000 households
    // build in seconds; real imports set their own.
    int second_factor_iterations = 32;
    int samples = 0;                      // households whose (synthetic) credentials the report returns
};

// A synthetic household's look-up credentials, so people can try the kiosk on the demo bundle.
// These exist only in the report (never in the bundle); real ID numbers never pass through here.
struct DemoSample {
    std::string id_number;
    std::string second_factor;  // last four digits of the registered phone
    std::string village_code;
    std::string head_name_masked;
};

struct DemoReport {
    std::int64_t regions_per_level[6] = {};  // index = level (1…5)
    std::int64_t households = 0;
    std::int64_t projects = 0;
    std::int64_t sites = 0;
    std::int64_t indicator_rows = 0;
    std::vector<DemoSample> samples;
    double seconds_geography = 0;
    double seconds_people = 0;
    double seconds_write = 0;        // all of writing, of which:
    double seconds_features = 0;     //   regions, projects, sites through GDAL
    double seconds_hashing = 0;      //   keyed hashes of ID numbers and second factors
    double seconds_tables = 0;       //   SQLite tables (indicators, households, …)
};

// Throws BundleError (file exists, cannot write) or std::invalid_argument (bad options).
DemoReport generate_demo(const DemoOptions& options);

}  // namespace onemap::data
