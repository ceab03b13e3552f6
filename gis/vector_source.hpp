#pragma once
// Reading any vector or table source GDAL knows (Shapefile, zipped Shapefile, GeoPackage, GeoJSON,
// KML, FlatGeobuf, CSV, XLSX) into onemap's types, pushed one feature at a time into a sink.
//
//   open (GDAL) ─▶ pick layer ─▶ encoding: --encoding │ .cpg │ DBF code page │ detect UTF-8 vs GB18030
//        ─▶ CRS: --s-srs │ the source's │ none → SourceError naming the candidates
//        ─▶ Gauss–Krüger zone prefix removed ─▶ PROJ to CGCS2000 lon/lat ─▶ GCJ-02 undone (opt-in)
//        ─▶ FeatureSink::feature(decoded values, geometry)
//
// Text is always handed over as UTF-8; a value that does not decode is reported in the feature
// (never replaced by guesswork). Errors name the file and the rule broken.
#include "gis/geometry.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace onemap::gis {

class SourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct SourceOptions {
    std::string path;
    std::string layer;        // empty: the only layer (or the first, noted)
    std::string encoding;     // empty: declared or detected
    std::string s_srs;        // empty: the source's CRS
    bool from_gcj02 = false;  // web-map (Amap/DataV) coordinates: undo the GCJ-02 shift
    bool tables = false;      // a table (CSV/XLSX): every column as text, no CRS needed
};

struct SourceInfo {
    std::string file;
    std::string layer;
    std::string driver;
    std::vector<std::string> fields;  // UTF-8 field names, in order
    std::string encoding;             // "UTF-8", "GB18030"
    std::string encoding_source;      // "declared by .cpg", "detected", "--encoding", "format (UTF-8)"
    std::string crs;                  // "EPSG:4547" or the CRS name: the one used
    std::string own_crs;              // the file's own (its .prj …), even when --s-srs overrode it; "" none
    std::int64_t feature_count = -1;  // -1 when unknown
    std::vector<std::string> notes;   // what was done on the way (zone prefix removed, GCJ-02 undone …)
};

enum class GeometryKind { None, Empty, Polygon, Point, Other };

struct SourceFeature {
    std::int64_t number = 0;                         // 1-based position in the layer
    std::int64_t fid = 0;                            // the source's feature id
    std::vector<std::optional<std::string>> values;  // per field, UTF-8; nullopt when NULL or undecodable
    std::vector<int> undecodable;                    // fields whose bytes did not decode
    GeometryKind kind = GeometryKind::None;
    std::string geometry_type;                       // OGR's name, for messages
    MultiPolygon polygons;                           // lon/lat CGCS2000
    Point point;                                     // lon/lat CGCS2000
    bool outside_china = false;                      // transformed coordinates outside China
};

class FeatureSink {
public:
    virtual ~FeatureSink() = default;
    virtual void begin(const SourceInfo& info) { (void)info; }
    virtual void feature(SourceFeature&& f) = 0;
};

// Reads the whole layer into `sink`. Throws SourceError (cannot open, no such layer, no CRS, data
// outside China as a whole, unknown encoding).
void read_source(const SourceOptions& options, FeatureSink& sink);

// Layer names of a source, for messages and --layer.
std::vector<std::string> list_layers(const std::string& path);

// China's extent, generous (lon 73…136, lat 3…54).
bool inside_china(const Box& lonlat);

}  // namespace onemap::gis
