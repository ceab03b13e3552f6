// Region fills: one static buffer per (level, LOD); each vertex carries its feature index.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in uint a_feature;
uniform vec4 u_view;  // clip = pos * xy + zw
flat out uint v_feature;
void main() {
    v_feature = a_feature;
    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
}
