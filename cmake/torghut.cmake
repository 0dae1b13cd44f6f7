# Shared build rules for every Torghut module.
#
#   torghut_library(<name> SOURCES a.cc b.cc DEPS torghut_core ...)
#     A static library `torghut_<name>` whose public headers live at src/torghut/<name>/*.h and
#     are included as "torghut/<name>/foo.h".
#   torghut_test(<name> SOURCES foo_test.cc DEPS torghut_<name> ...)
#     A GoogleTest executable `<name>_test`; each TEST becomes one ctest entry.

set(TORGHUT_SRC_ROOT ${PROJECT_SOURCE_DIR}/src)

set(TORGHUT_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
    -Wno-missing-field-initializers
    # g++ 12 at -O2/-O3 reports overlapping memcpy inside libstdc++'s std::string where there is
    # none (`s = "x"`, `"literal" + std::string&&`: GCC bugs 105329, 105651). g++ only; clang
    # keeps the warning.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)

add_library(torghut_build_flags INTERFACE)
target_compile_options(torghut_build_flags INTERFACE ${TORGHUT_WARNINGS})
target_include_directories(torghut_build_flags INTERFACE ${TORGHUT_SRC_ROOT})
if(TORGHUT_SANITIZE)
  target_compile_options(torghut_build_flags INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(torghut_build_flags INTERFACE -fsanitize=address,undefined)
endif()

function(torghut_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(ARG_SOURCES)
    add_library(torghut_${name} STATIC ${ARG_SOURCES})
    target_link_libraries(torghut_${name} PUBLIC torghut_build_flags ${ARG_DEPS})
  else()  # header-only module
    add_library(torghut_${name} INTERFACE)
    target_link_libraries(torghut_${name} INTERFACE torghut_build_flags ${ARG_DEPS})
  endif()
  set_property(GLOBAL APPEND PROPERTY TORGHUT_LIBS torghut_${name})
endfunction()

# Extra compile flags for the tests' own sources (not the libraries they test), after the build
# type's: scripts/test.sh passes -O0, which halves the sanitizer build's cost of compiling the
# tests while the product code they run stays at the build type's optimisation.
set(TORGHUT_TEST_CODE_FLAGS "" CACHE STRING "Extra compile flags for test sources (e.g. -O0)")

function(torghut_test name)
  if(NOT TORGHUT_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name}_test ${ARG_SOURCES})
  if(TORGHUT_TEST_CODE_FLAGS)
    separate_arguments(test_code_flags UNIX_COMMAND "${TORGHUT_TEST_CODE_FLAGS}")
    target_compile_options(${name}_test PRIVATE ${test_code_flags})
  endif()
  target_link_libraries(${name}_test PRIVATE torghut_build_flags ${ARG_DEPS} torghut_testing
                        GTest::gtest_main)
  target_compile_definitions(${name}_test PRIVATE
      TORGHUT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TORGHUT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  # LSAN_OPTIONS: known leaks of third-party libraries (tests/lsan.supp says which and why).
  # (One variable only: a ';' inside the value would be split into separate properties.)
  set(properties ENVIRONMENT "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp")
  if(ARG_LABELS)  # an empty LABELS value would swallow the next property name
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name}_test DISCOVERY_MODE PRE_TEST PROPERTIES ${properties})
endfunction()
