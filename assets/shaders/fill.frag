// Colour from the per-feature colour texture (1024 features per row). Alpha encodes the state:
// 1 = data, 0.5 = outside the focused region (faded), 0 = no data (grey with hatching).
flat in uint v_feature;
uniform sampler2D u_colors;
uniform int u_hover;
uniform int u_selected;
uniform vec4 u_highlight;
uniform int u_only;  // >= 0: only this feature, as the selection's or the hover's translucent colour over a cached picture
out vec4 o_color;
void main() {
    if (u_only >= 0) {
        if (int(v_feature) != u_only) discard;
        o_color = int(v_feature) == u_selected ? u_highlight : vec4(1.0, 1.0, 1.0, 0.35);
        return;
    }
    ivec2 tc = ivec2(int(v_feature % 1024u), int(v_feature / 1024u));
    vec4 c = texelFetch(u_colors, tc, 0);
    vec3 rgb = c.rgb;
    if (c.a < 0.25) {
        float h = mod(gl_FragCoord.x + gl_FragCoord.y, 7.0);
        rgb = h < 1.5 ? vec3(0.60) : vec3(0.85);
    } else if (c.a < 0.75) {
        rgb = mix(rgb, vec3(0.96), 0.65);
    }
    int id = int(v_feature);
    if (id == u_selected) rgb = mix(rgb, u_highlight.rgb, u_highlight.a);
    else if (id == u_hover) rgb = mix(rgb, vec3(1.0), 0.35);
    o_color = vec4(rgb, 1.0);
}
