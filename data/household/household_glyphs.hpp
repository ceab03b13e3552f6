#pragma once
// The characters a household card can show, for a kiosk's font atlas (issue 7's card, kiosk/gui/gui_app.cpp):
// derived from households (masked head name, type, contact), benefits (program) and measures (family,
// description), stored in meta.household_card_glyphs and kept current by triggers on those columns
// (data/bundle/derived_meta.hpp). A kiosk opens its bundle read-only and reads the stored set when there is
// one; otherwise it scans. Only characters are kept, never a whole value, and nothing here logs.
#include "data/bundle/bundle.hpp"

#include <cstddef>
#include <string>

namespace onemap::data {

// Every character a household card can show (masked names, household types, contacts, programs,
// measures), so a kiosk's font atlas holds them: the distinct characters only, never whole values,
// ascending by code point, as UTF-8. Reads the set stored in the bundle when it is current (a meta
// row: microseconds), otherwise scans as below.
std::string household_card_glyphs(const Bundle& bundle);
// The same set from the tables themselves, whatever is stored: one pass over households, benefits
// and measures (about 0.25 s on the province demo's 300,000 households).
std::string scan_household_card_glyphs(const Bundle& bundle);
// Scan and store the set in meta.household_card_glyphs, with the triggers that delete it again
// whenever any program inserts, deletes or edits the card's columns of those tables — so a stored
// set is current or absent, never stale. Writers of those tables (demo, import, publish) call it in
// their transaction after writing; `onemap prepare` for a bundle without one. Returns the number
// of characters. Throws BundleError when the bundle is read-only.
std::size_t store_household_card_glyphs(Bundle& bundle);
// Whether a current set is stored (the meta row and all its triggers are there).
bool household_card_glyphs_stored(const Bundle& bundle);

}  // namespace onemap::data
