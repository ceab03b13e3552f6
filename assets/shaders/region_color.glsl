// A region's paint, shared by fill.vert (once per vertex of a triangle) and raster.frag (per pixel of
// the feature raster) so the two always agree; region_finish.glsl turns it into the pixel's colour.
// The per-feature colour texture has 1024 features a row; its alpha is the state: 1 = data, 0.5 =
// outside the focused region (faded), 0 = no data (grey with hatching). The selected region is mixed
// with the highlight, the hovered one lightened.
uniform sampler2D u_colors;
uniform int u_hover;
uniform int u_selected;
uniform vec4 u_highlight;
// What is mixed over a region's colour: the highlight when selected, white when hovered (a = how much).
vec4 region_over(int id) {
    return id == u_selected ? u_highlight : (id == u_hover ? vec4(1.0, 1.0, 1.0, 0.35) : vec4(0.0));
}
// One vec4, so a fill triangle carries a single varying (llvmpipe stores each varying's planes for
// every triangle it bins). a < 0: the colour is rgb, highlight mixed in. a >= 0: hatched; the pixel
// is the hatching's grey times a plus rgb (the highlight, premultiplied by how much of it shows).
vec4 region_paint(int id) {
    vec4 c = texelFetch(u_colors, ivec2(id & 1023, id >> 10), 0);  // no integer division: llvmpipe does it lane by lane
    vec4 over = region_over(id);
    if (c.a < 0.25) return vec4(over.rgb * over.a, 1.0 - over.a);
    vec3 rgb = c.a < 0.75 ? mix(c.rgb, vec3(0.96), 0.65) : c.rgb;
    return vec4(mix(rgb, over.rgb, over.a), -1.0);
}
