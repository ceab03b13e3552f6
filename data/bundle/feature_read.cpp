// Reading the bundle's feature tables (features.hpp) straight from SQLite: a GeoPackage geometry is a
// small header ("GP", flags, SRS id, optional envelope) in front of standard WKB, which GEOS parses.
// Nothing here touches GDAL, so programs that only read a bundle (`onemap render`) don't load it.
#include "data/bundle/features.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/sql_statement.hpp"
#include "gis/geos.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace onemap::data {

namespace {

struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close_v2(db); }
};

std::unique_ptr<Connection> open_read(const std::filesystem::path& path) {
    auto c = std::make_unique<Connection>();
    if (sqlite3_open_v2(path.string().c_str(), &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        throw BundleError(fmt::format("{}: cannot open as GeoPackage: {}", path.string(), c->db ? sqlite3_errmsg(c->db) : "out of memory"));
    }
    sqlite3_busy_timeout(c->db, 5000);
    return c;
}

// The layer's geometry column and its integer primary key, as GeoPackage records them.
struct Layer {
    std::string geometry, fid;
};

Layer need_layer(sqlite3* db, const std::filesystem::path& path, const char* name) {
    Layer l;
    {
        sql::Statement st(db, path, "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?");
        st.text(1, name);
        if (!st.step()) throw BundleError(fmt::format("{}: bundle has no '{}' layer", path.string(), name));
        l.geometry = st.col_text(0);
    }
    sql::Statement st(db, path, "SELECT name FROM pragma_table_info(?) WHERE pk = 1");
    st.text(1, name);
    l.fid = st.step() ? st.col_text(0) : "rowid";
    return l;
}

std::string quoted(const std::string& identifier) {
    std::string out = "\"";
    for (char c : identifier) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// The WKB inside a GeoPackage geometry blob (GeoPackage 1.x, "GP" header); empty for an empty
// geometry; nullopt when the blob is not one.
std::optional<std::pair<const unsigned char*, std::size_t>> gpkg_wkb(const unsigned char* blob, std::size_t size) {
    if (size < 8 || blob[0] != 'G' || blob[1] != 'P') return std::nullopt;
    const unsigned flags = blob[3];
    const unsigned envelope = (flags >> 1) & 7;
    static constexpr std::size_t k_envelope_bytes[] = {0, 32, 48, 48, 64};
    if (envelope > 4) return std::nullopt;
    const std::size_t head = 8 + k_envelope_bytes[envelope];
    if (size < head) return std::nullopt;
    if (flags & 0x10) return std::pair{blob + head, std::size_t{0}};  // empty geometry
    return std::pair{blob + head, size - head};
}

// The geometry of column `c` of a row; GEOS parses the WKB. `where()` ("file: table, row: ") names the
// row in errors, made only when there is one.
template <class Where>
gis::GeosGeometry row_geometry(const gis::GeosContext& geos, sqlite3_stmt* st, int c, const Where& where) {
    if (sqlite3_column_type(st, c) == SQLITE_NULL) return {};
    const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(st, c));
    const auto wkb = gpkg_wkb(blob, static_cast<std::size_t>(sqlite3_column_bytes(st, c)));
    if (!wkb) throw BundleError(where() + "the geometry is not a GeoPackage geometry blob");
    if (wkb->second == 0) return {};
    auto g = geos.read_wkb(wkb->first, wkb->second);
    if (!g) throw BundleError(where() + "malformed WKB geometry");
    return g;
}

template <class Where>
gis::MultiPolygon polygons(const gis::GeosContext& geos, const gis::GeosGeometry& g, const Where& where) {
    if (!g) return {};
    if (!geos.is_polygonal(g)) throw BundleError(where() + "expected a (multi)polygon, got " + geos.type_name(g));
    return geos.to_multipolygon(g);
}

template <class Where>
gis::Point point(const gis::GeosContext& geos, const gis::GeosGeometry& g, const Where& where) {
    if (!g) return {};
    const auto p = geos.to_point(g);
    if (!p) throw BundleError(where() + "expected a point, got " + geos.type_name(g));
    return *p;
}

const auto k_nowhere = [] { return std::string(); };

// The rows of layer `table` that `select` picks ({fid} and {geom}: the layer's key and geometry
// columns, as GeoPackage records them; `level` binds its one parameter), each made into a T by `row`.
template <class T, class Row>
std::vector<T> read_rows(const std::filesystem::path& path, const char* table, std::string_view select,
                         std::optional<Level> level, const Row& row) {
    const auto c = open_read(path);
    const Layer l = need_layer(c->db, path, table);
    sql::Statement st(c->db, path, fmt::format(fmt::runtime(select), fmt::arg("fid", quoted(l.fid)), fmt::arg("geom", quoted(l.geometry))));
    if (level) st.integer(1, static_cast<int>(*level));
    gis::GeosContext geos;
    std::vector<T> out;
    while (st.step()) out.push_back(row(st, geos));
    return out;
}

}  // namespace

std::vector<Region> read_regions(const std::filesystem::path& path, std::optional<Level> level) {
    const std::string select = std::string("SELECT code, parent_code, level, name, population, tp_population, tp_households, {geom} "
                                           "FROM regions") + (level ? " WHERE level = ?" : "") + " ORDER BY code";
    return read_rows<Region>(path, "regions", select, level, [&](const sql::Statement& st, const gis::GeosContext& geos) {
        Region r;
        r.code = st.col_text(0);
        r.parent_code = st.col_text(1);
        r.level = static_cast<Level>(st.col_int(2));
        r.name = st.col_text(3);
        r.population = st.col_int(4);
        r.tp_population = st.col_int(5);
        r.tp_households = st.col_int(6);
        const auto where = [&] { return fmt::format("{}: regions, code {}: ", path.string(), r.code); };
        r.geometry = polygons(geos, row_geometry(geos, st.handle(), 7, where), where);
        return r;
    });
}

std::vector<Project> read_projects(const std::filesystem::path& path) {
    const char* select = "SELECT {fid}, name, county_code, village_code, category, batch, farmer_linkage, operating, "
                         "beneficiary_households, investment, {geom} FROM projects ORDER BY 1";
    return read_rows<Project>(path, "projects", select, std::nullopt, [&](const sql::Statement& st, const gis::GeosContext& geos) {
        Project p;
        p.fid = st.col_int(0);
        p.name = st.col_text(1);
        p.county_code = st.col_text(2);
        p.village_code = st.col_text(3);
        p.category = st.col_text(4);
        p.batch = st.col_text(5);
        p.farmer_linkage = st.col_int(6) != 0;
        p.operating = st.col_int(7) != 0;
        p.beneficiary_households = st.col_int(8);
        p.investment = st.col_real(9);
        const auto where = [&] { return fmt::format("{}: projects, fid {}: ", path.string(), p.fid); };
        p.location = point(geos, row_geometry(geos, st.handle(), 10, where), where);
        return p;
    });
}

std::vector<Site> read_sites(const std::filesystem::path& path) {
    const char* select = "SELECT {fid}, name, county_code, households, persons, employed_households, {geom} FROM sites ORDER BY 1";
    return read_rows<Site>(path, "sites", select, std::nullopt, [&](const sql::Statement& st, const gis::GeosContext& geos) {
        Site s;
        s.fid = st.col_int(0);
        s.name = st.col_text(1);
        s.county_code = st.col_text(2);
        s.households = st.col_int(3);
        s.persons = st.col_int(4);
        s.employed_households = st.col_int(5);
        const auto where = [&] { return fmt::format("{}: sites, fid {}: ", path.string(), s.fid); };
        s.location = point(geos, row_geometry(geos, st.handle(), 6, where), where);
        return s;
    });
}

gis::MultiPolygon multipolygon_from_wkb(const unsigned char* wkb, std::size_t size) {
    gis::GeosContext geos;
    const auto g = geos.read_wkb(wkb, size);
    if (!g) throw BundleError("malformed WKB geometry");
    return polygons(geos, g, k_nowhere);
}

gis::Point point_from_wkb(const unsigned char* wkb, std::size_t size) {
    gis::GeosContext geos;
    const auto g = geos.read_wkb(wkb, size);
    if (!g) throw BundleError("malformed WKB geometry");
    return point(geos, g, k_nowhere);
}

}  // namespace onemap::data
