# The plugin SDK end to end, the way a plugin author uses it (docs/tutorials/add-a-penalty.md):
#   1. install this build into a fresh prefix;
#   2. configure and build examples/out_of_tree_penalty from scratch against that prefix, with
#      nothing but find_package(sparsepath) (it is copied out of the source tree first, with the
#      data it names, so that nothing is written into the sources);
#   3. `sparsepath describe` the new penalty and `sparsepath fit` the example's config, which
#      names the built library, then check that every point of the path is certified;
#   4. run the penalty conformance suite with the library added (SPARSEPATH_TEST_EXTRA_PLUGINS)
#      and with weights read from a file (SPARSEPATH_TEST_PENALTY_VARIANTS);
#   5. build the same source as a plugin with INSTALL and check that `cmake --install` puts it
#      where the installed driver finds it unaided.
# Any failing step stops the test with its output.
#
# Inputs (-D): SOURCE_DIR, BUILD_DIR, WORK (a scratch folder, emptied first), GENERATOR,
# CXX_COMPILER, CONFORMANCE (the test_penalty_conformance executable), optionally
# LAUNCHER (ccache).
cmake_minimum_required(VERSION 3.20)

foreach(input IN ITEMS SOURCE_DIR BUILD_DIR WORK GENERATOR CXX_COMPILER CONFORMANCE)
  if(NOT DEFINED ${input} OR "${${input}}" STREQUAL "")
    message(FATAL_ERROR "check_sdk.cmake needs -D${input}=...")
  endif()
endforeach()

string(TIMESTAMP test_start "%s")
set(step_start ${test_start})
# Runs one step; stops the test with the command's output when it fails. The output is left in
# step_output for the checks that follow.
function(run_step description)
  cmake_parse_arguments(ARG "" "WORKING_DIRECTORY" "COMMAND" ${ARGN})
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY "${WORK}")
  endif()
  execute_process(COMMAND ${ARG_COMMAND} WORKING_DIRECTORY "${ARG_WORKING_DIRECTORY}"
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  string(TIMESTAMP now "%s")
  math(EXPR seconds "${now} - ${step_start}")
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " shown "${ARG_COMMAND}")
    message(FATAL_ERROR "${description} failed (exit ${status}) after ${seconds} s:\n  ${shown}\n"
                        "--- stdout ---\n${output}\n--- stderr ---\n${errors}")
  endif()
  message(STATUS "${description}: ok (${seconds} s)")
  set(step_output "${output}${errors}" PARENT_SCOPE)
  set(step_start ${now} PARENT_SCOPE)
endfunction()

function(fail_check reason)
  message(FATAL_ERROR "check failed: ${reason}")
endfunction()

set(PREFIX "${WORK}/prefix")
set(EXAMPLE "${WORK}/examples/out_of_tree_penalty")
set(EXAMPLE_BUILD "${EXAMPLE}/build")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
# The installed driver must find only what the prefix and the configs provide.
set(ENV{SPARSEPATH_PLUGIN_PATH} "")

# 1. Install.
run_step("cmake --install into ${PREFIX}" COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")
file(GLOB package_config "${PREFIX}/lib*/cmake/sparsepath/sparsepathConfig.cmake")
if(NOT package_config)
  fail_check("the install has no lib*/cmake/sparsepath/sparsepathConfig.cmake")
endif()
get_filename_component(package_dir "${package_config}" DIRECTORY)
foreach(installed IN ITEMS "${package_dir}/sparsepathConfigVersion.cmake"
                           "${package_dir}/sparsepathTargets.cmake"
                           "${package_dir}/sparsepathPlugin.cmake"
                           "${PREFIX}/include/sparsepath/core/interfaces.hpp"
                           "${PREFIX}/include/sparsepath/plugin/abi.hpp"
                           "${PREFIX}/bin/sparsepath")
  if(NOT EXISTS "${installed}")
    fail_check("the install lacks ${installed}")
  endif()
endforeach()

# 2. Configure and build the example from scratch, as its own project.
file(COPY "${SOURCE_DIR}/examples/out_of_tree_penalty" DESTINATION "${WORK}/examples"
     PATTERN "build" EXCLUDE)
file(COPY "${SOURCE_DIR}/configs/data/diabetes.csv" DESTINATION "${WORK}/configs/data")
set(configure_arguments -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                        "-DCMAKE_PREFIX_PATH=${PREFIX}")
if(LAUNCHER)
  list(APPEND configure_arguments "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
# No CMAKE_BUILD_TYPE on purpose: a plugin author's default, and the case in which the package
# must supply the host's optimisation and NDEBUG setting for the fingerprint to match.
run_step("configure the example" COMMAND "${CMAKE_COMMAND}" -S "${EXAMPLE}" -B "${EXAMPLE_BUILD}" ${configure_arguments})
file(STRINGS "${EXAMPLE_BUILD}/CMakeCache.txt" found_dir REGEX "^sparsepath_DIR:")
if(NOT found_dir STREQUAL "sparsepath_DIR:PATH=${package_dir}")
  fail_check("the example found another sparsepath: '${found_dir}', expected ${package_dir}")
endif()
run_step("build the example" COMMAND "${CMAKE_COMMAND}" --build "${EXAMPLE_BUILD}")
set(library "${EXAMPLE_BUILD}/libsparsepath_adaptive_lasso.so")
if(NOT EXISTS "${library}")
  fail_check("the example build did not make ${library}")
endif()
# Without INSTALL, installing the example must not touch sparsepath's plugin folder (a second
# copy there would register adaptive_lasso twice when the config names the built one).
run_step("cmake --install the example (no INSTALL: nothing to install)"
         COMMAND "${CMAKE_COMMAND}" --install "${EXAMPLE_BUILD}")
file(GLOB stray "${PREFIX}/lib*/sparsepath/plugins/*adaptive_lasso*")
if(stray)
  fail_check("installing the example put ${stray} into the plugin folder without INSTALL")
endif()

# 3. describe and fit with the installed driver.
run_step("sparsepath describe penalty/adaptive_lasso"
         COMMAND "${PREFIX}/bin/sparsepath" describe penalty/adaptive_lasso --plugin-path "${EXAMPLE_BUILD}")
foreach(expected IN ITEMS "penalty/adaptive_lasso" "libsparsepath_adaptive_lasso.so"
                          "initial_coefficients (path) optional" "gamma (real) default 1"
                          "epsilon (real) default 1e-06")
  string(FIND "${step_output}" "${expected}" at)
  if(at EQUAL -1)
    fail_check("describe does not show '${expected}':\n${step_output}")
  endif()
endforeach()

set(results "${WORK}/results")
run_step("sparsepath fit adaptive_lasso.ini"
         COMMAND "${PREFIX}/bin/sparsepath" fit "${EXAMPLE}/adaptive_lasso.ini" --out "${results}" --quiet)
foreach(file IN ITEMS path.csv path.json manifest.json resolved.ini)
  if(NOT EXISTS "${results}/${file}")
    fail_check("fit wrote no ${file} into ${results}")
  endif()
endforeach()
file(READ "${results}/manifest.json" manifest)
if(NOT manifest MATCHES "\"points\": ([0-9]+),")
  fail_check("manifest.json has no point count:\n${manifest}")
endif()
set(points ${CMAKE_MATCH_1})
if(NOT manifest MATCHES "\"converged_points\": ([0-9]+),")
  fail_check("manifest.json has no converged_points:\n${manifest}")
endif()
set(certified ${CMAKE_MATCH_1})
if(points LESS 2 OR NOT certified EQUAL points)
  fail_check("${certified} of ${points} points certified (every point must be)")
endif()
if(NOT manifest MATCHES "\"complete\": true")
  fail_check("manifest.json says the run is incomplete")
endif()
if(NOT manifest MATCHES "\"penalty\": {\"type\": \"adaptive_lasso\", \"plugin\": \"example-penalty-adaptive-lasso\"")
  fail_check("manifest.json does not name the example's penalty plugin:\n${manifest}")
endif()
string(FIND "${manifest}" "\"library\": \"${library}\"" at)
if(at EQUAL -1)
  fail_check("manifest.json does not list the example's library ${library}")
endif()
file(READ "${results}/path.json" path_json)
string(REGEX MATCHALL "\"status\": \"ok\"" ok_points "${path_json}")
list(LENGTH ok_points ok_count)
if(NOT ok_count EQUAL points)
  fail_check("path.json has ${ok_count} points with status ok out of ${points}")
endif()
# The adaptive part: a zero initial coefficient gives the weight 1/epsilon = 1e6, so that feature
# must never be selected. Names come from the data's header, values from the example's file.
file(STRINGS "${WORK}/configs/data/diabetes.csv" header LIMIT_COUNT 1)
string(REPLACE "," ";" names "${header}")
file(STRINGS "${EXAMPLE}/diabetes_initial_coefficients.txt" initial REGEX "^[^#]")
file(READ "${results}/path.csv" path_csv)
set(never_selected)
set(index 0)
foreach(value IN LISTS initial)
  list(GET names ${index} name)
  if(value EQUAL 0)
    list(APPEND never_selected ${name})
    if(path_csv MATCHES ",${name},")
      fail_check("feature ${name} has initial coefficient 0 (weight 1e6) but enters the path")
    endif()
  endif()
  math(EXPR index "${index} + 1")
endforeach()
if(NOT never_selected)
  fail_check("the example's initial coefficients have no zero, so the weight check tests nothing")
endif()
message(STATUS "fit: ${certified} of ${points} points certified; never selected: ${never_selected}")

# 4. The penalty contract tests on the external library: its defaults (every weight 1) plus
# weights from a file of 6 initial coefficients (the suite uses 6 features), one of them zero.
file(WRITE "${WORK}/six_coefficients.txt" "0.8\n-1.5\n0\n0.05\n2.0\n-0.3\n")
set(ENV{SPARSEPATH_TEST_EXTRA_PLUGINS} "${library}")
set(ENV{SPARSEPATH_TEST_PENALTY_VARIANTS}
    "adaptive_lasso initial_coefficients=${WORK}/six_coefficients.txt;adaptive_lasso initial_coefficients=${WORK}/six_coefficients.txt gamma=2 epsilon=0.01")
run_step("penalty conformance suite with the example" COMMAND "${CONFORMANCE}" --log_level=message --color_output=no)
unset(ENV{SPARSEPATH_TEST_EXTRA_PLUGINS})
unset(ENV{SPARSEPATH_TEST_PENALTY_VARIANTS})
foreach(expected IN ITEMS "variant under test: penalty 'adaptive_lasso'\n"
                          "variant under test: penalty 'adaptive_lasso' initial_coefficients="
                          "gamma=2 epsilon=0.01")
  string(FIND "${step_output}" "${expected}" at)
  if(at EQUAL -1)
    fail_check("the conformance suite did not test '${expected}':\n${step_output}")
  endif()
endforeach()

# 5. INSTALL: the same source as a plugin that installs into the package's plugin folder.
set(installing "${WORK}/installing")
file(WRITE "${installing}/CMakeLists.txt"
  "cmake_minimum_required(VERSION 3.20)\n"
  "project(sdk_install_check LANGUAGES CXX)\n"
  "find_package(sparsepath REQUIRED)\n"
  "sparsepath_add_plugin(NAME adaptive_lasso_installed SOURCES \"${EXAMPLE}/adaptive_lasso.cpp\" INSTALL)\n")
run_step("configure a plugin with INSTALL" COMMAND "${CMAKE_COMMAND}" -S "${installing}" -B "${installing}/build" ${configure_arguments})
run_step("build it" COMMAND "${CMAKE_COMMAND}" --build "${installing}/build")
if(NOT EXISTS "${installing}/build/libsparsepath_adaptive_lasso_installed.so")
  fail_check("the plugin was not built into its binary folder")
endif()
run_step("install it" COMMAND "${CMAKE_COMMAND}" --install "${installing}/build")
run_step("the installed driver finds it unaided"
         COMMAND "${PREFIX}/bin/sparsepath" describe penalty/adaptive_lasso WORKING_DIRECTORY "${WORK}")
string(FIND "${step_output}" "libsparsepath_adaptive_lasso_installed.so" at)
if(at EQUAL -1)
  fail_check("describe after the install does not name the installed library:\n${step_output}")
endif()

string(TIMESTAMP test_end "%s")
math(EXPR total "${test_end} - ${test_start}")
file(REMOVE_RECURSE "${WORK}")
message(STATUS "plugin SDK works: the out-of-tree adaptive lasso built, fitted (${certified} of "
               "${points} points certified) and passed the penalty conformance suite in ${total} s")
