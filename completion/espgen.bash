# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# bash completion for the espgen tools (esp-mkpart, esp-mkimage, esp-mkotadata,
# esp-mkflash, esp-mknvs, esp-sign, esp-imginfo, esp-encrypt, esp-mkfs): options, chips, flash
# settings and the other fixed values; files elsewhere. Installed once per tool name in
# share/bash-completion/completions/, so bash-completion loads it for any of them.
# The option lists follow each tools/<dir>/main.c getopt_long table.

_espgen_chips="esp32 esp32s2 esp32s3 esp32c2 esp32c3 esp32c5 esp32c6 esp32c61 esp32h2 esp32h21 esp32h4 esp32p4 esp32s31 esp32e22"
_espgen_flash_sizes="1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB"

# the flash frequencies of a chip (lib/chip/chip.c), or of every chip
_espgen_freqs()
{
	case $1 in
	esp32 | esp32s2 | esp32s3 | esp32c3 | esp32e22 | esp32p4) echo "80m 40m 26m 20m" ;;
	esp32c2) echo "60m 30m 20m 15m" ;;
	esp32c5 | esp32c6 | esp32c61 | esp32s31) echo "80m 40m 20m" ;;
	esp32h2 | esp32h21 | esp32h4) echo "48m 24m 16m 12m" ;;
	*) echo "80m 60m 48m 40m 30m 26m 24m 20m 16m 15m 12m" ;;
	esac
}

_espgen()
{
	local cmd=${1:-${COMP_WORDS[0]}} cur prev i chip="" noarg witharg values="" eq=""
	cmd=${cmd##*/}
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --opt=value: '=' is a word of its own in COMP_WORDS
	if [[ $cur == "=" ]]; then
		cur=""
		eq=1
	elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
		eq=1
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--chip | -c)
			chip=${COMP_WORDS[i + 1]:-}
			[[ $chip == "=" ]] && chip=${COMP_WORDS[i + 2]:-}
			;;
		esac
	done

	case $cmd in
	esp-mkpart)
		noarg="--no-md5 --disable-md5sum --secure --no-verify --strict --decode --quiet --help --version"
		witharg="--output --flash-size --offset --chip --primary-bootloader-offset --recovery-bootloader-offset --extra-subtype --extra-partition-subtypes --format"
		;;
	esp-mkimage)
		noarg="--secure-pad --secure-pad-v2 --no-digest --dont-append-digest --use-segments --ram-only-header --random --quiet --help --version"
		witharg="--output --chip --flash-mode --flash-freq --flash-size --min-rev --min-rev-full --max-rev-full --elf-sha256-offset --flash-mmu-page-size --pad-to-size --sign-key --sb-version --pkcs11-module --pin-file"
		;;
	esp-mkotadata)
		noarg="--quiet --help --version"
		witharg="--output --size --boot --slots --layout --state --seq"
		;;
	esp-mkflash)
		noarg="--keep-going --keygen-per-device --check --md5-disable --quiet --help --version"
		witharg="--output --chip --pad-to-size --fill-flash-size --target-offset --flash-mode --flash-freq --flash-size --manifest --devices --jobs --format --chunk-size --depfile --idf-build --manifest-out --shard --merge-index --progress --output-mode"
		;;
	esp-mknvs)
		noarg="--decode --encrypt --decrypt --keygen --quiet --help --version"
		witharg="--output --size --key --hmac-key"
		;;
	esp-sign)
		noarg="--random --verify --help --version"
		witharg="--output --key --keyfile --pubkey --pub-key --sb-version --key-digest --pubkey-digest --digest-out --signature --pkcs11-module --pin-file"
		;;
	esp-imginfo)
		noarg="--json --diff --check --help --version"
		witharg="--ignore --pubkey --nvs-key --hmac-key --flash-key"
		;;
	esp-encrypt)
		noarg="--decrypt --keygen --quiet --help --version"
		witharg="--output --chip --key --address --flash-crypt-conf --key-size"
		;;
	esp-mkfs)
		noarg="--no-magic --no-magic-len --follow-symlinks --big-endian --aligned-obj-ix-tables --long-names --wear-levelling --list --json --extract --quiet --help --version"
		witharg="--output --type --size --page-size --block-size --obj-name-len --meta-len --sector-size --sectors-per-cluster --root-entry-count --fat-type --fat-count --wl-mode"
		;;
	*) return 0 ;;
	esac

	case $prev in
	--chip | -c) values=$_espgen_chips ;;
	--flash-mode) values="qio qout dio dout" ;;
	--flash-freq) values=$(_espgen_freqs "$chip") ;;
	--flash-size) values=$_espgen_flash_sizes ;;
	--pad-to-size | --fill-flash-size)
		[[ $cmd == esp-mkflash ]] && values="256KB 512KB $_espgen_flash_sizes" || return 0
		;;
	--flash-mmu-page-size) values="64KB 32KB 16KB 8KB" ;;
	--secure) [[ -n $eq ]] && values="v1 v2" ;; # an optional value: only --secure=v1
	--version) [[ -n $eq && $cmd == esp-mknvs ]] && values="1 2" ;;
	--format) [[ $cmd == esp-mkpart ]] && values="csv ini" || values="raw uf2 hex" ;;
	--boot) values="factory ota_0 ota_1 ota_2 ota_3 ota_4 ota_5 ota_6 ota_7 ota_8 ota_9 ota_10 ota_11 ota_12 ota_13 ota_14 ota_15" ;;
	--state) values="undefined new pending valid invalid aborted" ;;
	--sb-version) values="1 2" ;;
	--key-size) [[ $chip == esp32 ]] && values="256 192" || values="128 256" ;;
	--flash-crypt-conf) values="0xf" ;;
	--type) [[ $cmd == esp-mkfs ]] && values="spiffs fat" ;;
	--sector-size) values="512 1024 2048 4096" ;;
	--sectors-per-cluster) values="1" ;;
	--fat-type) values="12 16" ;;
	--fat-count) values="1 2" ;;
	--wl-mode) values="perf safe" ;;
	--output-mode) values="image regions" ;;
	--ignore) values="header appdesc elf-sha256 digest signature partition content otadata file" ;;
	--offset | --primary-bootloader-offset | --recovery-bootloader-offset | --extra-subtype | \
		--extra-partition-subtypes | --min-rev | -r | --min-rev-full | --max-rev-full | \
		--elf-sha256-offset | --size | --slots | --seq | --target-offset | -t | --jobs | -j | --chunk-size | \
		--address | -a | --page-size | --block-size | --obj-name-len | --meta-len | --root-entry-count)
		return 0 ;; # a number or free text
	--idf-build)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--output | -o | --layout | --manifest | --manifest-out | --devices | --depfile | --key | -k | --keyfile | --sign-key | --pubkey | \
		--nvs-key | --hmac-key | --flash-key | \
		-p | --pub-key | --key-digest | --pubkey-digest | --digest-out | --signature | \
		--pkcs11-module | --pin-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	esac
	if [[ -n $values ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
		return 0
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$noarg $witharg" -- "$cur")
		return 0
	fi
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _espgen esp-mkpart esp-mkimage esp-mkotadata esp-mkflash esp-mknvs esp-sign esp-imginfo esp-encrypt \
	esp-mkfs
