#include "data/household/privacy.hpp"

#include <gtest/gtest.h>

using namespace onemap::data;

TEST(Privacy, IdChecksumAcceptsValidNumbers) {
    EXPECT_TRUE(valid_id_number("11010519491231002X"));  // the standard's published example
    EXPECT_TRUE(valid_id_number("11010519491231002x")) << "lower-case x is the same check character";
    EXPECT_EQ(id_check_character("41022519800101123"), id_check_character("41022519800101123"));
    std::string made = "41022519800101123";
    made += id_check_character(made);
    EXPECT_TRUE(valid_id_number(made));
}

TEST(Privacy, IdChecksumRejectsWrongNumbers) {
    EXPECT_FALSE(valid_id_number("110105194912310021")) << "wrong check digit";
    EXPECT_FALSE(valid_id_number("11010519491231002")) << "17 characters";
    EXPECT_FALSE(valid_id_number("11010519491231002XX")) << "19 characters";
    EXPECT_FALSE(valid_id_number("1101051949A231002X")) << "letter inside";
    EXPECT_FALSE(valid_id_number(""));
}

TEST(Privacy, HmacMatchesRfc4231Vector) {
    const Key key(20, 0x0b);
    EXPECT_EQ(hmac_sha256_hex(key, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Privacy, HmacDependsOnKey) {
    EXPECT_NE(hmac_sha256_hex(Key(32, 1), "11010519491231002X"), hmac_sha256_hex(Key(32, 2), "11010519491231002X"));
}

TEST(Privacy, Pbkdf2MatchesKnownVector) {
    // PBKDF2-HMAC-SHA256, P = "password", S = "salt", c = 1, dkLen = 32.
    EXPECT_EQ(pbkdf2_sha256_hex("password", "salt", 1), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    EXPECT_NE(pbkdf2_sha256_hex("1234", "a", 10), pbkdf2_sha256_hex("1234", "b", 10));
}

TEST(Privacy, MaskName) {
    EXPECT_EQ(mask_name("张三丰"), "张*丰");
    EXPECT_EQ(mask_name("张三"), "张*");
    EXPECT_EQ(mask_name("欧阳娜娜"), "欧**娜");
    EXPECT_EQ(mask_name(""), "");
}
