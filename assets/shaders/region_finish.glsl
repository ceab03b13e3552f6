// A pixel's colour from a region's paint (region_color.glsl): the hatching of "no data" follows the
// screen, so it is drawn here, per pixel.
vec3 region_finish(vec4 base, vec4 over) {
    vec3 rgb = base.rgb;
    if (base.a > 0.5) {
        float h = mod(gl_FragCoord.x + gl_FragCoord.y, 7.0);
        rgb = h < 1.5 ? vec3(0.60) : vec3(0.85);
    }
    return mix(rgb, over.rgb, over.a);
}
