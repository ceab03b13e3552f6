#pragma once
// Deterministic randomness: the same seed gives the same numbers on every platform and compiler
// (std:: distributions are implementation-defined, so onemap never uses them for data).
#include <cstdint>

namespace onemap::gis {

// SplitMix64: small, fast, good enough for synthetic data; not for cryptography.
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();
    double uniform();                                  // [0, 1)
    double uniform(double lo, double hi);              // [lo, hi)
    std::int64_t range(std::int64_t lo, std::int64_t hi);  // [lo, hi], inclusive
    bool chance(double p);                             // true with probability p
    double normal(double mean, double stddev);         // Box–Muller
    Random fork(std::uint64_t stream) const;           // an independent generator for a sub-task
private:
    std::uint64_t m_state;
};

std::uint64_t hash64(std::uint64_t x);                      // SplitMix64 finaliser
std::uint64_t hash_combine(std::uint64_t a, std::uint64_t b);

// Smooth 2-D value noise in [-1, 1], deterministic in (seed, x, y); `octaves` layers of halving
// amplitude and doubling frequency. Used to make synthetic borders look digitised, not straight.
double value_noise(std::uint64_t seed, double x, double y, int octaves = 1);

}  // namespace onemap::gis
