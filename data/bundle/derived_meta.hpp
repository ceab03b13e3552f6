#pragma once
// A value derived from some tables and stored in the bundle's meta table, kept current by triggers:
// whichever program inserts, changes or deletes rows it derives from deletes the stored value. So a
// stored value is current or absent, never stale, and a reader (a kiosk, read-only) takes it in
// microseconds instead of deriving it again. A program that drops and re-creates a table drops its
// triggers with it; then the stored value is not trusted either.
//
//   tables ── INSERT / UPDATE / DELETE ── triggers ── DELETE the row ──▶ meta.<key>
//      └──────────── derive ──────────── store (writers: import, prepare, …) ───┘
//
// Users: data/household/household_glyphs.hpp (the household card's characters), data/bundle/render_cache.hpp (the
// regions fingerprint that keys the render cache).
#include "data/bundle/bundle.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace onemap::data {

struct DerivedMetaTrigger {
    std::string_view name;  // e.g. "regions_fingerprint_update"
    std::string_view when;  // e.g. "AFTER UPDATE ON regions"
};

struct DerivedMeta {
    std::string_view key;  // the meta row
    std::span<const DerivedMetaTrigger> triggers;
};

// The stored value when it is current: the row and every trigger there, read in one statement (one
// read transaction, so a writer cannot come between the two).
std::optional<std::string> read_derived_meta(const Bundle& bundle, const DerivedMeta& meta);
// Creates the triggers (if missing). Call it inside the writer's transaction, before deriving the
// value, then store it with Bundle::set_meta; throws BundleError when the bundle is read-only.
void guard_derived_meta(Bundle& bundle, const DerivedMeta& meta);

}  // namespace onemap::data
