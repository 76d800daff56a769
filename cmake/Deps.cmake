# SPDX-License-Identifier: Apache-2.0
# Debian packages: libelf-dev, libinih-dev, uuid-dev, libjansson-dev (pkg-config),
# libmbedtls-dev (no .pc file in 2.28, so found by hand).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
pkg_check_modules(UUID REQUIRED IMPORTED_TARGET uuid)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)

find_path(MBEDTLS_INCLUDE_DIR mbedtls/sha256.h)
find_library(MBEDCRYPTO_LIBRARY mbedcrypto)
if(NOT MBEDTLS_INCLUDE_DIR OR NOT MBEDCRYPTO_LIBRARY)
	message(FATAL_ERROR "mbedTLS not found: install libmbedtls-dev")
endif()
add_library(espgen_mbedcrypto INTERFACE)
target_include_directories(espgen_mbedcrypto INTERFACE ${MBEDTLS_INCLUDE_DIR})
target_link_libraries(espgen_mbedcrypto INTERFACE ${MBEDCRYPTO_LIBRARY})
