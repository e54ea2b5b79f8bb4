# sparsepath_add_plugin(NAME name SOURCES src...)
#
# Tests beside a plugin (plugins/<kind>/<name>/*_test.cpp) are found by tests/CMakeLists.txt.
#
# Builds one plugin as its own shared library (a MODULE: the driver never links it) with the
# flags every plugin must share with the host, so that the build fingerprint matches.
include_guard(GLOBAL)

function(sparsepath_add_plugin)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "sparsepath_add_plugin needs NAME and SOURCES")
  endif()
  set(target "sparsepath_plugin_${ARG_NAME}")
  add_library(${target} MODULE ${ARG_SOURCES})
  set_property(GLOBAL APPEND PROPERTY SPARSEPATH_PLUGIN_TARGETS ${target})
  target_link_libraries(${target} PRIVATE sparsepath::core)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "sparsepath_${ARG_NAME}"
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${SPARSEPATH_PLUGIN_OUTPUT_DIRECTORY}"
    INSTALL_RPATH "$ORIGIN/../..")
  if(DEFINED SPARSEPATH_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION "${SPARSEPATH_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
