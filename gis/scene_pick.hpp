#pragma once
// Which feature of a scene layer lies under a point: the triangles of one LOD (the one on screen, so
// the pick agrees with what is drawn), searched only in the chunks whose bounds hold the point (so a
// pick costs a chunk, not the layer).
#include "gis/scene.hpp"

namespace onemap::gis {

// `local`: scene coordinates (lon/lat minus scene.origin). Returns the feature index, or -1.
int pick_feature(const SceneLod& lod, Point local);

}  // namespace onemap::gis
