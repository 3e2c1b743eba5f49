# SPDX-License-Identifier: MIT
# The fuzz targets of dwarf/: cache_fuzz (the cache image loader),
# dwarf_fuzz (a cold open of an ELF file: libdwarf, the index build on two
# threads, the merge) and btf_fuzz (a BTF blob: libbpf, then btf.c).
# include() this from tests/CMakeLists.txt, after fuzz.cmake.
#
# With clang and -DVMCA_FUZZ=ON they are libFuzzer binaries (everything
# is then compiled with -fsanitize=fuzzer-no-link, see the top level), run
# from tests/fuzz/seeds/{btf,cache,dwarf}_fuzz/ (tests/fuzz/make_seeds.py).
# Otherwise they are plain programs that run the files given: over those
# seeds, and in the test below over this build's own test binary (-g):
# dwarf_fuzz reads it as is, cache_fuzz its cache image.
foreach(target btf_fuzz cache_fuzz dwarf_fuzz)
  add_executable(${target} fuzz/${target}.c)
  target_link_libraries(${target} PRIVATE vmca_dwarf)
  if(VMCA_FUZZ)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    target_compile_definitions(${target} PRIVATE VMCA_FUZZ_STANDALONE)
  endif()
  vmca_fuzz_test(${target})
endforeach()
if(NOT VMCA_FUZZ)
  add_test(NAME fuzz_debuginfo_seeds
           COMMAND sh -c "set -e; d=$(mktemp -d); trap 'rm -rf $d' EXIT; \
$<TARGET_FILE:cache_fuzz> --seed $<TARGET_FILE:debuginfo_test> $d/c; \
$<TARGET_FILE:cache_fuzz> $d/c; \
$<TARGET_FILE:dwarf_fuzz> $<TARGET_FILE:debuginfo_test>")
endif()
