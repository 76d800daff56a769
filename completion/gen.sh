#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# usage: gen.sh zsh|fish TEMPLATE OUTPUT TOOL...
# Writes the zsh or fish completion from TEMPLATE (completion/_espgen.in, espgen.fish.in)
# with the option table of every TOOL (a path to a built esp-* program) taken from the
# TOOL's own --help at build time, so an option added to a tool completes without an edit
# here (and one removed stops completing). TEMPLATE holds what --help cannot tell: the
# values of each option (chips, flash settings, ...), in one function per shell;
# @ESPGEN_TOOLS@ becomes the tool names and the line @ESPGEN_OPTIONS@ the option table.
set -eu
shell=$1 template=$2 out=$3
shift 3

# options TOOL: one line per option of TOOL's --help, tab-separated:
#   NAMES (the option's words, main one first: "--output -o", "--pubkey -p --pub-key")
#   KIND (flag, arg: a value follows, opt: an optional '=value')
#   ARG (the value's placeholder: FILE, CHIP, ...) DESCRIPTION (its first line)
# An option line is indented and starts with "-x, --name" or "--name"; its placeholder is
# one word, one space after the name, the description after that (or on the next line).
# "also --alias" / "also -x" in the description block names the option's aliases.
options() {
	"$1" --help </dev/null | awk '
	# characters a zsh spec or a fish string could take for syntax go
	function clean(s) {
		gsub(/\047/, "", s)
		gsub(/: /, " - ", s)
		gsub(/[^A-Za-z0-9 .,;()\/+_=<>*%#@!?&~|-]/, " ", s)
		gsub(/  +/, " ", s)
		sub(/^ /, "", s)
		sub(/ $/, "", s)
		# the first line of a description may open a parenthesis the next one closes
		if (gsub(/\(/, "(", s) > gsub(/\)/, ")", s)) {
			match(s, /.*\(/)
			s = substr(s, 1, RLENGTH - 1)
		}
		sub(/[ ,;]+$/, "", s)
		return s
	}
	# indented by 1 to 6 spaces (a description line that starts with an option is
	# indented further)
	function is_option(l) {
		return l ~ /^( |  |   |    |     |      )(-[A-Za-z], )?--[a-z0-9][a-z0-9-]+/
	}
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			l = line[i]
			if (!is_option(l))
				continue
			sub(/^ +/, "", l)
			short = ""
			if (l ~ /^-[A-Za-z], /) {
				short = substr(l, 1, 2)
				l = substr(l, 5)
			}
			match(l, /^--[a-z0-9-]+/)
			long = substr(l, 1, RLENGTH)
			l = substr(l, RLENGTH + 1)
			arg = ""
			if (l ~ /^\[=[^ ]*\]/) {
				# --name[=VALUE]
				match(l, /\]/)
				arg = "[" substr(l, 3, RSTART - 3) "]"
				l = substr(l, RSTART + 1)
			} else if (l ~ /^=[^ ]/) {
				# --name=VALUE
				l = " " substr(l, 2)
			}
			if (arg == "" && l ~ /^ [^ ]/) {
				# the placeholder: one word
				l = substr(l, 2)
				if (match(l, / /)) {
					arg = substr(l, 1, RSTART - 1)
					l = substr(l, RSTART)
				} else {
					arg = l
					l = ""
				}
			}
			desc = clean(l)
			block = l
			for (j = i + 1; j <= NR && line[j] ~ /^    / && !is_option(line[j]); j++) {
				if (desc == "")
					desc = clean(line[j])
				block = block " " line[j]
			}
			if (long in seen)
				continue
			seen[long] = 1
			kind = "flag"
			if (arg ~ /^\[/)
				kind = "opt"
			else if (arg != "")
				kind = "arg"
			gsub(/[][]/, "", arg)
			names = long (short == "" ? "" : " " short)
			rest = block
			gsub(/ +/, " ", rest)
			while (match(rest, /also --?[A-Za-z0-9][a-z0-9-]*/)) {
				alias = substr(rest, RSTART + 5, RLENGTH - 5)
				rest = substr(rest, RSTART + RLENGTH)
				if (alias != long && alias != short)
					names = names " " alias
			}
			# (a tab run counts as one for read: "-" stands for no placeholder)
			arg = clean(arg)
			printf "%s\t%s\t%s\t%s\n", names, kind, arg == "" ? "-" : arg, desc
		}
	}'
}

# zsh: one _arguments spec per option word, every option repeatable ('*': some are, and
# --help does not say which); the value comes from _espgen_value TOOL OPTION PLACEHOLDER.
zsh_table() {
	echo "	case \$1 in"
	for tool in "$@"; do
		name=${tool##*/}
		echo "	$name)"
		echo "		reply=("
		options "$tool" | while IFS='	' read -r names kind arg desc; do
			main=${names%% *}
			for word in $names; do
				d=$desc
				[ "$word" = "$main" ] || d="$desc (= $main)"
				case $kind/$word in
				flag/*) echo "			'*${word}[$d]'" ;;
				opt/--*) echo "			'*$word=-[$d]::$arg:_espgen_value $name $main \"$arg\"'" ;;
				opt/*) echo "			'*$word-[$d]::$arg:_espgen_value $name $main \"$arg\"'" ;;
				arg/--*) echo "			'*$word=[$d]:$arg:_espgen_value $name $main \"$arg\"'" ;;
				arg/*) echo "			'*$word+[$d]:$arg:_espgen_value $name $main \"$arg\"'" ;;
				esac
			done
		done
		echo "		) ;;"
	done
	echo "	*) reply=() ;;"
	echo "	esac"
}

# fish: one complete line per option word; an option with a value takes it from
# __espgen_value TOOL OPTION PLACEHOLDER (values, or file names when the value is a file).
# fish knows no optional values: "--opt=" gets its own line (__espgen_optional).
fish_table() {
	for tool in "$@"; do
		name=${tool##*/}
		options "$tool" | while IFS='	' read -r names kind arg desc; do
			main=${names%% *}
			for word in $names; do
				d=$desc
				[ "$word" = "$main" ] || d="$desc (= $main)"
				case $word in
				--*) flag="-l ${word#--}" ;;
				*) flag="-s ${word#-}" ;;
				esac
				case $kind/$word in
				arg/*) echo "complete -c $name $flag -d '$d' -x -a '(__espgen_value $name $main \"$arg\")'" ;;
				opt/--*)
					echo "complete -c $name $flag -d '$d'"
					printf "complete -c %s -n '__espgen_at_optional %s' -f" "$name" "$word"
					echo " -a '(__espgen_optional $name $main $word \"$arg\")'"
					;;
				*) echo "complete -c $name $flag -d '$d'" ;;
				esac
			done
		done
	done
}

names=""
for tool in "$@"; do
	names="$names ${tool##*/}"
done
names=${names# }
tmp="$out.tmp"
while IFS= read -r line; do
	case $line in
	@ESPGEN_OPTIONS@) "${shell}_table" "$@" ;;
	*@ESPGEN_TOOLS@*) printf '%s\n' "$line" | sed "s/@ESPGEN_TOOLS@/$names/" ;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$template" >"$tmp"
mv "$tmp" "$out"
