#include "features.hpp"

#include "data/bundle/bundle.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace onemap::data {

namespace {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    });
}

struct DatasetCloser {
    void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

OGRSpatialReference cgcs2000() {
    OGRSpatialReference srs;
    srs.importFromEPSG(4490);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

OGRLayer* make_layer(GDALDataset* ds, const char* name, OGRwkbGeometryType type, const std::filesystem::path& path) {
    OGRSpatialReference srs = cgcs2000();
    char** options = nullptr;
    options = CSLSetNameValue(options, "GEOMETRY_NAME", "geom");
    options = CSLSetNameValue(options, "FID", "fid");
    OGRLayer* layer = ds->CreateLayer(name, &srs, type, options);
    CSLDestroy(options);
    if (!layer) throw BundleError(fmt::format("{}: cannot create layer {}: {}", path.string(), name, CPLGetLastErrorMsg()));
    return layer;
}

void add_field(OGRLayer* layer, const char* name, OGRFieldType type) {
    OGRFieldDefn def(name, type);
    layer->CreateField(&def);
}

void add_feature(OGRLayer* layer, OGRFeature& f, const std::filesystem::path& path) {
    if (layer->CreateFeature(&f) != OGRERR_NONE) {
        throw BundleError(fmt::format("{}: cannot write feature to {}: {}", path.string(), layer->GetName(), CPLGetLastErrorMsg()));
    }
}

void fill_ogr(OGRLinearRing& r, const gis::Ring& ring) {
    r.setNumPoints(static_cast<int>(ring.size() + 1), FALSE);
    for (std::size_t i = 0; i <= ring.size(); ++i) {
        const auto& p = ring[i % ring.size()];
        r.setPoint(static_cast<int>(i), p.x, p.y);
    }
}

OGRLinearRing* new_ogr_ring(const gis::Ring& ring) {
    auto r = std::make_unique<OGRLinearRing>();
    fill_ogr(*r, ring);
    return r.release();
}

std::unique_ptr<OGRMultiPolygon> to_ogr(const gis::MultiPolygon& geometry) {
    auto mp = std::make_unique<OGRMultiPolygon>();
    for (const auto& poly : geometry) {  // rings and polygons handed over, not copied
        auto p = std::make_unique<OGRPolygon>();
        p->addRingDirectly(new_ogr_ring(poly.outer));
        for (const auto& h : poly.holes) p->addRingDirectly(new_ogr_ring(h));
        mp->addGeometryDirectly(p.release());
    }
    return mp;
}

gis::Ring from_ogr(const OGRLinearRing* r) {
    gis::Ring out;
    const int n = r->getNumPoints();
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i + 1 < n; ++i) out.push_back({r->getX(i), r->getY(i)});
    if (n > 0 && (r->getX(0) != r->getX(n - 1) || r->getY(0) != r->getY(n - 1))) out.push_back({r->getX(n - 1), r->getY(n - 1)});
    return out;
}

gis::MultiPolygon from_ogr(const OGRGeometry* g) {
    gis::MultiPolygon out;
    if (!g) return out;
    auto add_polygon = [&](const OGRPolygon* poly) {
        gis::Polygon p;
        if (!poly->getExteriorRing()) return;
        p.outer = from_ogr(poly->getExteriorRing());
        for (int h = 0; h < poly->getNumInteriorRings(); ++h) p.holes.push_back(from_ogr(poly->getInteriorRing(h)));
        out.push_back(std::move(p));
    };
    switch (wkbFlatten(g->getGeometryType())) {
        case wkbPolygon: add_polygon(g->toPolygon()); break;
        case wkbMultiPolygon:
            for (const auto* part : g->toMultiPolygon()) add_polygon(part);
            break;
        default: break;
    }
    return out;
}

OGRLayer* need_layer(GDALDataset* ds, const char* name, const std::filesystem::path& path) {
    OGRLayer* layer = ds->GetLayerByName(name);
    if (!layer) throw BundleError(fmt::format("{}: bundle has no '{}' layer", path.string(), name));
    return layer;
}

void add_region(OGRLayer* rl, const Region& r, const std::filesystem::path& path) {
    OGRFeature f(rl->GetLayerDefn());
    f.SetField("code", r.code.c_str());
    f.SetField("parent_code", r.parent_code.c_str());
    f.SetField("level", static_cast<int>(r.level));
    f.SetField("name", r.name.c_str());
    f.SetField("population", static_cast<GIntBig>(r.population));
    f.SetField("tp_population", static_cast<GIntBig>(r.tp_population));
    f.SetField("tp_households", static_cast<GIntBig>(r.tp_households));
    f.SetGeometryDirectly(to_ogr(r.geometry).release());
    add_feature(rl, f, path);
}

void add_project(OGRLayer* pl, const Project& p, const std::filesystem::path& path) {
    OGRFeature f(pl->GetLayerDefn());
    f.SetField("name", p.name.c_str());
    f.SetField("county_code", p.county_code.c_str());
    f.SetField("village_code", p.village_code.c_str());
    f.SetField("category", p.category.c_str());
    f.SetField("batch", p.batch.c_str());
    f.SetField("farmer_linkage", p.farmer_linkage ? 1 : 0);
    f.SetField("operating", p.operating ? 1 : 0);
    f.SetField("beneficiary_households", static_cast<GIntBig>(p.beneficiary_households));
    f.SetField("investment", p.investment);
    if (p.fid > 0) f.SetFID(p.fid);  // a published snapshot keeps the source's ids (alerts, households refer to them)
    f.SetGeometryDirectly(new OGRPoint(p.location.x, p.location.y));
    add_feature(pl, f, path);
}

void add_site(OGRLayer* sl, const Site& s, const std::filesystem::path& path) {
    OGRFeature f(sl->GetLayerDefn());
    f.SetField("name", s.name.c_str());
    f.SetField("county_code", s.county_code.c_str());
    f.SetField("households", static_cast<GIntBig>(s.households));
    f.SetField("persons", static_cast<GIntBig>(s.persons));
    f.SetField("employed_households", static_cast<GIntBig>(s.employed_households));
    if (s.fid > 0) f.SetFID(s.fid);
    f.SetGeometryDirectly(new OGRPoint(s.location.x, s.location.y));
    add_feature(sl, f, path);
}

}  // namespace

void write_features(const std::filesystem::path& path, const std::vector<Region>& regions,
                    const std::vector<Project>& projects, const std::vector<Site>& sites) {
    ensure_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) throw BundleError("GDAL has no GPKG driver (install libgdal32 / gdal-bin from Debian)");
    DatasetPtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw BundleError(fmt::format("{}: cannot create GeoPackage: {}", path.string(), CPLGetLastErrorMsg()));

    OGRLayer* rl = make_layer(ds.get(), "regions", wkbMultiPolygon, path);
    add_field(rl, "code", OFTString);
    add_field(rl, "parent_code", OFTString);
    add_field(rl, "level", OFTInteger);
    add_field(rl, "name", OFTString);
    add_field(rl, "population", OFTInteger64);
    add_field(rl, "tp_population", OFTInteger64);
    add_field(rl, "tp_households", OFTInteger64);

    OGRLayer* pl = make_layer(ds.get(), "projects", wkbPoint, path);
    for (const char* f : {"name", "county_code", "village_code", "category", "batch"}) add_field(pl, f, OFTString);
    add_field(pl, "farmer_linkage", OFTInteger);
    add_field(pl, "operating", OFTInteger);
    add_field(pl, "beneficiary_households", OFTInteger64);
    add_field(pl, "investment", OFTReal);

    OGRLayer* sl = make_layer(ds.get(), "sites", wkbPoint, path);
    add_field(sl, "name", OFTString);
    add_field(sl, "county_code", OFTString);
    for (const char* f : {"households", "persons", "employed_households"}) add_field(sl, f, OFTInteger64);

    if (ds->StartTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot start transaction", path.string()));
    for (const Region& r : regions) {
        add_region(rl, r, path);
    }
    for (const Project& p : projects) {
        add_project(pl, p, path);
    }
    for (const Site& s : sites) {
        add_site(sl, s, path);
    }
    if (ds->CommitTransaction() != OGRERR_NONE) {
        throw BundleError(fmt::format("{}: cannot commit features: {}", path.string(), CPLGetLastErrorMsg()));
    }
}

void replace_regions(const std::filesystem::path& path, Level level, const std::vector<Region>& regions, WorkCopy copy) {
    ensure_gdal();
    const char* drivers[] = {"GPKG", nullptr};
    struct Options {  // GDAL reads these when it opens the file; they only apply to this thread's open
        explicit Options(bool on) : on(on) {
            if (!on) return;
            CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", "OFF");
            CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
        }
        ~Options() {
            if (!on) return;
            CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", nullptr);
            CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", nullptr);
        }
        bool on;
    } options(copy == WorkCopy::Private);
    DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr)));
    if (!ds) throw BundleError(fmt::format("{}: cannot open as GeoPackage for writing: {}", path.string(), CPLGetLastErrorMsg()));
    OGRLayer* rl = need_layer(ds.get(), "regions", path);
    if (ds->StartTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot start transaction", path.string()));
    ds->ExecuteSQL(fmt::format("DELETE FROM regions WHERE level = {}", static_cast<int>(level)).c_str(), nullptr, nullptr);
    for (const Region& r : regions) {
        add_region(rl, r, path);
    }
    if (ds->CommitTransaction() != OGRERR_NONE) {
        throw BundleError(fmt::format("{}: cannot commit regions: {}", path.string(), CPLGetLastErrorMsg()));
    }
}

namespace {
DatasetPtr open_update(const std::filesystem::path& path) {
    ensure_gdal();
    const char* drivers[] = {"GPKG", nullptr};
    DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr)));
    if (!ds) throw BundleError(fmt::format("{}: cannot open as GeoPackage for writing: {}", path.string(), CPLGetLastErrorMsg()));
    return ds;
}
}  // namespace

void replace_projects(const std::filesystem::path& path, const std::vector<Project>& projects) {
    DatasetPtr ds = open_update(path);
    OGRLayer* pl = need_layer(ds.get(), "projects", path);
    if (ds->StartTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot start transaction", path.string()));
    ds->ExecuteSQL("DELETE FROM projects", nullptr, nullptr);
    for (const Project& p : projects) {
        add_project(pl, p, path);
    }
    if (ds->CommitTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot commit projects: {}", path.string(), CPLGetLastErrorMsg()));
}

void replace_sites(const std::filesystem::path& path, const std::vector<Site>& sites) {
    DatasetPtr ds = open_update(path);
    OGRLayer* sl = need_layer(ds.get(), "sites", path);
    if (ds->StartTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot start transaction", path.string()));
    ds->ExecuteSQL("DELETE FROM sites", nullptr, nullptr);
    for (const Site& s : sites) {
        add_site(sl, s, path);
    }
    if (ds->CommitTransaction() != OGRERR_NONE) throw BundleError(fmt::format("{}: cannot commit sites: {}", path.string(), CPLGetLastErrorMsg()));
}

namespace {

std::vector<Region> regions_from_layer(OGRLayer* layer) {
    std::vector<Region> out;
    for (auto& f : *layer) {
        Region r;
        r.code = f->GetFieldAsString("code");
        r.parent_code = f->GetFieldAsString("parent_code");
        r.level = static_cast<Level>(f->GetFieldAsInteger("level"));
        r.name = f->GetFieldAsString("name");
        r.population = f->GetFieldAsInteger64("population");
        r.tp_population = f->GetFieldAsInteger64("tp_population");
        r.tp_households = f->GetFieldAsInteger64("tp_households");
        r.geometry = from_ogr(f->GetGeometryRef());
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const Region& a, const Region& b) { return a.code < b.code; });
    return out;
}

std::vector<Project> projects_from_layer(OGRLayer* layer) {
    std::vector<Project> out;
    for (auto& f : *layer) {
        Project p;
        p.fid = f->GetFID();
        p.name = f->GetFieldAsString("name");
        p.county_code = f->GetFieldAsString("county_code");
        p.village_code = f->GetFieldAsString("village_code");
        p.category = f->GetFieldAsString("category");
        p.batch = f->GetFieldAsString("batch");
        p.farmer_linkage = f->GetFieldAsInteger("farmer_linkage") != 0;
        p.operating = f->GetFieldAsInteger("operating") != 0;
        p.beneficiary_households = f->GetFieldAsInteger64("beneficiary_households");
        p.investment = f->GetFieldAsDouble("investment");
        if (const auto* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            p.location = {g->toPoint()->getX(), g->toPoint()->getY()};
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<Site> sites_from_layer(OGRLayer* layer) {
    std::vector<Site> out;
    for (auto& f : *layer) {
        Site s;
        s.fid = f->GetFID();
        s.name = f->GetFieldAsString("name");
        s.county_code = f->GetFieldAsString("county_code");
        s.households = f->GetFieldAsInteger64("households");
        s.persons = f->GetFieldAsInteger64("persons");
        s.employed_households = f->GetFieldAsInteger64("employed_households");
        if (const auto* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbPoint) {
            s.location = {g->toPoint()->getX(), g->toPoint()->getY()};
        }
        out.push_back(std::move(s));
    }
    return out;
}

// GDAL's PostgreSQL driver on the onemap tables only (no scan of every table of the database).
DatasetPtr open_pg(const std::string& url, const std::string& shown) {
    ensure_gdal();
    const char* drivers[] = {"PostgreSQL", nullptr};
    char** oo = CSLSetNameValue(nullptr, "TABLES", "regions,projects,sites");
    oo = CSLSetNameValue(oo, "LIST_ALL_TABLES", "NO");
    DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(("PG:" + url).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, oo, nullptr)));
    CSLDestroy(oo);
    if (!ds) throw BundleError(fmt::format("{}: GDAL cannot open the database: {}", shown, CPLGetLastErrorMsg()));
    return ds;
}

}  // namespace

std::vector<Region> read_pg_regions(const std::string& url, const std::string& shown, Level level, const std::vector<std::string>* codes) {
    DatasetPtr ds = open_pg(url, shown);
    OGRLayer* layer = need_layer(ds.get(), "regions", shown);
    std::string filter = fmt::format("level = {}", static_cast<int>(level));
    if (codes) {
        // Region codes are digits (GB/T 2260 and its extensions); anything else is left out here and
        // can never reach the filter text.
        std::string list;
        for (const auto& c : *codes) {
            if (c.empty() || c.find_first_not_of("0123456789") != std::string::npos) continue;
            list += (list.empty() ? "'" : ",'") + c + "'";
        }
        filter += list.empty() ? " AND 1 = 0" : " AND code IN (" + list + ")";
    }
    if (layer->SetAttributeFilter(filter.c_str()) != OGRERR_NONE) {
        throw BundleError(fmt::format("{}: regions: cannot filter: {}", shown, CPLGetLastErrorMsg()));
    }
    return regions_from_layer(layer);
}

std::vector<Project> read_pg_projects(const std::string& url, const std::string& shown) {
    DatasetPtr ds = open_pg(url, shown);
    return projects_from_layer(need_layer(ds.get(), "projects", shown));
}

std::vector<Site> read_pg_sites(const std::string& url, const std::string& shown) {
    DatasetPtr ds = open_pg(url, shown);
    return sites_from_layer(need_layer(ds.get(), "sites", shown));
}

namespace {
std::vector<unsigned char> export_wkb(const OGRGeometry& g) {
    std::vector<unsigned char> out(static_cast<std::size_t>(g.WkbSize()));
    g.exportToWkb(wkbNDR, out.data(), wkbVariantIso);
    return out;
}
}  // namespace

std::vector<unsigned char> to_wkb(const gis::MultiPolygon& geometry) { return export_wkb(*to_ogr(geometry)); }

std::vector<unsigned char> to_wkb(const gis::Point& point) { return export_wkb(OGRPoint(point.x, point.y)); }

}  // namespace onemap::data
