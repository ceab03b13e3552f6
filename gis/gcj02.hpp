#pragma once
// GCJ-02 ("Mars coordinates"): the obfuscated lon/lat that Chinese web maps (AutoNavi/Amap, DataV,
// Tencent) publish. It is not a CRS PROJ knows; the shift (a few hundred metres, varying smoothly)
// follows the widely published formula, which we apply here.
//
//   wgs84_to_gcj02   the forward formula (exact by definition)
//   gcj02_to_wgs84   its inverse by fixed-point iteration; error < 1e-7° (≈ 1 cm) inside China
//
// Outside China the formula is the identity, as in the web services.
#include "gis/geometry.hpp"

namespace onemap::gis {

bool in_china_rough(Point lonlat);        // the box the formula uses (lon 72.004…137.8347, lat 0.8293…55.8271)
Point wgs84_to_gcj02(Point lonlat);
Point gcj02_to_wgs84(Point lonlat);

}  // namespace onemap::gis
