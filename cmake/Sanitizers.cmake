# SPDX-License-Identifier: Apache-2.0
# ASan + UBSan for every espgen target (CI runs the suite in this build too), and the
# coverage instrumentation libFuzzer needs (ESPGEN_FUZZ, clang only: tests/fuzz).
set(espgen_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
if(ESPGEN_SANITIZE)
	target_compile_options(espgen_flags INTERFACE ${espgen_san})
	target_link_options(espgen_flags INTERFACE ${espgen_san})
endif()
if(ESPGEN_FUZZ)
	if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
		message(FATAL_ERROR "ESPGEN_FUZZ needs clang (CC=clang): libFuzzer is part of clang")
	endif()
	target_compile_options(espgen_flags INTERFACE -fsanitize=fuzzer-no-link ${espgen_san} -g)
	target_link_options(espgen_flags INTERFACE ${espgen_san})
endif()
