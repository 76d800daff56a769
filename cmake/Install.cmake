# SPDX-License-Identifier: Apache-2.0
# Install rules and the espgen CMake package (issue 8). Included from the top-level
# CMakeLists.txt after the tools: installs every esp-* tool target, the man pages,
# bash, zsh and fish completion and lib/cmake/espgen/ (relocatable: no absolute paths inside).
# The image functions are defined here too, for projects that add espgen as a
# subdirectory (the tools are then targets).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
include(${CMAKE_CURRENT_LIST_DIR}/espgenFunctions.cmake)

option(ESPGEN_REQUIRE_SCDOC "Fail when scdoc (for the man pages) is not found" OFF)

# Every tool: tools/<dir> adds esp-<dir>.
set(ESPGEN_INSTALLED_TOOLS)
file(GLOB _espgen_dirs LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/tools/*)
list(SORT _espgen_dirs)
foreach(_dir ${_espgen_dirs})
	get_filename_component(_name ${_dir} NAME)
	if(TARGET esp-${_name})
		list(APPEND ESPGEN_INSTALLED_TOOLS esp-${_name})
	endif()
endforeach()
install(TARGETS ${ESPGEN_INSTALLED_TOOLS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Man pages: man/<tool>.1.scd -> BUILD/man/<tool>.1 with scdoc, when it is there.
find_program(ESPGEN_SCDOC scdoc)
if(NOT ESPGEN_SCDOC AND ESPGEN_REQUIRE_SCDOC)
	message(FATAL_ERROR "scdoc not found (Debian package scdoc), and ESPGEN_REQUIRE_SCDOC is ON")
endif()
set(ESPGEN_MAN_PAGES)
if(ESPGEN_SCDOC)
	foreach(_tool ${ESPGEN_INSTALLED_TOOLS})
		set(_src ${PROJECT_SOURCE_DIR}/man/${_tool}.1.scd)
		set(_page ${PROJECT_BINARY_DIR}/man/${_tool}.1)
		if(NOT EXISTS ${_src})
			message(FATAL_ERROR "no man page for ${_tool}: write man/${_tool}.1.scd")
		endif()
		add_custom_command(OUTPUT ${_page}
			COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
			COMMAND sh -c "\"$1\" < \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\""
				sh ${ESPGEN_SCDOC} ${_src} ${_page}
			DEPENDS ${_src}
			COMMENT "scdoc ${_tool}.1"
			VERBATIM)
		list(APPEND ESPGEN_MAN_PAGES ${_page})
	endforeach()
	add_custom_target(espgen-man ALL DEPENDS ${ESPGEN_MAN_PAGES})
	install(FILES ${ESPGEN_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
	message(STATUS "scdoc not found: no man pages (Debian package scdoc)")
endif()

# Bash completion: one script, one file name per tool (bash-completion loads by name).
foreach(_tool ${ESPGEN_INSTALLED_TOOLS})
	install(FILES ${PROJECT_SOURCE_DIR}/completion/espgen.bash
		DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${_tool})
endforeach()
# zsh and fish: made from each tool's --help at build time (completion/Completions.cmake).
include(${PROJECT_SOURCE_DIR}/completion/Completions.cmake)

# The package: lib/cmake/espgen/espgen{Config,ConfigVersion,Functions}.cmake.
set(_espgen_pkg ${CMAKE_INSTALL_LIBDIR}/cmake/espgen)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/espgenConfig.cmake.in
	${PROJECT_BINARY_DIR}/cmake/espgenConfig.cmake
	INSTALL_DESTINATION ${_espgen_pkg}
	PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/espgenConfigVersion.cmake
	VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/cmake/espgenConfig.cmake
	${PROJECT_BINARY_DIR}/cmake/espgenConfigVersion.cmake
	${CMAKE_CURRENT_LIST_DIR}/espgenFunctions.cmake
	DESTINATION ${_espgen_pkg})
