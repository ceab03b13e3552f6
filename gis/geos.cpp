#include "geos.hpp"

#include <geos_c.h>

#include <cstdarg>
#include <cstdio>
#include <stdexcept>

namespace onemap::gis {

namespace {
void geos_message(const char* fmt, ...) {
    // GEOS notices are diagnostics for developers; the validity API returns reasons explicitly.
    (void)fmt;
}

GEOSGeometry* make_ring(GEOSContextHandle_t ctx, const Ring& ring) {
    const auto n = static_cast<unsigned>(ring.size());
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx, n + 1, 2);
    for (unsigned i = 0; i <= n; ++i) {
        const Point& p = ring[i % n];
        GEOSCoordSeq_setXY_r(ctx, seq, i, p.x, p.y);
    }
    return GEOSGeom_createLinearRing_r(ctx, seq);
}

Ring read_ring(GEOSContextHandle_t ctx, const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &n);
    Ring out;
    out.reserve(n);
    for (unsigned i = 0; i + 1 < n; ++i) {
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
        out.push_back({x, y});
    }
    return out;
}
}  // namespace

GeosGeometry& GeosGeometry::operator=(GeosGeometry&& o) noexcept {
    if (this != &o) {
        if (m_g) GEOSGeom_destroy_r(m_ctx, m_g);
        m_ctx = o.m_ctx;
        m_g = o.m_g;
        o.m_g = nullptr;
    }
    return *this;
}

GeosGeometry::~GeosGeometry() {
    if (m_g) GEOSGeom_destroy_r(m_ctx, m_g);
}

GeosContext::GeosContext() : m_ctx(GEOS_init_r()) {
    GEOSContext_setNoticeHandler_r(m_ctx, geos_message);
    GEOSContext_setErrorHandler_r(m_ctx, geos_message);
}

GeosContext::~GeosContext() { GEOS_finish_r(m_ctx); }

GeosGeometry GeosContext::make(const MultiPolygon& geometry) const {
    std::vector<GEOSGeometry*> polys;
    for (const auto& poly : geometry) {
        std::vector<GEOSGeometry*> holes;
        for (const auto& h : poly.holes) holes.push_back(make_ring(m_ctx, h));
        polys.push_back(GEOSGeom_createPolygon_r(m_ctx, make_ring(m_ctx, poly.outer), holes.data(),
                                                  static_cast<unsigned>(holes.size())));
    }
    return GeosGeometry(m_ctx, GEOSGeom_createCollection_r(m_ctx, GEOS_MULTIPOLYGON, polys.data(),
                                                           static_cast<unsigned>(polys.size())));
}

MultiPolygon GeosContext::to_multipolygon(const GeosGeometry& g) const {
    MultiPolygon out;
    const int parts = GEOSGetNumGeometries_r(m_ctx, g.get());
    for (int i = 0; i < parts; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(m_ctx, g.get(), i);
        if (GEOSGeomTypeId_r(m_ctx, part) != GEOS_POLYGON || GEOSisEmpty_r(m_ctx, part)) continue;
        Polygon poly;
        poly.outer = read_ring(m_ctx, GEOSGetExteriorRing_r(m_ctx, part));
        const int nh = GEOSGetNumInteriorRings_r(m_ctx, part);
        for (int h = 0; h < nh; ++h) poly.holes.push_back(read_ring(m_ctx, GEOSGetInteriorRingN_r(m_ctx, part, h)));
        out.push_back(std::move(poly));
    }
    return out;
}

GeosGeometry GeosContext::read_wkb(const unsigned char* wkb, std::size_t size) const {
    GEOSWKBReader* reader = GEOSWKBReader_create_r(m_ctx);
    GEOSGeometry* g = GEOSWKBReader_read_r(m_ctx, reader, wkb, size);
    GEOSWKBReader_destroy_r(m_ctx, reader);
    return GeosGeometry(m_ctx, g);
}

bool GeosContext::is_polygonal(const GeosGeometry& g) const {
    const int t = GEOSGeomTypeId_r(m_ctx, g.get());
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

std::optional<Point> GeosContext::to_point(const GeosGeometry& g) const {
    if (GEOSGeomTypeId_r(m_ctx, g.get()) != GEOS_POINT || GEOSisEmpty_r(m_ctx, g.get())) return std::nullopt;
    Point p;
    if (!GEOSGeomGetX_r(m_ctx, g.get(), &p.x) || !GEOSGeomGetY_r(m_ctx, g.get(), &p.y)) return std::nullopt;
    return p;
}

std::string GeosContext::type_name(const GeosGeometry& g) const {
    char* t = GEOSGeomType_r(m_ctx, g.get());
    std::string out = t ? t : "unknown";
    GEOSFree_r(m_ctx, t);
    return out;
}

bool GeosContext::is_valid(const GeosGeometry& g, std::string* reason) const {
    const char valid = GEOSisValid_r(m_ctx, g.get());
    if (valid != 1 && reason) {
        char* text = GEOSisValidReason_r(m_ctx, g.get());
        *reason = text ? text : "unknown";
        GEOSFree_r(m_ctx, text);
    }
    return valid == 1;
}

double GeosContext::area(const GeosGeometry& g) const {
    double a = 0;
    GEOSArea_r(m_ctx, g.get(), &a);
    return a;
}

bool GeosContext::covers(const GeosGeometry& outer, const GeosGeometry& inner) const {
    return GEOSCovers_r(m_ctx, outer.get(), inner.get()) == 1;
}

GeosGeometry GeosContext::make_valid(const GeosGeometry& g) const {
    return GeosGeometry(m_ctx, GEOSMakeValid_r(m_ctx, g.get()));
}

GeosGeometry GeosContext::unary_union(std::vector<GeosGeometry> parts) const {
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(GEOSGeom_clone_r(m_ctx, p.get()));
    GeosGeometry coll(m_ctx, GEOSGeom_createCollection_r(m_ctx, GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                         static_cast<unsigned>(raw.size())));
    return GeosGeometry(m_ctx, GEOSUnaryUnion_r(m_ctx, coll.get()));
}

double GeosContext::intersection_area(const GeosGeometry& a, const GeosGeometry& b) const {
    GeosGeometry inter(m_ctx, GEOSIntersection_r(m_ctx, a.get(), b.get()));
    return inter ? area(inter) : 0.0;
}

}  // namespace onemap::gis
