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
if(listing MATCHES "${BUILD_DIR}/lib")
  message(FATAL_ERROR "installed sparsepath loaded plugins from the build tree:\n${listing}")
endif()
execute_process(COMMAND ${PREFIX}/bin/sparsepath fit ${SOURCE_DIR}/configs/quickstart.ini
                        --out ${PREFIX}/results --quiet
                RESULT_VARIABLE status ERROR_VARIABLE errors WORKING_DIRECTORY ${PREFIX})
if(NOT status EQUAL 0 OR NOT EXISTS ${PREFIX}/results/path.csv)
  message(FATAL_ERROR "installed sparsepath fit failed (${status}): ${errors}")
endif()
file(REMOVE_RECURSE ${PREFIX})
message(STATUS "installed sparsepath works")
