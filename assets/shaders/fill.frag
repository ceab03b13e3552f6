// Region fills: the paint fill.vert looked up for the triangle's feature, finished per pixel
// (region_finish.glsl, prepended).
flat in uint v_feature;
flat in vec4 v_base;
flat in vec4 v_over;
uniform int u_only;  // >= 0: only this feature, as the selection's or the hover's translucent colour over a cached picture
uniform int u_selected;
uniform vec4 u_highlight;
out vec4 o_color;
void main() {
    if (u_only >= 0) {
        int id = int(v_feature);
        if (id != u_only) discard;
        o_color = id == u_selected ? u_highlight : vec4(1.0, 1.0, 1.0, 0.35);
        return;
    }
    o_color = vec4(region_finish(v_base, v_over), 1.0);
}
