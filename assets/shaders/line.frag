// Distance to the segment (round caps, so joints close) → coverage.
in vec2 v_local;
in float v_len;
uniform vec4 u_color;
uniform float u_half_width;
out vec4 o_color;
void main() {
    float along = v_local.x < 0.0 ? -v_local.x : max(0.0, v_local.x - v_len);
    float d = length(vec2(along, v_local.y));
    float coverage = clamp(u_half_width + 0.5 - d, 0.0, 1.0);
    if (coverage <= 0.0) discard;
    o_color = vec4(u_color.rgb, u_color.a * coverage);
}
