// Region fills: the colour of the vertex's feature (region_color.glsl, prepended).
flat in uint v_feature;
uniform int u_only;  // >= 0: only this feature, as the selection's or the hover's translucent colour over a cached picture
out vec4 o_color;
void main() {
    int id = int(v_feature);
    if (u_only >= 0) {
        if (id != u_only) discard;
        o_color = id == u_selected ? u_highlight : vec4(1.0, 1.0, 1.0, 0.35);
        return;
    }
    o_color = vec4(region_color(id), 1.0);
}
