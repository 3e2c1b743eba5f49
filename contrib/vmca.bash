# SPDX-License-Identifier: MIT
# bash completion for vmca: options, the dump (a file), then the command
# names (from `vmca help`), then files.
_vmca()
{
	local cur prev words cword
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-k|--vmlinux|-m|--modules|--cache-dir|--plugin)
		COMPREPLY=($(compgen -f -- "$cur"))
		return;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-k --vmlinux -m --modules -j --json
			-f --force --cache-dir --btf --plugin --version --help" \
			-- "$cur"))
		return
	fi
	# The words that are no options (or their arguments): the dump, then
	# the command.
	local i n=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-k|--vmlinux|-m|--modules|--cache-dir|--plugin) ((i++));;
		-*) ;;
		*) ((n++));;
		esac
	done
	if ((n == 0)); then
		COMPREPLY=($(compgen -f -W "batch help" -- "$cur"))
	elif ((n == 1)); then
		local cmds
		cmds=$(vmca help 2>/dev/null |
			awk '/^Commands:/ {c = 1; next} c && NF {print $1}')
		COMPREPLY=($(compgen -W "$cmds script" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _vmca vmca
