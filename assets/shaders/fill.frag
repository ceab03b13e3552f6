// Region fills: the paint fill.vert looked up for the triangle's feature, finished per pixel
// (region_finish.glsl, prepended); with u_only ≥ 0 the paint is the translucent colour itself.
flat in vec4 v_paint;
uniform int u_only;
out vec4 o_color;
void main() {
    o_color = u_only >= 0 ? v_paint : vec4(region_finish(v_paint), 1.0);
}
