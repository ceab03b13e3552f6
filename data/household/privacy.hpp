#pragma once
// People's data: how a household is found without storing who it is.
//
//   ID number ──HMAC-SHA256(key)──▶ households.id_hash   (the key lives outside the bundle)
//   phone last 4 / PIN ──PBKDF2-SHA256(salt, iterations)──▶ households.second_factor_hash
//
// Nothing here logs. Names are stored masked (张*三).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

using Key = std::vector<unsigned char>;

std::string hmac_sha256_hex(const Key& key, std::string_view message);
std::string pbkdf2_sha256_hex(std::string_view secret, std::string_view salt, int iterations);
std::string sha256_hex(std::string_view data);
std::string random_hex(std::size_t bytes);  // from OpenSSL's CSPRNG (salts, keys)

// GB 11643-1999 check character for the first 17 digits ('0'…'9' or 'X').
char id_check_character(std::string_view first17);
// 18 characters, 17 digits then a digit or X, and the check character right.
bool valid_id_number(std::string_view id);

// 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜 (UTF-8 aware).
std::string mask_name(std::string_view full_name);

}  // namespace onemap::data
