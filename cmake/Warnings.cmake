# SPDX-License-Identifier: Apache-2.0
# espgen_flags: the compile and link flags of every espgen target (STYLE.md 2.8), as an
# interface target each target links PRIVATE, so a project that adds espgen with
# add_subdirectory() keeps its own flags. Holds the warnings (-Werror unless
# ESPGEN_WERROR=OFF), the sanitizers (ESPGEN_SANITIZE, ESPGEN_FUZZ) and a prefix map so
# the binaries do not embed the source or build path.
add_library(espgen_flags INTERFACE)
target_compile_options(espgen_flags INTERFACE
	-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
	-Wconversion -Wno-sign-conversion
	-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=
	-ffile-prefix-map=${PROJECT_BINARY_DIR}/=)
target_compile_definitions(espgen_flags INTERFACE
	_POSIX_C_SOURCE=200809L ESPGEN_VERSION="${PROJECT_VERSION}")
if(ESPGEN_WERROR)
	target_compile_options(espgen_flags INTERFACE -Werror)
endif()

# espgen_target(TARGET): gives TARGET the project's flags.
function(espgen_target target)
	target_link_libraries(${target} PRIVATE espgen_flags)
endfunction()
