# Run at every build (cmake -P, by the sparsepath_git_commit target): writes OUTPUT, a header that
# defines SPARSEPATH_GIT_COMMIT from `git rev-parse` in SOURCE_DIR ("unknown" outside git), and
# rewrites it only when the commit changed, so that a new commit recompiles one file and the
# manifests never carry the commit of an earlier configure.
set(commit "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE head
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
  if(status EQUAL 0 AND NOT head STREQUAL "")
    set(commit "${head}")
  endif()
endif()
set(content "// Generated at build time by cmake/sparsepathGitCommit.cmake; do not edit.\n#define SPARSEPATH_GIT_COMMIT \"${commit}\"\n")
set(previous "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" previous)
endif()
if(NOT previous STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
