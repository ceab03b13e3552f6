// Region fills: one static buffer per (level, LOD); each vertex carries its feature index. With
// REGION_PAINT defined (the fill program; region_color.glsl prepended) the vertex looks up its
// region's paint, so the fragment shader only finishes it: a fill covers many more pixels than it
// has vertices. Without (the feature raster's program) it passes the index only.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in uint a_feature;
uniform vec4 u_view;  // clip = pos * xy + zw
#ifdef REGION_PAINT
uniform int u_only;  // >= 0: only this feature, as the selection's or the hover's translucent colour over a cached picture
flat out vec4 v_paint;
#else
flat out uint v_feature;
#endif
void main() {
    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
#ifdef REGION_PAINT
    int id = int(a_feature);
    if (u_only < 0) {
        v_paint = region_paint(id);
    } else {
        // a triangle's three vertices are of one feature: those of the others go outside the clip
        // volume together, and the triangle is dropped before it is binned
        v_paint = region_over(id);  // u_only is the selected or the hovered region
        if (id != u_only) gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    }
#else
    v_feature = a_feature;
#endif
}
