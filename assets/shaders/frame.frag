// The frame cache's picture, filtered linearly when it is shown scaled.
in vec2 v_uv;
uniform sampler2D u_frame;
out vec4 o_color;
void main() {
    o_color = texture(u_frame, v_uv);
}
