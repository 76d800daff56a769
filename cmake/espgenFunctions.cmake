# SPDX-License-Identifier: Apache-2.0
# espgen image functions: one custom command per image, with the dependencies that
# make a changed input rebuild exactly what is built from it, and one target each.
#
#   espgen_partition_table(<name> LAYOUT <file> [FLASH_SIZE <size>] [OFFSET <off>]
#                          [OPTIONS <esp-mkpart option>...] OUTPUT <file> [ALL])
#   espgen_app_image(<name> ELF <file or target> CHIP <chip> [FLASH_MODE <m>]
#                    [FLASH_FREQ <f>] [FLASH_SIZE <s>] [OPTIONS <esp-mkimage option>...]
#                    [SIGN_KEY <key.pem>... [SB_VERSION 1|2]] OUTPUT <file> [ALL])
#   espgen_otadata(<name> [BOOT ota_N|factory] [SLOTS <k> | LAYOUT <file or table target>] [SIZE <s>]
#                  [STATE <state>] [SEQ <s>] OUTPUT <file> [ALL])
#   espgen_flash_image(<name> MANIFEST <file> OUTPUT <file> [DEPENDS <file or target>...]
#                      [ALL])
#
# espgen_flash_image() learns the files the manifest reads from esp-mkflash --depfile
# (add_custom_command DEPFILE): a changed layout, ELF, NVS CSV or a file an NVS row
# names remakes the image. On the first build, the espgen images defined before it
# are made first, so the manifest may name their outputs; DEPENDS adds other targets
# or files (outputs of other custom commands, say).
#
# ELF may name an executable target (its file is used); LAYOUT of espgen_otadata may
# name an espgen_partition_table() target (its table is used). SIGN_KEY signs with
# esp-mkimage --sign-key (Secure Boot; a changed key remakes the image).
# Relative input paths are taken from CMAKE_CURRENT_SOURCE_DIR, relative outputs go
# to CMAKE_CURRENT_BINARY_DIR (as add_custom_command does). Each function adds
# add_custom_target(<name> DEPENDS <output>) (part of 'all' with ALL) and sets
# <name>_OUTPUT in the caller's scope and the target's ESPGEN_OUTPUT property.
#
# The tools: in a project that has espgen as a subdirectory they are the targets
# esp-mkpart, ...; from an installed package the executables beside it
# (espgenConfig.cmake sets the directory, relative to its own location).

include_guard(GLOBAL)

# add_custom_command(DEPFILE) with Makefile generators needs CMake 3.20; CMP0116 NEW
# (recorded with each custom command these functions add) makes Ninja read the
# depfile's absolute paths as they are written.
if(CMAKE_VERSION VERSION_LESS 3.20)
	message(FATAL_ERROR "espgen's CMake functions need CMake 3.20 or later (DEPFILE)")
endif()
cmake_policy(SET CMP0116 NEW)

# <out_cmd>: the command line word for tool <tool> (esp-mkpart, ...); <out_dep>: what a
# custom command must depend on so that a rebuilt tool rebuilds its images.
function(_espgen_tool out_cmd out_dep tool)
	if(TARGET ${tool})
		get_target_property(_imported ${tool} IMPORTED)
		if(_imported)
			get_target_property(_loc ${tool} IMPORTED_LOCATION)
			set(${out_cmd} "${_loc}" PARENT_SCOPE)
			set(${out_dep} "${_loc}" PARENT_SCOPE)
		else()
			set(${out_cmd} "$<TARGET_FILE:${tool}>" PARENT_SCOPE)
			set(${out_dep} ${tool} PARENT_SCOPE)
		endif()
		return()
	endif()
	get_property(_dir GLOBAL PROPERTY ESPGEN_TOOLS_DIR)
	if(NOT _dir OR NOT EXISTS "${_dir}/${tool}")
		message(FATAL_ERROR "espgen: no ${tool}: neither a target of that name (espgen "
			"as a subdirectory) nor ${_dir}/${tool} (find_package(espgen))")
	endif()
	set(${out_cmd} "${_dir}/${tool}" PARENT_SCOPE)
	set(${out_dep} "${_dir}/${tool}" PARENT_SCOPE)
endfunction()

# An input file as an absolute path (relative: from the current source directory).
function(_espgen_input out path)
	get_filename_component(_abs "${path}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
	set(${out} "${_abs}" PARENT_SCOPE)
endfunction()

# An output file as an absolute path (relative: in the current binary directory).
function(_espgen_output out path)
	get_filename_component(_abs "${path}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
	set(${out} "${_abs}" PARENT_SCOPE)
endfunction()

# The common tail: the target, its output property and <name>_OUTPUT.
macro(_espgen_target name output all)
	if(${all})
		add_custom_target(${name} ALL DEPENDS "${output}")
	else()
		add_custom_target(${name} DEPENDS "${output}")
	endif()
	set_target_properties(${name} PROPERTIES ESPGEN_OUTPUT "${output}")
	set(${name}_OUTPUT "${output}" PARENT_SCOPE)
	# every image target, in order: espgen_flash_image() builds after those before it
	set_property(GLOBAL APPEND PROPERTY _ESPGEN_TARGETS ${name})
endmacro()

macro(_espgen_require fn name)
	foreach(_kw ${ARGN})
		if(NOT DEFINED ARG_${_kw})
			message(FATAL_ERROR "${fn}(${name}): ${_kw} is required")
		endif()
	endforeach()
	if(ARG_UNPARSED_ARGUMENTS)
		message(FATAL_ERROR "${fn}(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
	endif()
endmacro()

function(espgen_partition_table name)
	cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL" "LAYOUT;FLASH_SIZE;OFFSET;OUTPUT" "OPTIONS")
	_espgen_require(espgen_partition_table ${name} LAYOUT OUTPUT)
	_espgen_tool(tool tool_dep esp-mkpart)
	_espgen_input(layout "${ARG_LAYOUT}")
	_espgen_output(output "${ARG_OUTPUT}")
	set(opts ${ARG_OPTIONS})
	if(DEFINED ARG_FLASH_SIZE)
		list(APPEND opts --flash-size ${ARG_FLASH_SIZE})
	endif()
	if(DEFINED ARG_OFFSET)
		list(APPEND opts --offset ${ARG_OFFSET})
	endif()
	add_custom_command(OUTPUT "${output}"
		COMMAND ${tool} ${opts} "${layout}" -o "${output}"
		DEPENDS ${tool_dep} "${layout}"
		COMMENT "espgen: partition table ${ARG_OUTPUT}"
		VERBATIM)
	_espgen_target(${name} "${output}" ARG_ALL)
endfunction()

function(espgen_app_image name)
	cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL"
		"ELF;CHIP;FLASH_MODE;FLASH_FREQ;FLASH_SIZE;OUTPUT;SB_VERSION" "OPTIONS;SIGN_KEY")
	_espgen_require(espgen_app_image ${name} ELF CHIP OUTPUT)
	_espgen_tool(tool tool_dep esp-mkimage)
	_espgen_output(output "${ARG_OUTPUT}")
	if(TARGET ${ARG_ELF})
		# a target: its file, and a file- and target-level dependency on it
		set(elf "$<TARGET_FILE:${ARG_ELF}>")
		set(elf_dep ${ARG_ELF})
	else()
		_espgen_input(elf "${ARG_ELF}")
		set(elf_dep "${elf}")
	endif()
	set(opts --chip ${ARG_CHIP})
	foreach(_o FLASH_MODE FLASH_FREQ FLASH_SIZE)
		if(DEFINED ARG_${_o})
			string(TOLOWER "${_o}" _flag)
			string(REPLACE "_" "-" _flag "${_flag}")
			list(APPEND opts --${_flag} ${ARG_${_o}})
		endif()
	endforeach()
	list(APPEND opts ${ARG_OPTIONS})
	# signed (Secure Boot): esp-mkimage --sign-key, the same bytes as esp-sign --key
	set(key_deps)
	foreach(_k ${ARG_SIGN_KEY})
		_espgen_input(_abs "${_k}")
		list(APPEND opts --sign-key "${_abs}")
		list(APPEND key_deps "${_abs}")
	endforeach()
	if(DEFINED ARG_SB_VERSION)
		list(APPEND opts --sb-version ${ARG_SB_VERSION})
	endif()
	add_custom_command(OUTPUT "${output}"
		COMMAND ${tool} ${opts} "${elf}" -o "${output}"
		DEPENDS ${tool_dep} ${elf_dep} ${key_deps}
		COMMENT "espgen: app image ${ARG_OUTPUT}"
		VERBATIM)
	_espgen_target(${name} "${output}" ARG_ALL)
endfunction()

function(espgen_otadata name)
	cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL" "BOOT;SLOTS;LAYOUT;SIZE;STATE;SEQ;OUTPUT" "")
	_espgen_require(espgen_otadata ${name} OUTPUT)
	_espgen_tool(tool tool_dep esp-mkotadata)
	_espgen_output(output "${ARG_OUTPUT}")
	set(opts)
	set(deps ${tool_dep})
	foreach(_o BOOT SLOTS SIZE STATE SEQ)
		if(DEFINED ARG_${_o})
			string(TOLOWER "${_o}" _flag)
			list(APPEND opts --${_flag} ${ARG_${_o}})
		endif()
	endforeach()
	if(DEFINED ARG_LAYOUT)
		if(TARGET ${ARG_LAYOUT})
			# an espgen_partition_table() target: its table
			get_target_property(_layout ${ARG_LAYOUT} ESPGEN_OUTPUT)
			list(APPEND deps ${ARG_LAYOUT} "${_layout}")
		else()
			_espgen_input(_layout "${ARG_LAYOUT}")
			list(APPEND deps "${_layout}")
		endif()
		list(APPEND opts --layout "${_layout}")
	endif()
	add_custom_command(OUTPUT "${output}"
		COMMAND ${tool} ${opts} -o "${output}"
		DEPENDS ${deps}
		COMMENT "espgen: otadata ${ARG_OUTPUT}"
		VERBATIM)
	_espgen_target(${name} "${output}" ARG_ALL)
	if(DEFINED ARG_LAYOUT AND TARGET ${ARG_LAYOUT})
		add_dependencies(${name} ${ARG_LAYOUT})
	endif()
endfunction()

function(espgen_flash_image name)
	cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL" "MANIFEST;OUTPUT" "DEPENDS")
	_espgen_require(espgen_flash_image ${name} MANIFEST OUTPUT)
	_espgen_tool(tool tool_dep esp-mkflash)
	_espgen_input(manifest "${ARG_MANIFEST}")
	_espgen_output(output "${ARG_OUTPUT}")
	# the inputs the manifest names come from esp-mkflash itself: its depfile lists
	# every file it read (NVS CSVs and the files their rows name too)
	set(depfile "${output}.d")
	set(deps ${tool_dep} "${manifest}")
	foreach(_d ${ARG_DEPENDS})
		if(TARGET ${_d})
			list(APPEND deps ${_d})
		else()
			_espgen_input(_abs "${_d}")
			list(APPEND deps "${_abs}")
		endif()
	endforeach()
	# esp-mkflash writes X.json beside X.bin (X.bin.json for other names)
	if(output MATCHES "\\.bin$")
		string(REGEX REPLACE "\\.bin$" ".json" json "${output}")
	else()
		set(json "${output}.json")
	endif()
	add_custom_command(OUTPUT "${output}" "${json}"
		COMMAND ${tool} --manifest "${manifest}" --depfile "${depfile}" -o "${output}"
		DEPENDS ${deps}
		DEPFILE "${depfile}"
		COMMENT "espgen: flash image ${ARG_OUTPUT}"
		VERBATIM)
	# The depfile is known only after the first build; until then the images made
	# before this one are built first, so that a manifest may name their outputs.
	get_property(_before GLOBAL PROPERTY _ESPGEN_TARGETS)
	_espgen_target(${name} "${output}" ARG_ALL)
	if(_before)
		add_dependencies(${name} ${_before})
	endif()
endfunction()
