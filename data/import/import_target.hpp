#pragma once
// Where an import's validated rows land: a bundle file or the province's PostgreSQL database.
//
//   read_source ─▶ checks (data/import/import_boundaries.cpp, data/import/import_tables.cpp) ─▶ ImportTarget::write_…
//                  (they ask the target which regions, keys … it holds)        (each write all or nothing)
//
// bundle_target: a working copy swapped in atomically (data/bundle/bundle_swap.hpp).
// postgres_target: one PostgreSQL transaction per write, rows sent with COPY (data/pg/pg_import.cpp).
#include "data/bundle/features.hpp"
#include "data/bundle/table_values.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onemap::data {

// One checked household row as the households importer produces it (no ID number, no phone).
struct HouseholdRow {
    std::string id_hash, village, name_masked, type, salt, phone4_peppered, factor_hash;
    std::string factor_kind = "phone4";    // or "pin": a look-up PIN issued by the village committee
    std::string contact, contact_phone;    // the assigned cadre and their work phone; empty: none
    std::int64_t members = 0, labour = 0;
    bool supported = false, relocated = false;
};

class ImportTarget {
public:
    virtual ~ImportTarget() = default;
    virtual std::string name() const = 0;  // the bundle's path, or the database's URL without password
    virtual bool exists() const = 0;       // false: a bundle file not created yet (boundaries create it)
    virtual std::vector<Region> regions() const = 0;  // every level, with geometry
    virtual std::unordered_map<std::string, int> region_levels() const = 0;  // code → level
    virtual std::optional<std::string> meta(std::string_view key) const = 0;

    // Replace one level of regions; meta (layers_real, source, bbox) and the render cache follow.
    virtual void write_regions(Level level, const std::vector<Region>& regions, const std::string& source_file) = 0;
    virtual void write_indicators(const std::vector<IndicatorRow>& rows) = 0;  // upserted
    virtual void write_households(const std::vector<HouseholdRow>& rows, const std::string& key_fingerprint, int iterations) = 0;
    virtual void write_projects(const std::vector<Project>& projects) = 0;  // replace all
    virtual void write_sites(const std::vector<Site>& sites) = 0;           // replace all
};

std::unique_ptr<ImportTarget> bundle_target(const std::filesystem::path& bundle);
// Connects (connect_timeout 10 s) and checks the onemap schema; throws pg::PgError.
std::unique_ptr<ImportTarget> postgres_target(std::string_view url);

}  // namespace onemap::data
