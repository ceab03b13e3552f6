#include "vector_source.hpp"

#include "gis/gcj02.hpp"
#include "gis/text_encoding.hpp"

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace onemap::gis {

namespace {

// "a, b, c": the dataset's layers, for messages. Appended piece by piece, not with `+` on temporary
// strings: the pattern GCC 12 at -O3 flags with false -Wrestrict warnings elsewhere.
std::string layer_names(GDALDataset& ds) {
    std::string names;
    for (int i = 0; i < ds.GetLayerCount(); ++i) {
        if (i) names += ", ";
        names += ds.GetLayer(i)->GetName();
    }
    return names;
}

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

struct DatasetCloser {
    void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string gdal_path(const std::string& path) {
    const std::string l = lower(path);
    if (l.size() > 4 && l.ends_with(".zip") && !l.starts_with("/vsi")) return "/vsizip/" + path;
    return path;
}

DatasetPtr open_dataset(const std::string& path, const CPLStringList& open_options) {
    ensure_gdal();
    VSIStatBufL stat;
    if (!path.starts_with("/vsi") && VSIStatL(path.c_str(), &stat) != 0) throw SourceError(fmt::format("{}: no such file or folder", path));
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    DatasetPtr ds(static_cast<GDALDataset*>(GDALOpenEx(gdal_path(path).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                       nullptr, open_options.List(), nullptr)));
    CPLPopErrorHandler();
    if (!ds) {
        std::string why = CPLGetLastErrorMsg();
        if (why.empty()) why = "not a vector file GDAL can read (Shapefile, zipped Shapefile, GeoPackage, GeoJSON, KML, FlatGeobuf, CSV, XLSX)";
        throw SourceError(fmt::format("{}: cannot open: {}", path, why));
    }
    return ds;
}

std::string read_small_file(const std::string& path, std::size_t max_bytes) {
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    if (!f) return {};
    std::string out(max_bytes, '\0');
    const std::size_t n = VSIFReadL(out.data(), 1, max_bytes, f);
    VSIFCloseL(f);
    out.resize(n);
    return out;
}

// The shapefile's .cpg / .dbf among the dataset's files for this layer.
std::optional<std::string> declared_shapefile_encoding(GDALDataset* ds, const std::string& layer, std::string* how) {
    char** files = ds->GetFileList();
    std::string cpg, dbf;
    for (char** p = files; p && *p; ++p) {
        const std::string file = *p;
        const std::string base = CPLGetBasename(file.c_str());
        const std::string ext = lower(CPLGetExtension(file.c_str()));
        if (base != layer) continue;
        if (ext == "cpg") cpg = file;
        if (ext == "dbf") dbf = file;
    }
    CSLDestroy(files);
    if (!cpg.empty()) {
        if (auto enc = encoding_from_cpg(read_small_file(cpg, 256))) {
            *how = "declared by the .cpg file";
            return enc;
        }
    }
    if (!dbf.empty()) {
        const std::string header = read_small_file(dbf, 32);
        if (header.size() >= 30) {
            if (auto enc = encoding_from_ldid(static_cast<unsigned char>(header[29]))) {
                *how = fmt::format("declared by the DBF code page mark (LDID {})", static_cast<unsigned char>(header[29]));
                return enc;
            }
        }
    }
    return std::nullopt;
}

std::string crs_name(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth && code) return fmt::format("{}:{}", auth, code);
    const char* name = srs.GetName();
    return name ? name : "unnamed CRS";
}

std::string crs_candidates(const OGREnvelope& e) {
    if (e.MinX >= -180 && e.MaxX <= 180 && e.MinY >= -90 && e.MaxY <= 90) {
        return "the coordinates look like degrees: CGCS2000 (--s-srs EPSG:4490) or WGS84 (--s-srs EPSG:4326); "
               "web-map data (Amap, DataV, Tencent) is GCJ-02 and also needs --from-gcj02";
    }
    if (e.MinX >= 1.3e7 && e.MaxX < 4.6e7 && e.MinY > 1e6 && e.MaxY < 7e6) {
        const int zone = static_cast<int>(e.MinX / 1e6);
        return fmt::format("the eastings carry a Gauss–Krüger zone prefix {0}: CGCS2000 / 3-degree Gauss-Kruger zone {0} "
                           "(--s-srs EPSG:{1}, central meridian {2}°E)",
                           zone, 4488 + zone, 3 * zone);
    }
    if (e.MinX > 0 && e.MaxX < 1e6 && e.MinY > 1e6 && e.MaxY < 7e6) {
        return "the coordinates look like Gauss–Krüger metres without zone prefix, whose central meridian the data "
               "cannot tell: for Henan CGCS2000 / 3-degree Gauss-Kruger CM 111E (--s-srs EPSG:4546), CM 114E (EPSG:4547) "
               "or CM 117E (EPSG:4548); with a zone prefix EPSG:4525…4527";
    }
    return "candidates: CGCS2000 EPSG:4490, WGS84 EPSG:4326, CGCS2000 / 3-degree Gauss-Kruger zones EPSG:4513…4533 "
           "(with zone prefix) or EPSG:4534…4554 (without)";
}

void add_ring(const OGRLinearRing* r, Ring& out) {
    const int n = r->getNumPoints();
    out.reserve(static_cast<std::size_t>(std::max(0, n)));
    for (int i = 0; i < n; ++i) out.push_back({r->getX(i), r->getY(i)});
    if (out.size() >= 2 && out.front() == out.back()) out.pop_back();
}

void collect_polygons(const OGRGeometry* g, MultiPolygon& out, bool& other) {
    switch (wkbFlatten(g->getGeometryType())) {
        case wkbPolygon: {
            const OGRPolygon* poly = g->toPolygon();
            if (poly->IsEmpty() || !poly->getExteriorRing()) return;
            Polygon p;
            add_ring(poly->getExteriorRing(), p.outer);
            for (int h = 0; h < poly->getNumInteriorRings(); ++h) {
                p.holes.emplace_back();
                add_ring(poly->getInteriorRing(h), p.holes.back());
            }
            out.push_back(std::move(p));
            return;
        }
        case wkbMultiPolygon:
        case wkbGeometryCollection:
        case wkbMultiSurface: {
            const auto* coll = g->toGeometryCollection();
            for (int i = 0; i < coll->getNumGeometries(); ++i) collect_polygons(coll->getGeometryRef(i), out, other);
            return;
        }
        default:
            if (OGR_GT_IsNonLinear(g->getGeometryType())) {
                std::unique_ptr<OGRGeometry> lin(g->getLinearGeometry());
                if (lin) collect_polygons(lin.get(), out, other);
                return;
            }
            other = true;
    }
}

class Transformer {
public:
    Transformer() = default;
    Transformer(std::unique_ptr<OGRCoordinateTransformation> ct, double x_offset, bool from_gcj02)
        : m_ct(std::move(ct)), m_x_offset(x_offset), m_gcj(from_gcj02) {}
    bool apply(std::vector<double>& xs, std::vector<double>& ys) const {
        if (m_x_offset != 0) for (double& x : xs) x += m_x_offset;
        if (m_ct && !xs.empty()) {
            std::vector<int> ok(xs.size(), 0);
            if (!m_ct->Transform(static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data())) return false;
            if (std::find(ok.begin(), ok.end(), 0) != ok.end()) return false;
        }
        if (m_gcj) {
            for (std::size_t i = 0; i < xs.size(); ++i) {
                const Point w = gcj02_to_wgs84({xs[i], ys[i]});
                xs[i] = w.x;
                ys[i] = w.y;
            }
        }
        return true;
    }
    bool apply(Ring& ring) const {
        std::vector<double> xs(ring.size()), ys(ring.size());
        for (std::size_t i = 0; i < ring.size(); ++i) { xs[i] = ring[i].x; ys[i] = ring[i].y; }
        if (!apply(xs, ys)) return false;
        for (std::size_t i = 0; i < ring.size(); ++i) ring[i] = {xs[i], ys[i]};
        return true;
    }
private:
    std::unique_ptr<OGRCoordinateTransformation> m_ct;
    double m_x_offset = 0;
    bool m_gcj = false;
};

}  // namespace

bool inside_china(const Box& b) { return !b.empty() && b.min_x >= 73 && b.max_x <= 136 && b.min_y >= 3 && b.max_y <= 54; }

std::vector<std::string> list_layers(const std::string& path) {
    DatasetPtr ds = open_dataset(path, CPLStringList());
    std::vector<std::string> out;
    for (int i = 0; i < ds->GetLayerCount(); ++i) out.emplace_back(ds->GetLayer(i)->GetName());
    return out;
}

void read_source(const SourceOptions& opt, FeatureSink& sink) {
    struct XlsxOptions {
        bool on = false;
        void set() {
            on = true;
            CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "DISABLE");
            CPLSetThreadLocalConfigOption("OGR_XLSX_FIELD_TYPES", "STRING");
        }
        ~XlsxOptions() {
            if (!on) return;
            CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", nullptr);
            CPLSetThreadLocalConfigOption("OGR_XLSX_FIELD_TYPES", nullptr);
        }
    } xlsx_options;  // before the dataset: destroyed after it
    DatasetPtr ds = open_dataset(opt.path, CPLStringList());
    const std::string driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    const bool shapefile = driver == "ESRI Shapefile";
    const bool csv = driver == "CSV";
    if (shapefile || csv || driver == "XLSX") {  // reopen: raw DBF bytes (we decode), every column as text
        CPLStringList oo;
        if (shapefile) oo.SetNameValue("ENCODING", "");
        if (csv) oo.SetNameValue("AUTODETECT_TYPE", "NO");
        ds.reset();
        // XLSX: every row as data, every cell as text — the header row is found below, not guessed by
        // GDAL (which takes a sheet of text cells for one without headers). GDAL 3.6's XLSX driver
        // reads these configuration options (not open options) when the layer is first read, so they
        // stay set, for this thread, until read_source returns.
        if (driver == "XLSX") xlsx_options.set();
        ds = open_dataset(opt.path, oo);
    }

    if (csv) {  // GDAL would cut a value short at a NUL byte, silently
        VSILFILE* f = VSIFOpenL(gdal_path(opt.path).c_str(), "rb");
        if (f) {
            std::vector<char> buf(1 << 16);
            std::int64_t line = 1;
            std::size_t n = 0;
            bool nul = false;
            while (!nul && (n = VSIFReadL(buf.data(), 1, buf.size(), f)) > 0) {
                for (std::size_t i = 0; i < n; ++i) {
                    if (buf[i] == '\n') ++line;
                    if (buf[i] == '\0') {
                        nul = true;
                        break;
                    }
                }
            }
            VSIFCloseL(f);
            if (nul) throw SourceError(fmt::format("{}: line {} holds a NUL byte (a binary or damaged file?); nothing was imported", opt.path, line));
        }
    }

    SourceInfo info;
    info.file = opt.path;
    info.driver = driver;
    OGRLayer* layer = nullptr;
    if (!opt.layer.empty()) {
        layer = ds->GetLayerByName(opt.layer.c_str());
        if (!layer) {
            const std::string names = layer_names(*ds);
            throw SourceError(fmt::format("{}: no layer '{}' (layers: {})", opt.path, opt.layer, names));
        }
    } else {
        if (ds->GetLayerCount() < 1) throw SourceError(fmt::format("{}: the file holds no layer", opt.path));
        layer = ds->GetLayer(0);
        if (ds->GetLayerCount() > 1) {
            const std::string names = layer_names(*ds);
            info.notes.push_back(fmt::format("the file has {} layers ({}); read '{}' — choose another with --layer",
                                             ds->GetLayerCount(), names, layer->GetName()));
        }
    }
    info.layer = layer->GetName();
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int nfields = defn->GetFieldCount();
    // XLSX: the header row is the first of the sheet's first rows that is full — as many cells as the
    // fullest of them, all text, none a number — so a title row above it (one merged cell) is skipped.
    std::int64_t header_row = 0;  // 1-based spreadsheet row of the header; 0: the driver's own fields
    std::vector<std::string> header;
    if (driver == "XLSX") {
        std::vector<std::vector<std::string>> top;
        layer->ResetReading();
        for (auto& f : *layer) {
            std::vector<std::string> cells(static_cast<std::size_t>(nfields));
            for (int i = 0; i < nfields; ++i)
                if (f->IsFieldSetAndNotNull(i)) cells[static_cast<std::size_t>(i)] = f->GetFieldAsString(i);
            top.push_back(std::move(cells));
            if (top.size() >= 20) break;
        }
        layer->ResetReading();
        auto filled = [](const std::vector<std::string>& r) {
            return std::count_if(r.begin(), r.end(), [](const std::string& c) { return !c.empty(); });
        };
        auto numeric = [](const std::string& c) {
            char* end = nullptr;
            std::strtod(c.c_str(), &end);
            return !c.empty() && end && *end == '\0';
        };
        std::ptrdiff_t most = 0;
        for (const auto& r : top) most = std::max(most, filled(r));
        for (std::size_t k = 0; k < top.size() && most > 0; ++k) {
            if (filled(top[k]) == most && std::none_of(top[k].begin(), top[k].end(), numeric)) {
                header_row = static_cast<std::int64_t>(k) + 1;
                header = top[k];
                break;
            }
        }
        if (header_row == 0) throw SourceError(fmt::format("{}: no header row among the sheet's first {} rows (a row of column names)", opt.path, top.size()));
    }

    // ---- encoding
    const bool raw_text = shapefile || csv;  // other drivers hand over UTF-8 by their format's definition
    std::string encoding = "UTF-8";
    if (!opt.encoding.empty()) {
        encoding = canonical_encoding(opt.encoding);
        if (!known_encoding(encoding)) throw SourceError(fmt::format("--encoding {}: not an encoding this system knows (try UTF-8 or GBK)", opt.encoding));
        info.encoding_source = raw_text ? "--encoding" : "--encoding (ignored: this format is UTF-8 by definition)";
        if (!raw_text) encoding = "UTF-8";
    } else if (!raw_text) {
        info.encoding_source = fmt::format("the {} format (UTF-8)", driver);
    } else {
        std::string how;
        std::optional<std::string> declared = shapefile ? declared_shapefile_encoding(ds.get(), info.layer, &how) : std::nullopt;
        if (declared) {
            encoding = *declared;
            info.encoding_source = how;
        } else {  // detect from every text value and the field names
            std::vector<std::string> samples;
            for (int i = 0; i < nfields; ++i) samples.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
            layer->SetIgnoredFields(std::vector<const char*>{"OGR_GEOMETRY", nullptr}.data());
            layer->ResetReading();
            // Decided on the whole file: values with non-ASCII text that are valid UTF-8 against those
            // that are not. A UTF-8 file with a few stray bytes is neither UTF-8 nor GBK: refused with
            // the first such row, instead of reading every name as GB18030 mojibake (王五 → 鐜嬩簲).
            std::int64_t utf8_values = 0, other_values = 0, row = 0, first_row = 0;
            int first_field = -1;
            for (auto& f : *layer) {
                ++row;
                for (int i = 0; i < nfields; ++i) {
                    if (defn->GetFieldDefn(i)->GetType() != OFTString || !f->IsFieldSetAndNotNull(i)) continue;
                    const std::string_view v = f->GetFieldAsString(i);
                    if (std::all_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) continue;
                    if (is_valid_utf8(v)) {
                        ++utf8_values;
                    } else if (other_values++ == 0) {
                        first_row = row;
                        first_field = i;
                    }
                }
            }
            layer->SetIgnoredFields(nullptr);
            layer->ResetReading();
            const bool non_utf8 = other_values > 0;
            if (non_utf8 && utf8_values >= other_values) {
                const std::string where = csv ? fmt::format("line {}", first_row + 1) : fmt::format("feature {}", first_row);
                throw SourceError(fmt::format("{}: mixed text encodings — {} values are UTF-8 but {} are not (the first: {}, field {}); "
                                              "nothing was imported: fix those bytes, or give the encoding with --encoding",
                                              opt.path, utf8_values, other_values, where, defn->GetFieldDefn(first_field)->GetNameRef()));
            }
            if (non_utf8) samples.emplace_back("\xff");
            encoding = detect_encoding(samples);
            info.encoding_source = encoding == "UTF-8" ? "detected (all text is valid UTF-8)"
                                                       : "detected (text is not UTF-8; read as GBK/GB18030, Chinese desktop GIS's default)";
        }
    }
    info.encoding = encoding;
    for (int i = 0; i < nfields; ++i) {
        if (header_row > 0) {  // XLSX is UTF-8 by definition
            const std::string& h = header[static_cast<std::size_t>(i)];
            info.fields.push_back(h.empty() ? fmt::format("Field{}", i + 1) : h);
            continue;
        }
        const char* raw = defn->GetFieldDefn(i)->GetNameRef();
        auto name = to_utf8(raw, encoding);
        info.fields.push_back(name ? *name : std::string(raw));
    }
    const std::int64_t counted = layer->GetFeatureCount(TRUE);  // a sheet's rows, its title and header rows too
    info.feature_count = counted >= 0 ? counted - header_row : counted;

    // ---- CRS
    Transformer transformer;
    if (!opt.tables) {
        OGRSpatialReference src;
        bool have = false;
        if (const OGRSpatialReference* own = layer->GetSpatialRef()) info.own_crs = crs_name(*own);
        if (!opt.s_srs.empty()) {
            if (src.SetFromUserInput(opt.s_srs.c_str()) != OGRERR_NONE) {
                throw SourceError(fmt::format("--s-srs {}: not a CRS PROJ knows (e.g. EPSG:4490, EPSG:4547)", opt.s_srs));
            }
            have = true;
            info.notes.push_back(fmt::format("CRS {} from --s-srs", opt.s_srs));
        } else if (const OGRSpatialReference* s = layer->GetSpatialRef()) {
            src = *s;
            have = true;
        }
        OGREnvelope env;
        const bool have_extent = layer->GetExtent(&env, TRUE) == OGRERR_NONE;
        if (!have) {
            throw SourceError(fmt::format("{}: the file declares no coordinate reference system (no .prj); {}. Give it with --s-srs",
                                          opt.path, have_extent ? crs_candidates(env) : crs_candidates(OGREnvelope())));
        }
        src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        info.crs = crs_name(src);
        double x_offset = 0;
        if (have_extent && src.IsGeographic() && (std::abs(env.MaxX) > 360 || std::abs(env.MaxY) > 90)) {
            throw SourceError(fmt::format("{}: the CRS {} is in degrees but the coordinates reach ({:.0f}, {:.0f}) — they look like metres "
                                          "read as degrees; {}. Give the right CRS with --s-srs",
                                          opt.path, info.crs, env.MaxX, env.MaxY, crs_candidates(env)));
        }
        if (have_extent && src.IsProjected()) {
            const double fe = src.GetProjParm(SRS_PP_FALSE_EASTING, 0.0);
            const double cm = src.GetProjParm(SRS_PP_CENTRAL_MERIDIAN, 0.0);
            if (fe < 1e6 && env.MinX >= 1.3e7 && env.MaxX < 4.6e7) {
                const int zone = static_cast<int>(env.MinX / 1e6);
                if (static_cast<int>(env.MaxX / 1e6) != zone) {
                    throw SourceError(fmt::format("{}: eastings span Gauss–Krüger zone prefixes {} to {}; one file must hold one zone",
                                                  opt.path, zone, static_cast<int>(env.MaxX / 1e6)));
                }
                x_offset = -zone * 1e6;
                info.notes.push_back(fmt::format("eastings carry the Gauss–Krüger zone prefix {} that the CRS {} lacks; prefix removed", zone, info.crs));
                if (std::abs(cm - 3.0 * zone) > 1e-6 && std::abs(cm - 6.0 * zone + 3) > 1e-6) {
                    info.notes.push_back(fmt::format("warning: zone prefix {} does not match the central meridian {}°E of {}", zone, cm, info.crs));
                }
            } else if (fe > 1e6 && env.MaxX < 1e6) {
                x_offset = fe - 500000.0;
                info.notes.push_back(fmt::format("the CRS {} expects a zone prefix that the eastings lack; prefix added", info.crs));
            }
        }
        OGRSpatialReference dst;
        dst.importFromEPSG(4490);
        dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct;
        if (!(src.IsGeographic() && src.IsSame(&dst))) {
            CPLPushErrorHandler(CPLQuietErrorHandler);
            ct.reset(OGRCreateCoordinateTransformation(&src, &dst));
            CPLPopErrorHandler();
            if (!ct) throw SourceError(fmt::format("{}: PROJ cannot transform {} to CGCS2000 (EPSG:4490)", opt.path, info.crs));
        }
        if (opt.from_gcj02) info.notes.push_back("GCJ-02 shift undone (--from-gcj02)");
        transformer = Transformer(std::move(ct), x_offset, opt.from_gcj02);
        if (have_extent) {
            std::vector<double> xs{env.MinX, env.MaxX, env.MinX, env.MaxX, (env.MinX + env.MaxX) / 2};
            std::vector<double> ys{env.MinY, env.MinY, env.MaxY, env.MaxY, (env.MinY + env.MaxY) / 2};
            Box b;
            if (transformer.apply(xs, ys)) for (std::size_t i = 0; i < xs.size(); ++i) b.expand(Point{xs[i], ys[i]});
            const bool center_in = !b.empty() && inside_china(Box{xs[4], ys[4], xs[4], ys[4]});
            if (!center_in) {
                throw SourceError(fmt::format("{}: with the CRS {} the data lands outside China (around lon {:.3f}, lat {:.3f}); "
                                              "the CRS is probably wrong — {}",
                                              opt.path, info.crs, b.empty() ? env.MinX : xs[4], b.empty() ? env.MinY : ys[4], crs_candidates(env)));
            }
        }
    }

    sink.begin(info);

    // ---- features; a read error GDAL reports on the way (a .dbf or .shp cut short) fails the file
    struct ReadErrors {
        int count = 0;
        std::string first;
        static void CPL_STDCALL handle(CPLErr level, CPLErrorNum, const char* msg) {
            auto* self = static_cast<ReadErrors*>(CPLGetErrorHandlerUserData());
            if (level < CE_Failure) return;
            if (self->count++ == 0) self->first = msg ? msg : "";
        }
    } errors;
    struct Handler {
        explicit Handler(ReadErrors* e) { CPLPushErrorHandlerEx(&ReadErrors::handle, e); }
        ~Handler() { CPLPopErrorHandler(); }
    };
    std::optional<Handler> handler(std::in_place, &errors);
    std::int64_t number = 0, iterated = 0;
    layer->ResetReading();
    for (auto& f : *layer) {
        ++iterated;
        if (iterated <= header_row) continue;  // the title and header rows of a sheet
        SourceFeature out;
        out.number = header_row > 0 ? iterated - 1 : ++number;  // a sheet's row N is shown as N (number + 1)
        out.fid = f->GetFID();
        out.values.resize(static_cast<std::size_t>(nfields));
        for (int i = 0; i < nfields; ++i) {
            if (!f->IsFieldSetAndNotNull(i)) continue;
            const char* raw = f->GetFieldAsString(i);
            if (defn->GetFieldDefn(i)->GetType() == OFTString) {
                auto text = raw_text ? to_utf8(raw, encoding) : (is_valid_utf8(raw) ? std::optional<std::string>(raw) : std::nullopt);
                if (text) out.values[static_cast<std::size_t>(i)] = std::move(*text);
                else out.undecodable.push_back(i);
            } else {
                out.values[static_cast<std::size_t>(i)] = raw;
            }
        }
        if (!opt.tables) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g) {
                out.kind = GeometryKind::None;
            } else {
                out.geometry_type = OGRGeometryTypeToName(g->getGeometryType());
                const auto flat = wkbFlatten(g->getGeometryType());
                if (g->IsEmpty()) {
                    out.kind = GeometryKind::Empty;
                } else if (flat == wkbPoint || (flat == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1)) {
                    const OGRPoint* p = flat == wkbPoint ? g->toPoint() : g->toMultiPoint()->getGeometryRef(0);
                    std::vector<double> xs{p->getX()}, ys{p->getY()};
                    out.kind = transformer.apply(xs, ys) ? GeometryKind::Point : GeometryKind::Other;
                    out.point = {xs[0], ys[0]};
                    out.outside_china = !inside_china(Box{xs[0], ys[0], xs[0], ys[0]});
                } else {
                    bool other = false;
                    collect_polygons(g, out.polygons, other);
                    if (out.polygons.empty()) {
                        out.kind = GeometryKind::Other;
                    } else {
                        out.kind = GeometryKind::Polygon;
                        bool ok = true;
                        for (auto& poly : out.polygons) {
                            ok = ok && transformer.apply(poly.outer);
                            for (auto& h : poly.holes) ok = ok && transformer.apply(h);
                        }
                        out.outside_china = !ok || !inside_china(bounds(out.polygons));
                    }
                }
            }
        }
        sink.feature(std::move(out));
    }
    handler.reset();
    if (errors.count > 0) {
        throw SourceError(fmt::format("{}: GDAL could not read the whole file ({} read error{}, the first: {}); it is damaged or cut short{} — "
                                      "nothing was imported",
                                      opt.path, errors.count, errors.count == 1 ? "" : "s", errors.first,
                                      shapefile ? " (a Shapefile's .shp, .shx and .dbf must all be complete)" : ""));
    }
    if (counted >= 0 && iterated != counted) {
        throw SourceError(fmt::format("{}: read {} features where the file counts {}; it is damaged or cut short{} — nothing was imported",
                                      opt.path, iterated, counted,
                                      shapefile ? " (a Shapefile's .shp, .shx and .dbf must all be complete)" : ""));
    }
}

}  // namespace onemap::gis
