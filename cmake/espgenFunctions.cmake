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
	# which target makes this file, for the images built from it (see _espgen_order)
	set_property(GLOBAL PROPERTY "_ESPGEN_TARGET_OF:${output}" ${name})
endmacro()

# Target <name> uses <files>: depend on the espgen targets that make any of them, so
# that a Makefile build runs each command once (a custom command's output listed by
# two targets would otherwise be made by both, perhaps at the same time).
function(_espgen_order name)
	foreach(_f ${ARGN})
		get_property(_t GLOBAL PROPERTY "_ESPGEN_TARGET_OF:${_f}")
		if(_t)
			add_dependencies(${name} ${_t})
		endif()
	endforeach()
endfunction()

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

# The files a factory manifest names (esp-mkflash --manifest): every 'key = path'
# line whose key is one of layout, bootloader, elf, file, nvs, resolved as esp-mkflash
# resolves them (relative to the manifest). Files that an NVS CSV names in turn
# ('file' rows) are not followed: list them under DEPENDS.
function(_espgen_manifest_inputs out manifest)
	get_filename_component(_dir "${manifest}" DIRECTORY)
	file(STRINGS "${manifest}" _lines)
	set(_files)
	foreach(_line IN LISTS _lines)
		if(_line MATCHES "^[ \t]*(layout|bootloader|elf|file|nvs)[ \t]*=[ \t]*([^;#]*)")
			string(STRIP "${CMAKE_MATCH_2}" _path)
			if(NOT _path STREQUAL "")
				get_filename_component(_abs "${_path}" ABSOLUTE BASE_DIR "${_dir}")
				list(APPEND _files "${_abs}")
			endif()
		endif()
	endforeach()
	list(REMOVE_DUPLICATES _files)
	set(${out} "${_files}" PARENT_SCOPE)
endfunction()

function(espgen_flash_image name)
	cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL" "MANIFEST;OUTPUT" "DEPENDS")
	_espgen_require(espgen_flash_image ${name} MANIFEST OUTPUT)
	_espgen_tool(tool tool_dep esp-mkflash)
	_espgen_input(manifest "${ARG_MANIFEST}")
	_espgen_output(output "${ARG_OUTPUT}")
	if(NOT EXISTS "${manifest}")
		message(FATAL_ERROR "espgen_flash_image(${name}): no manifest ${manifest}")
	endif()
	# a changed manifest re-runs CMake, which reads its list of inputs again
	set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest}")
	_espgen_manifest_inputs(inputs "${manifest}")
	set(deps ${tool_dep} "${manifest}" ${inputs})
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
		COMMAND ${tool} --manifest "${manifest}" -o "${output}"
		DEPENDS ${deps}
		COMMENT "espgen: flash image ${ARG_OUTPUT}"
		VERBATIM)
	_espgen_target(${name} "${output}" ARG_ALL)
	_espgen_order(${name} ${inputs})
endfunction()
