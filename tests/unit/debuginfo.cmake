# SPDX-License-Identifier: MIT
# dwarf/ on the corpus' vmlinux files, checked against pahole, nm and
# readelf (debuginfo_test.sh), plus small programs compiled at test time.
# include() this from tests/CMakeLists.txt.
add_executable(debuginfo_test unit/debuginfo_test.c)
target_include_directories(debuginfo_test PRIVATE
                           ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(debuginfo_test PRIVATE vmca_dwarf)
# Its own DWARF seeds the fuzz targets' test, whatever the build type.
target_compile_options(debuginfo_test PRIVATE -g)
foreach(kernel 5.10.0-32-cloud-amd64 6.1.0-56-cloud-amd64
               6.12.117+deb12-cloud-amd64)
  add_test(NAME unit_debuginfo_${kernel}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/debuginfo_test.sh
                   $<TARGET_FILE:debuginfo_test> ${kernel})
  set_tests_properties(unit_debuginfo_${kernel} PROPERTIES
                       FIXTURES_REQUIRED corpus TIMEOUT 600)
endforeach()
