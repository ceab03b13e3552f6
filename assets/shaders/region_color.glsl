// A region's paint, shared by fill.vert (once per vertex of a triangle) and raster.frag (per pixel of
// the feature raster) so the two always agree; region_finish.glsl turns it into the pixel's colour.
// The per-feature colour texture has 1024 features a row; its alpha is the state: 1 = data, 0.5 =
// outside the focused region (faded), 0 = no data (grey with hatching). The selected region is mixed
// with the highlight, the hovered one lightened.
uniform sampler2D u_colors;
uniform int u_hover;
uniform int u_selected;
uniform vec4 u_highlight;
// base: the colour (a = 1: hatched instead); over: what is mixed over it (a = how much)
void region_paint(int id, out vec4 base, out vec4 over) {
    vec4 c = texelFetch(u_colors, ivec2(id & 1023, id >> 10), 0);  // no integer division: llvmpipe does it lane by lane
    base = vec4(c.rgb, 0.0);
    if (c.a < 0.25) base = vec4(0.0, 0.0, 0.0, 1.0);
    else if (c.a < 0.75) base.rgb = mix(c.rgb, vec3(0.96), 0.65);
    over = id == u_selected ? u_highlight : (id == u_hover ? vec4(1.0, 1.0, 1.0, 0.35) : vec4(0.0));
}
