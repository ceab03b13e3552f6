file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace ${NS} {\nstatic const unsigned char k_data[] = {${bytes}};\nextern const std::string_view ${SYM}(reinterpret_cast<const char*>(k_data), sizeof(k_data));\n}\n")
