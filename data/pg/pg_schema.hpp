#pragma once
// The province's PostgreSQL/PostGIS database: the bundle's tables (schema v1, data/bundle/bundle.cpp), with
// regions/projects/sites as PostGIS geometry in CGCS2000 (EPSG:4490), and two roles.
//
//   onemap serve-db init --pg URL   ─▶ init_schema(): PostGIS, tables, indexes, roles, grants,
//                                      meta.schema_version (idempotent: a second run changes nothing)
//   onemap serve-db load --pg URL --bundle F ─▶ load_bundle(): a whole bundle copied in (COPY), one transaction
//
// Roles: `writer` (data offices: SELECT/INSERT/UPDATE/DELETE, never on alert_audit's history) and
// `reader` (screens: SELECT only). Both are LOGIN roles without a password; the administrator sets one
// (ALTER ROLE … PASSWORD) and pg_hba.conf decides who may connect.
#include "data/bundle/features.hpp"
#include "data/pg/pg.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace onemap::data::pg {

inline constexpr int k_pg_schema_version = 1;

// The regions table's columns as the readers select them, and one row of such a result as a Region
// (geometry from its WKB), for every reader of regions (import checks, publish).
inline constexpr const char* k_region_select =
    "SELECT code, parent_code, level, name, population, tp_population, tp_households, ST_AsBinary(geom) FROM regions ";
Region region_from_row(const Result& r, int row);

// A region's scope, as publish and a --region screen take it: `down` the region and all its
// descendants, `all` those and its ancestors. Throws PgError when there is no such region.
struct RegionScope {
    std::vector<std::string> all, down;
};
RegionScope region_scope(Connection& c, const std::string& code);

struct Roles {
    std::string writer = "onemap_writer";
    std::string reader = "onemap_reader";
};

// One attribute (non-geometry) table of the bundle, as both sides know it.
struct TableSpec {
    const char* name;
    const char* columns;   // comma-separated, same names and order on both sides
};
std::span<const TableSpec> attribute_tables();   // meta, metrics, indicators, households, … (no render_cache)

// The change counter (table `changes`, one row per writing statement on a watched table, NOTIFY
// onemap_changed at commit), added by init_schema — also to a database initialised before it existed.
// change_counters(): per table (row count, sum of versions); any difference between two reads means a
// commit in between. Throws PgError (no counter: has_change_counter() is false).
std::span<const char* const> watched_tables();
std::map<std::string, std::pair<std::int64_t, std::int64_t>> change_counters(Connection& c);
bool has_change_counter(Connection& c);

// Creates what is missing; returns one line per thing done ("created role onemap_reader" …).
// Throws PgError when the server lacks PostGIS or the database holds a newer onemap schema.
std::vector<std::string> init_schema(Connection& c, const Roles& roles = {});

// Throws PgError unless the database holds onemap schema k_pg_schema_version.
void require_schema(Connection& c);

// Copies every table of `bundle` into the database in one transaction. The onemap tables must be
// empty unless `replace` (then they are emptied first). Returns (table, rows) in copy order.
std::vector<std::pair<std::string, std::int64_t>> load_bundle(Connection& c, const std::filesystem::path& bundle, bool replace);

// EWKB for PostGIS (hex, SRID 4490) from ISO WKB: the SRID flag and value are put into the header.
std::string ewkb_hex(const std::vector<unsigned char>& wkb, std::uint32_t srid = 4490);

}  // namespace onemap::data::pg
