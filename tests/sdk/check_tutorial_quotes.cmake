# The tutorial quotes real files rather than paraphrasing them. A quote is a fenced code block
# right after a marker line naming its file, relative to the repository root:
#   <!-- quote: examples/out_of_tree_penalty/adaptive_lasso.cpp -->
#   ```cpp
#   ...lines copied verbatim...
#   ```
# Every quoted block must appear in its file as whole consecutive lines, so that editing the
# example without the tutorial (or the reverse) fails here. Every file of the example must be
# quoted at least once, so that a tutorial that lost its markers cannot pass by quoting nothing.
#
# Inputs (-D): SOURCE_DIR, TUTORIAL.
cmake_minimum_required(VERSION 3.20)

set(required_quotes
  examples/out_of_tree_penalty/CMakeLists.txt
  examples/out_of_tree_penalty/adaptive_lasso.cpp
  examples/out_of_tree_penalty/adaptive_lasso.ini)

set(marker "<!-- quote: ")
string(LENGTH "${marker}" marker_length)
file(READ "${TUTORIAL}" rest)
set(quoted_files)
set(quotes 0)
set(failures "")
while(TRUE)
  string(FIND "${rest}" "${marker}" start)
  if(start EQUAL -1)
    break()
  endif()
  math(EXPR start "${start} + ${marker_length}")
  string(SUBSTRING "${rest}" ${start} -1 rest)
  string(FIND "${rest}" " -->\n" name_end)
  if(name_end EQUAL -1)
    message(FATAL_ERROR "${TUTORIAL}: a quote marker is not closed by ' -->' at the end of its line")
  endif()
  string(SUBSTRING "${rest}" 0 ${name_end} relative)
  math(EXPR after_marker "${name_end} + 5")
  string(SUBSTRING "${rest}" ${after_marker} -1 rest)
  # The fence must be the very next line; the block ends at the next line starting with ```.
  if(NOT rest MATCHES "^```[A-Za-z]*\n")
    message(FATAL_ERROR "${TUTORIAL}: the quote of ${relative} is not followed by a ``` fence")
  endif()
  string(LENGTH "${CMAKE_MATCH_0}" fence_length)
  string(SUBSTRING "${rest}" ${fence_length} -1 rest)
  string(FIND "${rest}" "\n```" block_end)
  if(block_end EQUAL -1)
    message(FATAL_ERROR "${TUTORIAL}: the quote of ${relative} has no closing ``` fence")
  endif()
  math(EXPR block_length "${block_end} + 1")  # keep the block's last newline
  string(SUBSTRING "${rest}" 0 ${block_length} block)
  string(SUBSTRING "${rest}" ${block_length} -1 rest)

  if(NOT EXISTS "${SOURCE_DIR}/${relative}")
    string(APPEND failures "\n${relative}: quoted, but the file does not exist")
    continue()
  endif()
  file(READ "${SOURCE_DIR}/${relative}" content)
  # A leading newline on both sides makes the match start at a line start.
  string(FIND "\n${content}" "\n${block}" found)
  if(found EQUAL -1)
    string(APPEND failures "\n${relative}: this quoted block is not in the file (any more):\n${block}")
  endif()
  list(APPEND quoted_files "${relative}")
  math(EXPR quotes "${quotes} + 1")
endwhile()

foreach(required IN LISTS required_quotes)
  if(NOT required IN_LIST quoted_files)
    string(APPEND failures "\n${required}: never quoted (expected at least one '${marker}${required} -->' block)")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "${TUTORIAL} is out of date with the files it quotes:${failures}")
endif()
message(STATUS "${quotes} quoted blocks in ${TUTORIAL} match their files")
