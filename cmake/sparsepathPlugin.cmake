# sparsepath_add_plugin(NAME name SOURCES src... [INSTALL] [INSTALL_DESTINATION dir])
#
# Tests beside a plugin (plugins/<kind>/<name>/*_test.cpp) are found by tests/CMakeLists.txt.
#
# Builds one plugin as its own shared library (a MODULE: the driver never links it) with the
# flags every plugin must share with the host, so that the build fingerprint matches. The target
# is sparsepath_plugin_<name> and the file libsparsepath_<name>.so.
#
# The same function serves two builds:
# - In this repository (plugins/<kind>/<name>/CMakeLists.txt) the library goes to
#   SPARSEPATH_PLUGIN_OUTPUT_DIRECTORY and is always installed with the host.
# - Outside it, after find_package(sparsepath), which includes an installed copy of this file:
#   the library goes to the current binary folder (or SPARSEPATH_PLUGIN_OUTPUT_DIRECTORY when
#   set), is compiled with the host's fingerprint-relevant flags recorded by the package, and is
#   installed only when INSTALL is given: into the installed sparsepath's plugin folder
#   (sparsepath_PLUGIN_DIR), where the driver finds it with no configuration, or into
#   INSTALL_DESTINATION.
include_guard(GLOBAL)

function(sparsepath_add_plugin)
  cmake_parse_arguments(ARG "INSTALL" "NAME;INSTALL_DESTINATION" "SOURCES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "sparsepath_add_plugin needs NAME and SOURCES")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sparsepath_add_plugin(NAME ${ARG_NAME}): unknown arguments "
                        "'${ARG_UNPARSED_ARGUMENTS}'; expected NAME, SOURCES, INSTALL, INSTALL_DESTINATION")
  endif()
  # find_package(sparsepath) defines the host's flags; in this repository they are simply the
  # build's own, so nothing needs applying.
  set(out_of_tree FALSE)
  if(DEFINED SPARSEPATH_HOST_CXX_COMPILER_ID)
    set(out_of_tree TRUE)
  endif()
  if(out_of_tree)
    # The fingerprint holds the compiler's version string: another compiler cannot match it, and
    # the driver would only say so at load time. Say it now, with the fix.
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL SPARSEPATH_HOST_CXX_COMPILER_ID OR
       NOT CMAKE_CXX_COMPILER_VERSION VERSION_EQUAL SPARSEPATH_HOST_CXX_COMPILER_VERSION)
      message(FATAL_ERROR
        "sparsepath_add_plugin(NAME ${ARG_NAME}): this project compiles with "
        "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} (${CMAKE_CXX_COMPILER}), but the "
        "sparsepath found at ${sparsepath_DIR} was built with ${SPARSEPATH_HOST_CXX_COMPILER_ID} "
        "${SPARSEPATH_HOST_CXX_COMPILER_VERSION}; its driver refuses plugins from another "
        "compiler. Configure a fresh build folder with "
        "-DCMAKE_CXX_COMPILER=${SPARSEPATH_HOST_CXX_COMPILER}.")
    endif()
  elseif(ARG_INSTALL OR ARG_INSTALL_DESTINATION)
    message(FATAL_ERROR "sparsepath_add_plugin(NAME ${ARG_NAME}): INSTALL and INSTALL_DESTINATION "
                        "are for plugins built outside the sparsepath tree; plugins in plugins/ "
                        "are always installed")
  endif()

  set(target "sparsepath_plugin_${ARG_NAME}")
  add_library(${target} MODULE ${ARG_SOURCES})
  set_property(GLOBAL APPEND PROPERTY SPARSEPATH_PLUGIN_TARGETS ${target})
  target_link_libraries(${target} PRIVATE sparsepath::core)
  set(output_directory "${SPARSEPATH_PLUGIN_OUTPUT_DIRECTORY}")
  if(NOT output_directory)
    set(output_directory "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "sparsepath_${ARG_NAME}"
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${output_directory}"
    # lib/sparsepath/plugins -> lib. Only a fallback: the host has loaded the core library
    # before any plugin, so the plugin's reference to it resolves wherever the plugin lives.
    INSTALL_RPATH "$ORIGIN/../..")

  if(out_of_tree)
    set_target_properties(${target} PROPERTIES
      CXX_STANDARD 20
      CXX_STANDARD_REQUIRED ON
      CXX_EXTENSIONS OFF)
    target_compile_options(${target} PRIVATE ${SPARSEPATH_HOST_COMPILE_OPTIONS})
    target_link_options(${target} PRIVATE ${SPARSEPATH_HOST_LINK_OPTIONS})
    if(ARG_INSTALL OR ARG_INSTALL_DESTINATION)
      set(destination "${ARG_INSTALL_DESTINATION}")
      if(NOT destination)
        set(destination "${sparsepath_PLUGIN_DIR}")
      endif()
      install(TARGETS ${target} LIBRARY DESTINATION "${destination}")
    endif()
  elseif(DEFINED SPARSEPATH_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION "${SPARSEPATH_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
