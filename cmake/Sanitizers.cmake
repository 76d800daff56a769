# ASan + UBSan build for the whole tree (CI runs the suite in this build too).
if(ESPGEN_SANITIZE)
	set(espgen_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
	add_compile_options(${espgen_san})
	add_link_options(${espgen_san})
endif()
