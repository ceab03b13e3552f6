#pragma once
// Fixtures for the import tests, made here with GDAL: one case per numbered folder under a fresh
// temporary root (tests/unit/test_import_*.cpp).
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace onemap::test {

namespace fs = std::filesystem;

inline fs::path fixture_root() { return fs::temp_directory_path() / ("onemap-import-" + std::to_string(::getpid())); }

// The fixtures are removed when every test passed, kept for inspection otherwise.
class FixtureCleanup : public ::testing::Environment {
public:
    void TearDown() override {
        if (::testing::UnitTest::GetInstance()->Passed()) {
            std::error_code ec;
            fs::remove_all(fixture_root(), ec);
        }
    }
};
inline ::testing::Environment* const k_fixture_cleanup = ::testing::AddGlobalTestEnvironment(new FixtureCleanup);

// A fresh folder per test: /tmp/onemap-import-<pid>/<case>.
inline fs::path case_dir(const std::string& name) {
    const fs::path dir = fixture_root() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

struct FieldSpec {
    std::string name;
    OGRFieldType type = OFTString;
};

struct FeatureSpec {
    std::vector<std::string> values;  // as text, one per field ("" = NULL)
    std::string wkt;                  // "" = no geometry
};

// Writes one layer with GDAL. epsg 0: no CRS (no .prj). Layer creation options as "KEY=VALUE".
inline void write_layer(const fs::path& path, const char* driver_name, int epsg, const std::vector<FieldSpec>& fields,
                        const std::vector<FeatureSpec>& features, const std::vector<std::string>& lco = {},
                        OGRwkbGeometryType type = wkbPolygon) {
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    ASSERT_NE(driver, nullptr) << driver_name;
    GDALDataset* ds = driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    ASSERT_NE(ds, nullptr) << path << ": " << CPLGetLastErrorMsg();
    OGRSpatialReference srs;
    if (epsg) {
        srs.importFromEPSG(epsg);
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    CPLStringList options;
    for (const auto& o : lco) {
        const auto eq = o.find('=');
        options.SetNameValue(o.substr(0, eq).c_str(), o.substr(eq + 1).c_str());
    }
    OGRLayer* layer = ds->CreateLayer(path.stem().string().c_str(), epsg ? &srs : nullptr, type, options.List());
    ASSERT_NE(layer, nullptr) << CPLGetLastErrorMsg();
    for (const auto& f : fields) {
        OGRFieldDefn def(f.name.c_str(), f.type);
        if (f.type == OFTString) def.SetWidth(80);
        layer->CreateField(&def);
    }
    for (const auto& spec : features) {
        OGRFeature f(layer->GetLayerDefn());
        for (std::size_t i = 0; i < spec.values.size(); ++i) {
            if (!spec.values[i].empty()) f.SetField(static_cast<int>(i), spec.values[i].c_str());
        }
        if (!spec.wkt.empty()) {
            OGRGeometry* g = nullptr;
            ASSERT_EQ(OGRGeometryFactory::createFromWkt(spec.wkt.c_str(), nullptr, &g), OGRERR_NONE) << spec.wkt;
            f.SetGeometryDirectly(g);
        }
        ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE) << CPLGetLastErrorMsg();
    }
    GDALClose(ds);
}

inline std::string box_wkt(double x0, double y0, double x1, double y1) {
    return "POLYGON((" + std::to_string(x0) + " " + std::to_string(y0) + "," + std::to_string(x1) + " " + std::to_string(y0) + "," +
           std::to_string(x1) + " " + std::to_string(y1) + "," + std::to_string(x0) + " " + std::to_string(y1) + "," + std::to_string(x0) +
           " " + std::to_string(y0) + "))";
}

// UTF-8 → GBK bytes (what Chinese desktop GIS writes), through GDAL's recoder.
inline std::string to_gbk(const std::string& utf8) {
    char* r = CPLRecode(utf8.c_str(), CPL_ENC_UTF8, "GB18030");
    std::string out = r;
    CPLFree(r);
    return out;
}

inline std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

}  // namespace onemap::test
