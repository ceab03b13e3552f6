// A region's fill colour, shared by fill.frag (triangles) and raster.frag (the feature raster) so the
// two always agree. The per-feature colour texture has 1024 features a row; its alpha is the state:
// 1 = data, 0.5 = outside the focused region (faded), 0 = no data (grey with hatching). The selected
// region is mixed with the highlight, the hovered one lightened.
uniform sampler2D u_colors;
uniform int u_hover;
uniform int u_selected;
uniform vec4 u_highlight;
vec3 region_color(int id) {
    vec4 c = texelFetch(u_colors, ivec2(id % 1024, id / 1024), 0);
    vec3 rgb = c.rgb;
    if (c.a < 0.25) {
        float h = mod(gl_FragCoord.x + gl_FragCoord.y, 7.0);
        rgb = h < 1.5 ? vec3(0.60) : vec3(0.85);
    } else if (c.a < 0.75) {
        rgb = mix(rgb, vec3(0.96), 0.65);
    }
    if (id == u_selected) rgb = mix(rgb, u_highlight.rgb, u_highlight.a);
    else if (id == u_hover) rgb = mix(rgb, vec3(1.0), 0.35);
    return rgb;
}
