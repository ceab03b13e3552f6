#pragma once
// Which feature of a scene layer lies under a point: the triangles of the finest LOD, searched only
// in the chunks whose bounds hold the point (so a pick costs a chunk, not the layer).
#include "gis/scene.hpp"

namespace onemap::gis {

// `local`: scene coordinates (lon/lat minus scene.origin). Returns the feature index, or -1.
int pick_feature(const SceneLayer& layer, Point local);

}  // namespace onemap::gis
