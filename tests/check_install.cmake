# Installs the build into a fresh prefix, then runs the installed driver from outside the tree.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status})")
endif()
set(ENV{SPARSEPATH_PLUGIN_PATH} "")
execute_process(COMMAND ${PREFIX}/bin/sparsepath list OUTPUT_VARIABLE listing RESULT_VARIABLE status
                WORKING_DIRECTORY ${PREFIX})
if(NOT status EQUAL 0 OR NOT listing MATCHES "penalty/lasso" OR NOT listing MATCHES "optimizer/cd")
  message(FATAL_ERROR "installed sparsepath list failed (${status}):\n${listing}")
endif()
execute_process(COMMAND ${PREFIX}/bin/sparsepath fit ${SOURCE_DIR}/configs/quickstart.ini
                        --out ${PREFIX}/results --quiet
                RESULT_VARIABLE status ERROR_VARIABLE errors WORKING_DIRECTORY ${PREFIX})
if(NOT status EQUAL 0 OR NOT EXISTS ${PREFIX}/results/path.csv)
  message(FATAL_ERROR "installed sparsepath fit failed (${status}): ${errors}")
endif()
# The manifest lists every loaded plugin library by absolute path: all must be the installed ones.
file(READ ${PREFIX}/results/manifest.json manifest)
string(REGEX MATCHALL "\"library\": \"/[^\"]*\\.so\"" libraries "${manifest}")
list(LENGTH libraries count)
if(count LESS 10)
  message(FATAL_ERROR "the manifest lists ${count} plugin libraries; expected every built-in plugin")
endif()
foreach(library IN LISTS libraries)
  if(NOT library MATCHES "${PREFIX}/")
    message(FATAL_ERROR "installed sparsepath loaded a plugin from outside the install: ${library}")
  endif()
endforeach()
file(REMOVE_RECURSE ${PREFIX})
message(STATUS "installed sparsepath works (${count} plugin libraries, all from the install)")
