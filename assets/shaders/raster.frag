// Fills from the feature raster: the region under the pixel is read from the texture of feature
// indices (nearest texel) and coloured as a triangle of it is (region_color.glsl and
// region_finish.glsl, prepended), so a zoomed-out view of tens of thousands of regions is one quad.
in vec2 v_uv;
uniform highp sampler2D u_raster;
out vec4 o_color;
void main() {
    ivec2 size = textureSize(u_raster, 0);
    ivec2 texel = clamp(ivec2(v_uv * vec2(size)), ivec2(0), size - 1);
    vec2 bytes = texelFetch(u_raster, texel, 0).rg * 255.0 + 0.5;
    int id = int(bytes.x) + 256 * int(bytes.y) - 1;
    if (id < 0) discard;
    o_color = vec4(region_finish(region_paint(id)), 1.0);
}
