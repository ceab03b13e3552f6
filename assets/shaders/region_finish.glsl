// A pixel's colour from a region's paint (region_color.glsl): the hatching of "no data" follows the
// screen, so it is drawn here, per pixel.
vec3 region_finish(vec4 paint) {
    if (paint.a < 0.0) return paint.rgb;
    float h = mod(gl_FragCoord.x + gl_FragCoord.y, 7.0);
    return (h < 1.5 ? vec3(0.60) : vec3(0.85)) * paint.a + paint.rgb;
}
