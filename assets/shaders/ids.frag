// The feature raster: each fill fragment writes its feature index + 1 as two bytes (red low, green
// high) into an RG8 target, so 0 stays "no region" and 65,535 features fit.
flat in uint v_feature;
out vec4 o_id;
void main() {
    uint id = v_feature + 1u;
    o_id = vec4(float(id & 255u) / 255.0, float((id >> 8u) & 255u) / 255.0, 0.0, 1.0);
}
