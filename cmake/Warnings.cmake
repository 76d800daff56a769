# Project-wide warning flags (STYLE.md 2.8). -Werror unless ESPGEN_WERROR=OFF.
set(ESPGEN_WARNINGS
	-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
	-Wconversion -Wno-sign-conversion)
if(ESPGEN_WERROR)
	list(APPEND ESPGEN_WARNINGS -Werror)
endif()
add_compile_options(${ESPGEN_WARNINGS})
