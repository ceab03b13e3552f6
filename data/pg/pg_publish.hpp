#pragma once
// `onemap publish`: one kiosk's or wall's bundle from the province's PostgreSQL database.
//
//   BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY   (every table read from the same snapshot)
//     the region, its ancestors and all its descendants (with geometry)
//     projects and relocation sites of the region (sites: of its county when below county level)
//     metrics, targets, indicators, rule_results, featured industries, alerts (+ audit) of those regions
//     households of the region's villages only, with their income, months, benefits and measures
//   COMMIT
//     ─▶ .NAME.publish-PID.gpkg ─▶ prepare(work) (render cache) ─▶ fsync ─▶ rename() over `out`
//
// The output never exists half-written: a failure leaves `out` as it was (or absent).
#include "data/pg/pg.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace onemap::data {

struct PublishSummary {
    std::string region_code, region_name;
    std::string source;                                       // the database, without password
    std::string snapshot;                                     // pg_current_snapshot() of the read
    std::vector<std::pair<std::string, std::int64_t>> rows;   // table → rows written
    double seconds_read = 0, seconds_prepare = 0;
    std::uintmax_t bytes = 0;
};

// An empty `region_code` publishes the whole database (its top region). Throws pg::PgError (server,
// unknown region) or BundleError (writing the file).
// `households` false leaves out every household table and the alerts about households (a wall's
// snapshot needs no people's data).
PublishSummary publish_snapshot(pg::Connection& c, const std::string& region_code, const std::filesystem::path& out,
                                const std::function<void(const std::filesystem::path& work)>& prepare = {}, bool households = true);

}  // namespace onemap::data
