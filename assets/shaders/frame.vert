// The frame cache: a picture of the map drawn once, shown moved and scaled while the camera moves.
layout(location = 0) in vec2 a_pos;  // scene position of a corner of the cached picture
layout(location = 1) in vec2 a_uv;
uniform vec4 u_view;  // clip = pos * xy + zw
out vec2 v_uv;
void main() {
    v_uv = a_uv;
    gl_Position = vec4(a_pos * u_view.xy + u_view.zw, 0.0, 1.0);
}
