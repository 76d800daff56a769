# SPDX-License-Identifier: Apache-2.0
# zsh and fish completions (docs/shells.md), included by cmake/Install.cmake with
# ESPGEN_INSTALLED_TOOLS set. completion/gen.sh builds them from _espgen.in and
# espgen.fish.in and the option table of each tool's --help, so it runs the tools just
# built: BUILD/completion/_espgen (zsh, one file for every tool, by its #compdef line) and
# BUILD/completion/espgen.fish (fish loads a completion by command name: installed once per
# tool). bash's completion/espgen.bash is installed by cmake/Install.cmake.
if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
	message(STATUS "cross-compiling: no zsh and fish completions (made by running the tools)")
	return()
endif()

set(_espgen_comp_dir ${PROJECT_BINARY_DIR}/completion)
set(_espgen_gen ${CMAKE_CURRENT_LIST_DIR}/gen.sh)
set(_espgen_tool_files)
foreach(_tool ${ESPGEN_INSTALLED_TOOLS})
	list(APPEND _espgen_tool_files $<TARGET_FILE:${_tool}>)
endforeach()
add_custom_command(OUTPUT ${_espgen_comp_dir}/_espgen ${_espgen_comp_dir}/espgen.fish
	COMMAND ${CMAKE_COMMAND} -E make_directory ${_espgen_comp_dir}
	COMMAND sh ${_espgen_gen} zsh ${CMAKE_CURRENT_LIST_DIR}/_espgen.in
		${_espgen_comp_dir}/_espgen ${_espgen_tool_files}
	COMMAND sh ${_espgen_gen} fish ${CMAKE_CURRENT_LIST_DIR}/espgen.fish.in
		${_espgen_comp_dir}/espgen.fish ${_espgen_tool_files}
	DEPENDS ${_espgen_gen} ${CMAKE_CURRENT_LIST_DIR}/_espgen.in
		${CMAKE_CURRENT_LIST_DIR}/espgen.fish.in ${ESPGEN_INSTALLED_TOOLS}
	COMMENT "zsh and fish completions from each tool's --help"
	VERBATIM)
add_custom_target(espgen-completion ALL
	DEPENDS ${_espgen_comp_dir}/_espgen ${_espgen_comp_dir}/espgen.fish)

install(FILES ${_espgen_comp_dir}/_espgen
	DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
foreach(_tool ${ESPGEN_INSTALLED_TOOLS})
	install(FILES ${_espgen_comp_dir}/espgen.fish
		DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d RENAME ${_tool}.fish)
endforeach()
