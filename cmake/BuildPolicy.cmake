# Build policy in one place: every onemap target links onemap_build_policy.
add_library(onemap_build_policy INTERFACE)
target_compile_options(onemap_build_policy INTERFACE -Wall -Wextra -Wpedantic)
if(ONEMAP_WERROR)
  target_compile_options(onemap_build_policy INTERFACE -Werror)
endif()
if(ONEMAP_SANITIZE)
  target_compile_options(onemap_build_policy INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(onemap_build_policy INTERFACE -fsanitize=address,undefined)
  # keep every loaded library mapped to the end, so that leak reports can name (and suppress) the
  # GL drivers' own allocations: tests/sanitizers/keep_modules.cpp
  target_sources(onemap_build_policy INTERFACE
    $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${PROJECT_SOURCE_DIR}/tests/sanitizers/keep_modules.cpp>)
  # GCC 12 warns of "maybe uninitialized" members inside <regex> and <functional> when the
  # sanitizers instrument them (false positives in the standard library's own code)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(onemap_build_policy INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
