// Borders: one instance per segment (a.xy, b.xy), extruded here to a constant width in pixels with
// a one-pixel margin for anti-aliasing; corners come from gl_VertexID (triangle strip of 4).
layout(location = 0) in vec4 a_seg;
uniform vec4 u_view;
uniform vec2 u_viewport;
uniform float u_half_width;
out vec2 v_local;  // x: along the segment from a (px), y: across (px)
out float v_len;
void main() {
    vec2 half_vp = 0.5 * u_viewport;
    vec2 a = (a_seg.xy * u_view.xy + u_view.zw) * half_vp;
    vec2 b = (a_seg.zw * u_view.xy + u_view.zw) * half_vp;
    vec2 d = b - a;
    float len = length(d);
    vec2 dir = len > 1e-4 ? d / len : vec2(1.0, 0.0);
    vec2 nrm = vec2(-dir.y, dir.x);
    float ext = u_half_width + 1.0;
    float s = (gl_VertexID & 1) == 1 ? 1.0 : 0.0;
    float t = (gl_VertexID & 2) == 2 ? 1.0 : -1.0;
    vec2 p = mix(a - dir * ext, b + dir * ext, s) + nrm * (ext * t);
    v_local = vec2(mix(-ext, len + ext, s), ext * t);
    v_len = len;
    gl_Position = vec4(p / half_vp, 0.0, 1.0);
}
