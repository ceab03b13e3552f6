#include "random.hpp"

#include <cmath>
#include <numbers>

namespace onemap::gis {

std::uint64_t hash64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_combine(std::uint64_t a, std::uint64_t b) { return hash64(a ^ (hash64(b) + 0x632be59bd9b4e019ULL)); }

std::uint64_t Random::next() {
    m_state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = m_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
double Random::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

std::int64_t Random::range(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(next() % span);
}

bool Random::chance(double p) { return uniform() < p; }

double Random::normal(double mean, double stddev) {
    double u1 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = uniform();
    return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

Random Random::fork(std::uint64_t stream) const { return Random(hash_combine(m_state, stream)); }

namespace {
double lattice(std::uint64_t seed, std::int64_t ix, std::int64_t iy) {
    const std::uint64_t h = hash_combine(hash_combine(seed, static_cast<std::uint64_t>(ix)), static_cast<std::uint64_t>(iy));
    return static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0;
}
double smooth(double t) { return t * t * (3 - 2 * t); }
double one_octave(std::uint64_t seed, double x, double y) {
    const double fx = std::floor(x), fy = std::floor(y);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
    const double tx = smooth(x - fx), ty = smooth(y - fy);
    const double a = lattice(seed, ix, iy), b = lattice(seed, ix + 1, iy);
    const double c = lattice(seed, ix, iy + 1), d = lattice(seed, ix + 1, iy + 1);
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}
}  // namespace

double value_noise(std::uint64_t seed, double x, double y, int octaves) {
    double sum = 0, amplitude = 1, norm = 0, frequency = 1;
    for (int o = 0; o < octaves; ++o) {
        sum += amplitude * one_octave(hash_combine(seed, static_cast<std::uint64_t>(o)), x * frequency, y * frequency);
        norm += amplitude;
        amplitude *= 0.5;
        frequency *= 2.0;
    }
    return sum / norm;
}

}  // namespace onemap::gis
