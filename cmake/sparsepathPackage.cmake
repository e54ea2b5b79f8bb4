# The installed CMake package: `cmake --install` puts lib/cmake/sparsepath/ next to the headers,
# the core library and the plugins, so that another project can write
#   find_package(sparsepath)
#   sparsepath_add_plugin(NAME my_penalty SOURCES my_penalty.cpp)
# and get a plugin the installed driver accepts (examples/out_of_tree_penalty/).
# Included from the top-level CMakeLists.txt, after the framework targets exist.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(SPARSEPATH_PACKAGE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/sparsepath")

# The flags that decide a plugin's build fingerprint are the ones the host compiled with: the
# global CMAKE_CXX_FLAGS, those of the build type, and the options added with add_compile_options
# in this directory (the sanitizers). An out-of-tree plugin gets them after its own flags, so they
# win (the last -O and -D/-U NDEBUG count). A build without NDEBUG adds -UNDEBUG, so that a plugin
# configured as Release still matches a Debug host.
string(TOUPPER "${CMAKE_BUILD_TYPE}" host_build_type)
separate_arguments(host_flags UNIX_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${host_build_type}}")
get_directory_property(host_directory_options COMPILE_OPTIONS)
get_directory_property(host_directory_link_options LINK_OPTIONS)
set(SPARSEPATH_HOST_COMPILE_OPTIONS ${host_flags} ${host_directory_options})
if(NOT "-DNDEBUG" IN_LIST SPARSEPATH_HOST_COMPILE_OPTIONS)
  list(APPEND SPARSEPATH_HOST_COMPILE_OPTIONS "-UNDEBUG")
endif()
set(SPARSEPATH_HOST_LINK_OPTIONS ${host_directory_link_options})

install(EXPORT sparsepathTargets
  NAMESPACE sparsepath::
  DESTINATION "${SPARSEPATH_PACKAGE_INSTALL_DIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/sparsepathConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/sparsepathConfig.cmake"
  INSTALL_DESTINATION "${SPARSEPATH_PACKAGE_INSTALL_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR SPARSEPATH_PLUGIN_INSTALL_DIR)
# While the version is 0.x a new minor version may change the interfaces, so only the same minor
# version is compatible. The loader's ABI and fingerprint checks still have the last word.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/package/sparsepathConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/package/sparsepathConfig.cmake"
  "${PROJECT_BINARY_DIR}/package/sparsepathConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/sparsepathPlugin.cmake"
  DESTINATION "${SPARSEPATH_PACKAGE_INSTALL_DIR}")
