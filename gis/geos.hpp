#pragma once
// GEOS (C API, thread-safe _r functions) behind a small RAII wrapper: validity, repair,
// containment and union on onemap's own geometry types. One GeosContext per thread.
#include "geometry.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

typedef struct GEOSContextHandle_HS* GEOSContextHandle_t;
typedef struct GEOSGeom_t GEOSGeometry;

namespace onemap::gis {

class GeosContext;

// An owned GEOS geometry; moves only.
class GeosGeometry {
public:
    GeosGeometry() = default;
    GeosGeometry(GEOSContextHandle_t ctx, GEOSGeometry* g) : m_ctx(ctx), m_g(g) {}
    GeosGeometry(GeosGeometry&& o) noexcept : m_ctx(o.m_ctx), m_g(o.m_g) { o.m_g = nullptr; }
    GeosGeometry& operator=(GeosGeometry&& o) noexcept;
    GeosGeometry(const GeosGeometry&) = delete;
    GeosGeometry& operator=(const GeosGeometry&) = delete;
    ~GeosGeometry();
    GEOSGeometry* get() const { return m_g; }
    explicit operator bool() const { return m_g != nullptr; }
private:
    GEOSContextHandle_t m_ctx = nullptr;
    GEOSGeometry* m_g = nullptr;
};

class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    GeosGeometry make(const MultiPolygon& geometry) const;       // onemap → GEOS
    MultiPolygon to_multipolygon(const GeosGeometry& g) const;   // GEOS (Polygon/MultiPolygon) → onemap
    GeosGeometry read_wkb(const unsigned char* wkb, std::size_t size) const;  // ISO/OGC WKB; empty if malformed
    bool is_polygonal(const GeosGeometry& g) const;              // a Polygon or MultiPolygon
    std::optional<Point> to_point(const GeosGeometry& g) const;  // a non-empty Point's coordinates
    std::string type_name(const GeosGeometry& g) const;          // "Polygon", "LineString", …
    bool is_valid(const GeosGeometry& g, std::string* reason = nullptr) const;
    double area(const GeosGeometry& g) const;
    bool covers(const GeosGeometry& outer, const GeosGeometry& inner) const;
    GeosGeometry make_valid(const GeosGeometry& g) const;
    GeosGeometry unary_union(std::vector<GeosGeometry> parts) const;  // consumes the parts
    double intersection_area(const GeosGeometry& a, const GeosGeometry& b) const;

    GEOSContextHandle_t handle() const { return m_ctx; }
private:
    GEOSContextHandle_t m_ctx;
};

}  // namespace onemap::gis
