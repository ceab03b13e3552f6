// Shapes as distance fields: 0 circle, 1 square, 2 triangle, 3 diamond; a white outline.
in vec2 v_uv;
in vec4 v_color;
flat in int v_shape;
in float v_size;
out vec4 o_color;
void main() {
    vec2 p = v_uv;
    float d;
    if (v_shape == 1) d = max(abs(p.x), abs(p.y)) - v_size * 0.85;
    else if (v_shape == 2) d = max(abs(p.x) * 0.866 + p.y * 0.5, -p.y) - v_size * 0.5;
    else if (v_shape == 3) d = (abs(p.x) + abs(p.y)) * 0.7071 - v_size * 0.8;
    else d = length(p) - v_size;
    float fill = clamp(0.5 - d, 0.0, 1.0);
    float outline = clamp(1.8 - d, 0.0, 1.0);
    if (outline <= 0.0) discard;
    vec3 rgb = mix(vec3(1.0), v_color.rgb, fill);
    o_color = vec4(rgb, outline * v_color.a);
}
