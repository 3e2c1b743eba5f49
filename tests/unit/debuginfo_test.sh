#!/bin/sh
# SPDX-License-Identifier: MIT
# Test dwarf/ on a real vmlinux against independent readers of it: pahole
# (the BTF the kernel build made: struct layouts; DWARF via libdw: enums),
# nm (symbols) and readelf (build-id).
#
# usage: debuginfo_test.sh DEBUGINFO_TEST_BINARY KERNEL|VMLINUX
# KERNEL names a directory of $VMCA_TESTDATA_DIR/kernels (default
# ~/.cache/vmca-testdata), e.g. 6.1.0-56-cloud-amd64.
set -eu

bin=$1
vmlinux=$2
if [ ! -f "$vmlinux" ]; then
	data=${VMCA_TESTDATA_DIR:-$HOME/.cache/vmca-testdata}
	vmlinux=$data/kernels/$2/vmlinux
fi
if [ ! -r "$vmlinux" ]; then
	echo "$vmlinux: missing (the testdata generator makes it)" >&2
	exit 1
fi
for tool in pahole nm readelf; do
	if ! command -v $tool >/dev/null; then
		echo "$tool is needed (tests/deps.sh installs it)" >&2
		exit 1
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect=$work/expect.txt

readelf -n "$vmlinux" | awk '/Build ID:/ { print "B", $3; exit }' >"$expect"

# Structs and unions: "S kind name size" and, for every member reachable
# by name (anonymous structs and unions flattened, as member_path sees
# them), "M kind name member bit_offset bit_size byte_size".
structs="task_struct oom_control kmem_cache list_head page mm_struct
	vm_area_struct zone pglist_data sk_buff file_operations inode
	super_block rq cfs_rq sched_entity callback_head thread_info
	uts_namespace new_utsname printk_ringbuffer prb_desc_ring
	pid upid signal_struct files_struct fdtable dentry qstr
	kobject module irq_desc cpumask folio"
unions="thread_union"
for t in $structs; do echo "struct $t"; done >"$work/types"
for t in $unions; do echo "union $t"; done >>"$work/types"
while read -r kind name; do
	pahole -F btf -C "$name" "$vmlinux" 2>/dev/null |
		awk -v want_kind="$kind" -v want_name="$name" '
function flush_to(d, s) { buf[d] = buf[d] s }
$0 ~ "^" want_kind " " want_name " [{]" { inside = 1; depth = 0; buf[0] = ""; next }
!inside { next }
/^};/ { printf "%s", buf[0]; inside = 0; exit }
/\/\* size: / {
	s = $0; sub(/.*size: /, "", s); sub(/,.*/, "", s)
	print "S", want_kind, want_name, s
	next
}
/^[ \t]+(const |volatile )*(struct|union|enum) *[{][ \t]*$/ {
	depth++; buf[depth] = ""; next
}
/;[ \t]*\/\*.*\*\// {
	decl = $0; sub(/;[ \t]*\/\*.*$/, "", decl)
	c = $0; sub(/.*\/\*[ \t]*/, "", c); sub(/[ \t]*\*\/.*/, "", c)
	bit = 0
	if (c ~ /:/) {
		off = c; sub(/:.*/, "", off)
		rest = c; sub(/^[^:]*:[ \t]*/, "", rest)
		split(rest, f, /[ \t]+/); bit = f[1]; size = f[2]
	} else {
		split(c, f, /[ \t]+/); off = f[1]; size = f[2]
	}
	gsub(/__attribute__\(\([^;]*\)\)/, "", decl)
	sub(/^[ \t]+/, "", decl); sub(/[ \t]+$/, "", decl)
	if (decl ~ /^}/) {
		# The end of a nested struct or union: a named member, or
		# an anonymous one whose members belong to the parent.
		sub(/^}[ \t]*/, "", decl); sub(/(\[[^]]*\])+$/, "", decl)
		if (decl != "")
			flush_to(depth - 1, "M " want_kind " " want_name " " \
				 decl " " off * 8 " 0 " size "\n")
		else
			flush_to(depth - 1, buf[depth])
		depth--
		next
	}
	bits = 0
	if (decl ~ /:[ \t]*[0-9]+$/) {
		bits = decl; sub(/.*:[ \t]*/, "", bits); sub(/[ \t]*:[ \t]*[0-9]+$/, "", decl)
	}
	if (decl ~ /\(\*[ \t]*[A-Za-z0-9_]+\)/) {
		name = decl; sub(/^[^(]*\(\*[ \t]*/, "", name); sub(/\).*/, "", name)
	} else {
		sub(/(\[[^]]*\])+$/, "", decl)
		n = split(decl, w, /[^A-Za-z0-9_]+/); name = w[n]
	}
	flush_to(depth, "M " want_kind " " want_name " " name " " \
		 off * 8 + bit " " bits " " size "\n")
}' >>"$expect"
done <"$work/types"

# Enums from DWARF (pahole's libdw reader): BTF drops the sign.
for e in zone_type pid_type perf_event_state perf_callchain_context \
	netdev_priv_flags; do
	pahole -C "$e" "$vmlinux" 2>/dev/null | awk -v name="$e" '
/^[ \t]+[A-Za-z0-9_]+[ \t]+= -?[0-9]+,?$/ {
	v = $3; sub(/,$/, "", v); print "E", name, $1, v
}' >>"$expect"
done

# Symbols: address and nm letter.
nm "$vmlinux" | awk '
$3 == "init_task" || $3 == "start_kernel" || $3 == "schedule" ||
$3 == "runqueues" || $3 == "jiffies" || $3 == "prb" ||
$3 == "vmcoreinfo_data" || $3 == "init_uts_ns" || $3 == "node_data" ||
$3 == "_totalram_pages" || $3 == "slab_caches" || $3 == "_stext" ||
$3 == "__per_cpu_start" || $3 == "panic" || $3 == "linux_banner" {
	if (!seen[$3]++) print "Y", $3, $1, $2
}' >>"$expect"

if [ "$(grep -c '^M ' "$expect")" -lt 500 ]; then
	echo "pahole gave too few members; is the vmlinux built with BTF?" >&2
	exit 1
fi

"$bin" "$vmlinux" "$work/cache" "$expect"

# A small program in every DWARF flavour at hand: DWARF 2 bitfields and
# location expressions, DWARF 4, DWARF 5, clang's DW_FORM_strx.
cat >"$work/tiny.c" <<'EOF_C'
struct list_head { struct list_head *next, *prev; };
enum color { RED = -1, GREEN = 200, BLUE = 0x7fffffff };
enum big { BIG = 0x100000000ull };
typedef unsigned long ulong_t;
struct inner { int a; char b; };
struct outer {
	unsigned int flag1 : 1, flag2 : 3;
	unsigned long long wide : 40;
	int before;
	union { struct inner in; long l; };
	struct { short s1, s2; } named;
	struct list_head *heads[4];
	char grid[2][3][4];
	int (*(*fnptr)(int, ...))[5];
	void (*cb)(struct outer *);
	const char *const msg;
	volatile ulong_t vol;
	enum color color;
	enum big big;
	struct outer *self;
	int flex[];
};
struct outer g_outer;
static struct inner s_inner = { 1, 2 };
int (*g_arr_ptr)[7];
struct opaque *g_opaque;
__attribute__((section(".init.text"), noinline)) int init_fn(int x)
{
	return x * 3 + 1;
}
int main(void) { return s_inner.a + (g_opaque != 0) + (int)sizeof(g_outer) + init_fn(1); }
EOF_C
status=0
for cc in "${CC:-cc}" clang; do
	command -v "$cc" >/dev/null || continue
	for flags in -gdwarf-5 -gdwarf-4 "-gdwarf-2 -gstrict-dwarf"; do
		out=$work/tiny-$cc-$(echo "$flags" | tr -d ' -')
		# shellcheck disable=SC2086
		"$cc" $flags -O0 -o "$out" "$work/tiny.c" || continue
		echo "tiny: $cc $flags"
		"$bin" --tiny "$out" || status=1
	done
done

# The same as a relocatable object (a module's shape), opened as loaded:
# main and init_fn at the lines addr2line gives for their first bytes.
for flags in -gdwarf-5 -gdwarf-4; do
	obj=$work/tiny-rel$(echo "$flags" | tr -d ' -').o
	"${CC:-cc}" $flags -O0 -c -o "$obj" "$work/tiny.c" || { status=1; continue; }
	main_line=$(addr2line -j .text -e "$obj" 0 | sed 's/.*://; s/ .*//')
	init_line=$(addr2line -j .init.text -e "$obj" 0 | sed 's/.*://; s/ .*//')
	echo "tiny relocatable: ${CC:-cc} $flags (main:$main_line init_fn:$init_line)"
	"$bin" --tiny-relocatable "$obj" "$main_line" "$init_line" || status=1
done

# Damaged DWARF: one clear line naming the file, never a crash.
tiny=$work/tiny-${CC:-cc}-gdwarf5
if [ -f "$tiny" ]; then
	info=$(readelf -S -W "$tiny" |
		sed -n 's/.*\] \.debug_info  *[A-Z]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	damage() { # offset bytes(octal escapes)
		cp "$tiny" "$work/bad"
		# shellcheck disable=SC2059
		printf "$2" | dd of="$work/bad" bs=1 seek=$((0x$info + $1)) \
			conv=notrunc 2>/dev/null
	}
	# libdwarf's errors, translated where the call returns: the file,
	# where in .debug_info, then libdwarf's name of the error.
	damage 4 '\377\377'
	"$bin" --error "$work/bad" \
		"$work/bad: corrupt DWARF at .debug_info+0: DW_DLE_VERSION_STAMP_ERROR*" ||
		status=1
	damage 0 '\360\377\377\377'
	"$bin" --error "$work/bad" \
		"$work/bad: corrupt DWARF at .debug_info+0: DW_DLE_HEADER_LEN_BIGGER_THAN_SECSIZE*" ||
		status=1
	damage 0 '\377\377\377\177'
	"$bin" --error "$work/bad" \
		"$work/bad: corrupt DWARF at .debug_info+0: DW_DLE_HEADER_LEN_BIGGER_THAN_SECSIZE*" ||
		status=1
	damage 12 '\177'
	"$bin" --error "$work/bad" \
		"$work/bad: corrupt DWARF at .debug_info+0: DW_DLE_DIE_ABBREV_LIST_NULL*" ||
		status=1
fi
exit $status
