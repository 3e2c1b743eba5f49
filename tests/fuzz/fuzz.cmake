# SPDX-License-Identifier: MIT
# The fuzz targets (tests/fuzz/*_fuzz.c). include() this from
# tests/CMakeLists.txt, before debuginfo_fuzz.cmake.
#
# Without -DVMCA_FUZZ=ON each target is a plain program (standalone.h)
# that the test fuzz_<target>_seeds runs over tests/fuzz/seeds/<target>/.
# With it (clang; the top level then compiles everything with
# -fsanitize=fuzzer-no-link) they are libFuzzer binaries, and the test
# fuzz_<target>_libfuzzer (label "libfuzzer") fuzzes each for
# VMCA_FUZZ_SECONDS from its seeds, new inputs going to a temporary
# directory; a crash leaves its input in <build>/fuzz-artifacts/.
#
# The targets that need a real dump (walkers_fuzz, expr_fuzz) open the idle
# kdump of VMCA_FUZZ_KERNEL from the corpus (the "corpus" fixture), named by
# VMCA_FUZZ_DUMP and VMCA_FUZZ_VMLINUX.
set(VMCA_FUZZ_SECONDS 20 CACHE STRING
    "Seconds of each target's libFuzzer run (fuzz_*_libfuzzer)")
set(VMCA_FUZZ_KERNEL 6.1.0-56-cloud-amd64 CACHE STRING
    "The corpus kernel whose idle kdump the walker targets open")
set(VMCA_FUZZ_SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seeds)
if(DEFINED ENV{VMCA_TESTDATA_DIR} AND NOT "$ENV{VMCA_TESTDATA_DIR}" STREQUAL "")
  set(vmca_fuzz_data $ENV{VMCA_TESTDATA_DIR})
elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(vmca_fuzz_data $ENV{XDG_CACHE_HOME}/vmca-testdata)
else()
  set(vmca_fuzz_data $ENV{HOME}/.cache/vmca-testdata)
endif()
set(VMCA_FUZZ_ENV
    VMCA_FUZZ_DUMP=${vmca_fuzz_data}/dumps/${VMCA_FUZZ_KERNEL}/idle/kdump/vmcore
    VMCA_FUZZ_VMLINUX=${vmca_fuzz_data}/kernels/${VMCA_FUZZ_KERNEL}/vmlinux
    VMCA_CACHE_DIR=${CMAKE_BINARY_DIR}/test-cache)
add_custom_target(vmca_fuzz_targets)

# The test of target name: a libFuzzer run, or the run over its seeds.
# NEEDS_DUMP: it opens the corpus' dump. ARGS: the standalone run's
# arguments instead of the seed files.
function(vmca_fuzz_test name)
  cmake_parse_arguments(F "NEEDS_DUMP" "" "ARGS" ${ARGN})
  add_dependencies(vmca_fuzz_targets ${name})
  if(VMCA_FUZZ)
    set(test fuzz_${name}_libfuzzer)
    set(artifacts ${CMAKE_BINARY_DIR}/fuzz-artifacts/${name}/)
    file(MAKE_DIRECTORY ${artifacts})
    add_test(NAME ${test}
             COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
$<TARGET_FILE:${name}> -max_total_time=${VMCA_FUZZ_SECONDS} -timeout=10 \
-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=${artifacts} \
$d ${VMCA_FUZZ_SEEDS}/${name}")
    math(EXPR timeout "${VMCA_FUZZ_SECONDS} + 300")
    set_tests_properties(${test} PROPERTIES LABELS libfuzzer
                         TIMEOUT ${timeout})
  else()
    set(test fuzz_${name}_seeds)
    if(F_ARGS)
      add_test(NAME ${test} COMMAND ${F_ARGS})
    else()
      file(GLOB seeds CONFIGURE_DEPENDS ${VMCA_FUZZ_SEEDS}/${name}/*)
      add_test(NAME ${test} COMMAND ${name} ${seeds})
    endif()
    set_tests_properties(${test} PROPERTIES TIMEOUT 600)
  endif()
  if(F_NEEDS_DUMP)
    # One at a time: the first indexes the vmlinux into the cache.
    set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED corpus
                         ENVIRONMENT "${VMCA_FUZZ_ENV}"
                         RESOURCE_LOCK vmca_fuzz_dump)
  endif()
endfunction()

# A target of the core: tests/fuzz/<name>.c linked with vmca_core.
function(vmca_fuzz_target name)
  add_executable(${name} fuzz/${name}.c)
  target_link_libraries(${name} PRIVATE vmca_core)
  if(VMCA_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_compile_definitions(${name} PRIVATE VMCA_FUZZ_STANDALONE)
  endif()
  vmca_fuzz_test(${name} ${ARGN})
endfunction()

vmca_fuzz_target(flattened_fuzz)
vmca_fuzz_target(vmcoreinfo_fuzz)
vmca_fuzz_target(printk_fuzz)
vmca_fuzz_target(kallsyms_fuzz)
vmca_fuzz_target(orc_fuzz)
vmca_fuzz_target(walkers_fuzz NEEDS_DUMP)
vmca_fuzz_target(expr_fuzz NEEDS_DUMP)
