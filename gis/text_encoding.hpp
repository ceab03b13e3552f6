#pragma once
// Text encodings of Chinese GIS and office files: UTF-8 versus GBK/GB18030 (Shapefiles written by
// Chinese desktop GIS are usually GBK with no .cpg). Decoding is strict: bytes that are not valid in
// the encoding are an error, never silently replaced, so a wrong guess cannot become mojibake.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::gis {

bool is_valid_utf8(std::string_view bytes);
bool is_ascii(std::string_view bytes);

// Canonical name for an encoding label from a .cpg file, an option or a DBF code page:
// "UTF-8", "GB18030" (also for GBK, CP936, 936, GB2312 — GB18030 is their superset) or the label upper-cased.
std::string canonical_encoding(std::string_view label);

// Whether this system can convert from `encoding` (iconv knows it).
bool known_encoding(std::string_view encoding);

// Strict conversion to UTF-8 (iconv). nullopt when `bytes` are not valid in `encoding`.
std::optional<std::string> to_utf8(std::string_view bytes, std::string_view encoding);

// Guess from samples: "UTF-8" when every sample is valid UTF-8, otherwise "GB18030".
std::string detect_encoding(const std::vector<std::string>& samples);

// What a shapefile declares: the first line of its .cpg, or the DBF language-driver id (byte 29).
// nullopt when it says nothing useful (empty .cpg; LDID 0, ANSI or DOS code pages).
std::optional<std::string> encoding_from_cpg(std::string_view cpg_text);
std::optional<std::string> encoding_from_ldid(unsigned char ldid);

}  // namespace onemap::gis
