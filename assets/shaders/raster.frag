// Fills from the feature raster: the region under the pixel is read from the texture of feature
// indices (nearest texel) and coloured exactly as fill.frag colours a triangle of it, so a zoomed-out
// view of tens of thousands of regions is one quad.
in vec2 v_uv;
uniform highp sampler2D u_raster;
uniform sampler2D u_colors;
uniform int u_hover;
uniform int u_selected;
uniform vec4 u_highlight;
out vec4 o_color;
void main() {
    ivec2 size = textureSize(u_raster, 0);
    ivec2 texel = clamp(ivec2(v_uv * vec2(size)), ivec2(0), size - 1);
    vec2 bytes = texelFetch(u_raster, texel, 0).rg * 255.0 + 0.5;
    int id = int(bytes.x) + 256 * int(bytes.y) - 1;
    if (id < 0) discard;
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
    o_color = vec4(rgb, 1.0);
}
