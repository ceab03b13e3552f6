// Benchmark (not a test): importing a province's worth of village polygons from a Shapefile, side by
// side with `ogr2ogr -f GPKG` on the same file. onemap does validation, encoding detection, code
// checks, overlap and gap detection and the villages-inside-townships check on top of the copy.
//   onemap_bench_import [--villages N] [--vertices V] [--threads T] [--dir DIR]
#include "data/import/import_boundaries.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace {

constexpr int k_block = 20;  // townships are blocks of 20 × 20 villages
int g_cols = 0, g_rows = 0;  // the grid, for straight outer borders

// Deterministic wiggle of the shared edge between two grid nodes, so neighbours share borders exactly.
double wiggle(int a, int b, int k) {
    const unsigned h = static_cast<unsigned>(a) * 73856093u ^ static_cast<unsigned>(b) * 19349663u ^ static_cast<unsigned>(k) * 83492791u;
    return (static_cast<double>(h % 1000) / 1000.0 - 0.5) * 0.25;
}

// Points along the edge from node (i0,j0) to (i1,j1), `n` segments, excluding the end point.
void edge(std::vector<std::pair<double, double>>& out, int i0, int j0, int i1, int j1, int n, double x0, double y0, double cw, double ch) {
    const bool horizontal = j0 == j1;
    const int a = horizontal ? std::min(i0, i1) : i0, b = horizontal ? j0 : std::min(j0, j1);
    const int id_a = horizontal ? a * 2 : a * 2 + 1;
    const bool reversed = horizontal ? i1 < i0 : j1 < j0;
    for (int k = 0; k < n; ++k) {
        const int kk = reversed ? n - k : k;  // parameter along the canonical direction
        const double t = static_cast<double>(kk) / n;
        // 0 at the corners (no self-crossing) and along township borders (every k_block cells: straight).
        const bool township_border = horizontal ? (b % k_block == 0 || b == g_rows) : (a % k_block == 0 || a == g_cols);
        const double off = township_border ? 0 : wiggle(id_a, b, kk) * std::sin(3.14159265358979 * t);
        double x = 0, y = 0;
        if (horizontal) {
            x = x0 + (a + t) * cw;
            y = y0 + b * ch + off * ch;
        } else {
            x = x0 + a * cw + off * cw;
            y = y0 + (b + t) * ch;
        }
        out.emplace_back(x, y);
    }
}

}  // namespace

int main(int argc, char** argv) {
    int villages = 42000, vertices = 110, threads = 2;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("onemap-bench-import-{}", ::getpid());
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--villages")) villages = std::stoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--vertices")) vertices = std::stoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const int cols = static_cast<int>(std::ceil(std::sqrt(villages * 1.25))), rows = (villages + cols - 1) / cols;
    const double x0 = 110.6, y0 = 31.6, cw = 5.6 / cols, ch = 4.5 / rows;
    g_cols = cols;
    g_rows = rows;
    const int per_edge = std::max(1, vertices / 4);

    // The source: a GBK Shapefile without .cpg, CGCS2000, as a county GIS office would send it.
    GDALAllRegister();
    const auto shp = dir / "villages.shp";
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        GDALDataset* ds = drv->Create(shp.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        OGRSpatialReference srs;
        srs.importFromEPSG(4490);
        char** lco = CSLSetNameValue(nullptr, "ENCODING", "");
        OGRLayer* layer = ds->CreateLayer("villages", &srs, wkbPolygon, lco);
        CSLDestroy(lco);
        OGRFieldDefn code("XZQDM", OFTString), name("XZQMC", OFTString);
        code.SetWidth(12);
        name.SetWidth(40);
        layer->CreateField(&code);
        layer->CreateField(&name);
        char* gbk_cun = CPLRecode("村", CPL_ENC_UTF8, "GB18030");
        ds->StartTransaction();
        for (int n = 0; n < villages; ++n) {
            const int i = n % cols, j = n / cols;
            std::vector<std::pair<double, double>> pts;
            edge(pts, i, j, i + 1, j, per_edge, x0, y0, cw, ch);
            edge(pts, i + 1, j, i + 1, j + 1, per_edge, x0, y0, cw, ch);
            edge(pts, i + 1, j + 1, i, j + 1, per_edge, x0, y0, cw, ch);
            edge(pts, i, j + 1, i, j, per_edge, x0, y0, cw, ch);
            OGRLinearRing ring;
            for (const auto& [x, y] : pts) ring.addPoint(x, y);
            ring.addPoint(pts[0].first, pts[0].second);
            OGRPolygon poly;
            poly.addRing(&ring);
            OGRFeature f(layer->GetLayerDefn());
            const int town = (j / k_block) * ((cols + k_block - 1) / k_block) + i / k_block;
            f.SetField(0, fmt::format("410102{:03d}{:03d}", 1 + town, 1 + (j % k_block) * k_block + i % k_block).c_str());
            f.SetField(1, fmt::format("{}{}", gbk_cun, n).c_str());
            f.SetGeometry(&poly);
            if (layer->CreateFeature(&f) != OGRERR_NONE) return 2;
        }
        ds->CommitTransaction();
        CPLFree(gbk_cun);
        GDALClose(ds);
    }

    // The parent level: township boxes whose borders the villages follow exactly.
    const auto town_shp = dir / "townships.shp";
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        GDALDataset* ds = drv->Create(town_shp.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        OGRSpatialReference srs;
        srs.importFromEPSG(4490);
        char** lco = CSLSetNameValue(nullptr, "ENCODING", "UTF-8");
        OGRLayer* layer = ds->CreateLayer("townships", &srs, wkbPolygon, lco);
        CSLDestroy(lco);
        OGRFieldDefn code("XZQDM", OFTString), name("XZQMC", OFTString);
        layer->CreateField(&code);
        layer->CreateField(&name);
        const int bx = (cols + k_block - 1) / k_block, by = (rows + k_block - 1) / k_block;
        for (int tj = 0; tj < by; ++tj) {
            for (int ti = 0; ti < bx; ++ti) {
                const int i0 = ti * k_block, j0 = tj * k_block, i1 = std::min(cols, i0 + k_block), j1 = std::min(rows, j0 + k_block);
                OGRLinearRing ring;
                for (auto [x, y] : {std::pair{i0, j0}, std::pair{i1, j0}, std::pair{i1, j1}, std::pair{i0, j1}, std::pair{i0, j0}}) {
                    ring.addPoint(x0 + x * cw, y0 + y * ch);
                }
                OGRPolygon poly;
                poly.addRing(&ring);
                OGRFeature f(layer->GetLayerDefn());
                f.SetField(0, fmt::format("410102{:03d}", 1 + tj * bx + ti).c_str());
                f.SetField(1, fmt::format("镇{}", tj * bx + ti).c_str());
                f.SetGeometry(&poly);
                if (layer->CreateFeature(&f) != OGRERR_NONE) return 2;
            }
        }
        GDALClose(ds);
    }

    auto now = [] { return std::chrono::steady_clock::now(); };
    auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    // ogr2ogr, the same file to a GeoPackage (best of 2; the first run also warms the page cache).
    // CPU seconds as well as wall seconds: on a shared machine the CPU figures compare more fairly.
    auto cpu = [](int who) {
        rusage u{};
        getrusage(who, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    double t_ogr = 1e9, cpu_ogr = 1e9;
    for (int run = 0; run < 2; ++run) {
        const double c0 = cpu(RUSAGE_CHILDREN);
        std::filesystem::remove(dir / "ogr2ogr.gpkg");
        const auto t0 = now();
        const std::string cmd = fmt::format("ogr2ogr -f GPKG {} {} >/dev/null 2>&1", (dir / "ogr2ogr.gpkg").string(), shp.string());
        if (std::system(cmd.c_str()) != 0) fmt::print(stderr, "ogr2ogr failed (is gdal-bin installed?)\n");
        t_ogr = std::min(t_ogr, secs(t0, now()));
        cpu_ogr = std::min(cpu_ogr, cpu(RUSAGE_CHILDREN) - c0);
    }
    onemap::data::BoundaryImportOptions t;
    t.source.path = town_shp.string();
    t.level = onemap::data::Level::Township;
    const auto towns = onemap::data::import_boundaries(dir / "bundle.gpkg", t);  // not timed: the parents
    onemap::data::BoundaryImportOptions o;
    o.source.path = shp.string();
    o.level = onemap::data::Level::Village;
    o.threads = threads;
    const double c0 = cpu(RUSAGE_SELF);
    const auto t0 = now();
    const auto s = onemap::data::import_boundaries(dir / "bundle.gpkg", o);
    const double t_onemap = secs(t0, now());
    const double cpu_onemap = cpu(RUSAGE_SELF) - c0;

    fmt::print("villages: {} polygons × {} vertices, GBK Shapefile without .cpg, EPSG:4490, into a bundle with their {} townships; {} thread(s)\n\n",
               villages, 4 * per_edge, towns.imported, threads);
    fmt::print("| {:<44} | {:>9} | {:>11} | {:>8} | {:>7} | {:>8} |\n", "tool", "wall s", "features/s", "× ogr2ogr", "CPU s", "× (CPU)");
    fmt::print("|{:-<46}|{:-<11}|{:-<13}|{:-<10}|{:-<9}|{:-<10}|\n", "", "", "", "", "", "");
    fmt::print("| {:<44} | {:>9.2f} | {:>11.0f} | {:>8.2f} | {:>7.2f} | {:>8.2f} |\n", "ogr2ogr -f GPKG (copy only)", t_ogr, villages / t_ogr, 1.0,
               cpu_ogr, 1.0);
    fmt::print("| {:<44} | {:>9.2f} | {:>11.0f} | {:>8.2f} | {:>7.2f} | {:>8.2f} |\n", "onemap import boundaries (checks + topology)", t_onemap,
               villages / t_onemap, t_onemap / t_ogr, cpu_onemap, cpu_onemap / cpu_ogr);
    fmt::print("\nimported {}, repaired {}, rejected {}, warnings {}\n", s.imported, s.repaired, s.rejected, s.warnings);
    for (const auto& n : s.notes) fmt::print("  · {}\n", n);
    for (const auto& [reason, count] : s.by_reason) fmt::print("  {:>7}  {}\n", count, reason);
    for (std::size_t i = 0; i < std::min<std::size_t>(3, s.items.size()); ++i) {
        fmt::print("  e.g. {} {}: {} (expected {})\n", s.items[i].item, s.items[i].reason, s.items[i].found, s.items[i].expected);
    }
    std::filesystem::remove_all(dir);
    return s.imported == villages ? 0 : 1;
}
