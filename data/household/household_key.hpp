#pragma once
// The household look-up key (`onemap keygen`): 32 random bytes, hex in a file kept OUTSIDE the
// bundle (mode 0600). ID numbers are HMAC-SHA256'd with it at import; a bundle records only the
// key's fingerprint, so an import with a different key is refused instead of silently making
// households unfindable.
#include "data/household/privacy.hpp"

#include <filesystem>
#include <string>

namespace onemap::data {

Key generate_key();                                              // OpenSSL RAND_bytes
void save_key_file(const std::filesystem::path& path, const Key& key);  // refuses to overwrite; 0600
Key load_key_file(const std::filesystem::path& path);             // throws ImportError naming the file
std::string key_fingerprint(const Key& key);                      // first 16 hex of SHA-256 (as meta stores it)

}  // namespace onemap::data
