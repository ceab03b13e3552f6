// Region fills: one static buffer per (level, LOD); each vertex carries its feature index. With
// REGION_PAINT defined (the fill program; region_color.glsl prepended) the vertex also looks up its
// region's paint, so the fragment shader only finishes it: a fill covers many more pixels than it
// has vertices. Without (the feature raster's program) it passes the index only.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in uint a_feature;
uniform vec4 u_view;  // clip = pos * xy + zw
flat out uint v_feature;
#ifdef REGION_PAINT
flat out vec4 v_base;
flat out vec4 v_over;
#endif
void main() {
    v_feature = a_feature;
#ifdef REGION_PAINT
    region_paint(int(a_feature), v_base, v_over);
#endif
    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
}
