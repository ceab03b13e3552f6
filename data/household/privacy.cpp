#include "privacy.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace onemap::data {

namespace {
std::string to_hex(const unsigned char* data, std::size_t n) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = k_digits[data[i] >> 4];
        out[2 * i + 1] = k_digits[data[i] & 15];
    }
    return out;
}

std::vector<std::string_view> utf8_chars(std::string_view s) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.push_back(s.substr(i, std::min(len, s.size() - i)));
        i += len;
    }
    return out;
}
}  // namespace

std::string hmac_sha256_hex(const Key& key, std::string_view message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
              message.size(), out, &len)) {
        throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
    }
    return to_hex(out, len);
}

std::string pbkdf2_sha256_hex(std::string_view secret, std::string_view salt, int iterations) {
    std::array<unsigned char, 32> out{};
    if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                          static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1) {
        throw std::runtime_error("PBKDF2-SHA256 failed (OpenSSL)");
    }
    return to_hex(out.data(), out.size());
}

std::string sha256_hex(std::string_view data) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
    return to_hex(out, sizeof out);
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) throw std::runtime_error("no randomness available (OpenSSL RAND_bytes)");
    return to_hex(buf.data(), buf.size());
}

char id_check_character(std::string_view first17) {
    static constexpr int k_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr char k_codes[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;
    for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * k_weights[i];
    return k_codes[sum % 11];
}

bool valid_id_number(std::string_view id) {
    if (id.size() != 18) return false;
    for (std::size_t i = 0; i < 17; ++i) {
        if (id[i] < '0' || id[i] > '9') return false;
    }
    const char last = id[17] == 'x' ? 'X' : id[17];
    if (!((last >= '0' && last <= '9') || last == 'X')) return false;
    return id_check_character(id.substr(0, 17)) == last;
}

std::string mask_name(std::string_view full_name) {
    const auto chars = utf8_chars(full_name);
    if (chars.empty()) return {};
    std::string out(chars.front());
    if (chars.size() == 1) return out;
    if (chars.size() == 2) return out + "*";
    for (std::size_t i = 1; i + 1 < chars.size(); ++i) out += "*";
    out += chars.back();
    return out;
}

}  // namespace onemap::data
