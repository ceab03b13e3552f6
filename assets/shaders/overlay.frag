// Glyph atlas: r = glyph coverage, g = the same dilated (halo). Solid rectangles sample a white texel.
in vec2 v_uv;
in vec4 v_color;
in vec4 v_halo;
uniform sampler2D u_atlas;
out vec4 o_color;
void main() {
    vec2 t = texture(u_atlas, v_uv).rg;
    float a_text = t.r * v_color.a;
    float a_halo = t.g * v_halo.a * (1.0 - a_text);
    float a = a_text + a_halo;
    if (a <= 0.0) discard;
    o_color = vec4((v_color.rgb * a_text + v_halo.rgb * a_halo) / a, a);
}
