# onemap_embed_text(<out.cpp> <namespace> <symbol> <file>): compile a text asset into the binary,
# so the single onemap executable carries its public reference data (division codes, outline).
function(onemap_embed_text out ns symbol file)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNS=${ns} -DSYM=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_one.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_one.cmake
    COMMENT "Embedding ${file}")
endfunction()
