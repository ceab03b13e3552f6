// Point symbols, instanced: position (scene), size (px), shape, colour.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec2 a_size_shape;
layout(location = 2) in vec4 a_color;
uniform vec4 u_view;
uniform vec2 u_viewport;
out vec2 v_uv;
out vec4 v_color;
flat out int v_shape;
out float v_size;
void main() {
    vec2 corner = vec2((gl_VertexID & 1) == 1 ? 1.0 : -1.0, (gl_VertexID & 2) == 2 ? 1.0 : -1.0);
    float r = a_size_shape.x * 0.5 + 1.5;
    vec2 centre = a_pos * u_view.xy + u_view.zw;
    v_uv = corner * r;
    v_color = a_color;
    v_shape = int(a_size_shape.y + 0.5);
    v_size = a_size_shape.x * 0.5;
    gl_Position = vec4(centre + corner * r / (0.5 * u_viewport), 0.0, 1.0);
}
