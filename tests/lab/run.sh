#!/usr/bin/env bash
# The lab lane: boots an L1 Linux in QEMU TCG (-cpu max: emulated AMD SVM, so
# L1 has its own KVM) from an initramfs built here, runs the cases of
# tests/lab/cases/ inside it and reports one line per case.
#
#   tests/lab/run.sh [--list] [CASE...]      (no CASE: all cases)
#
# Environment:
#   LAB_KERNEL=PATH   kernel for L1 and L2 (default: see lab__find_kernel)
#   LAB_QEMU=PROG     QEMU that runs L1 (default qemu-system-x86_64)
#   LAB_TIMEOUT=SEC   limit for one L1 boot, all its cases included (600)
#   LAB_VERBOSE=1     show the whole L1 console, not only the LAB- lines
#   LAB_CC=CC         compiler for the static init and tools (gcc)
#   LAB_CASE_DIR=DIR  where the cases are (tests/lab/cases)
#   LAB_OUT=DIR       where the initramfs and logs go (build/lab)
#   LAB_KVM_NPT=0|1   nested paging for L1's KVM (0, shadow paging: see
#                     lab__boot and tests/lab/README.md; 1 for comparisons)
#
# Output: build/lab/console-CONFIG.log per L1 configuration and
# build/lab/console.log (all of them).  Exit status 0 if every case passed,
# 1 if one failed or an L1 run did not finish, 2 if a prerequisite is missing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="${LAB_OUT:-$repo/build/lab}"
qemu=${LAB_QEMU:-qemu-system-x86_64}
boot_limit=${LAB_TIMEOUT:-600}
cc=${LAB_CC:-gcc}
case_dir=${LAB_CASE_DIR:-$here/cases}
kvm_npt=${LAB_KVM_NPT:-0}

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 2; }

# --- cases -----------------------------------------------------------------

# A case is tests/lab/cases/NAME.sh, run by busybox sh inside L1 with cwd
# /lab.  Header lines: "# lab-config: mock|vtd", "# lab-timeout: SECONDS",
# "# lab-needs: vsva firmware l2 qemu conformance".
lab__header() {
	sed -n "s/^# lab-$2:[[:space:]]*//p" "$1" | head -1
}

declare -a cases=()
declare -A case_config=() case_timeout=() case_needs=()

lab__load_case() {
	local name=$1 file="$case_dir/$1.sh" cfg t
	[ -f "$file" ] || die "no such case: $name ($file)"
	[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad case name: $name"
	cfg=$(lab__header "$file" config)
	cfg=${cfg:-mock}
	case "$cfg" in
	mock|vtd) ;;
	*) die "case $name: unknown lab-config '$cfg' (mock or vtd)" ;;
	esac
	t=$(lab__header "$file" timeout)
	t=${t:-60}
	[[ $t =~ ^[0-9]+$ ]] || die "case $name: bad lab-timeout '$t'"
	cases+=("$name")
	case_config[$name]=$cfg
	case_timeout[$name]=$t
	case_needs[$name]=$(lab__header "$file" needs)
	for t in ${case_needs[$name]}; do
		case "$t" in
		vsva|firmware|l2|qemu|conformance) ;;
		*) die "case $name: unknown lab-needs '$t' (vsva firmware l2 qemu conformance)" ;;
		esac
	done
}

list_only=0
if [ "${1:-}" = --list ]; then
	list_only=1
	shift
fi
if [ $# -eq 0 ]; then
	for f in "$case_dir"/*.sh; do
		n=$(basename "$f" .sh)
		lab__load_case "$n"
	done
else
	for n in "$@"; do
		lab__load_case "${n%.sh}"
	done
fi
[ ${#cases[@]} -gt 0 ] || die "no cases in $case_dir"

if [ $list_only = 1 ]; then
	for n in "${cases[@]}"; do
		printf '%-16s config=%-4s timeout=%-4s needs=%s\n' "$n" \
			"${case_config[$n]}" "${case_timeout[$n]}" \
			"${case_needs[$n]}"
	done
	exit 0
fi

needs=" "
configs=""
for n in "${cases[@]}"; do
	needs+="${case_needs[$n]} "
	case " $configs " in
	*" ${case_config[$n]} "*) ;;
	*) configs="$configs ${case_config[$n]}" ;;
	esac
done
lab__needs() { case "$needs" in *" $1 "*) return 0 ;; esac; return 1; }

# --- prerequisites ---------------------------------------------------------

command -v "$qemu" >/dev/null ||
	die "$qemu not found (apt-get install qemu-system-x86): the lab cannot run without it"
for tool in cpio gzip timeout ldd find; do
	command -v $tool >/dev/null || die "$tool not found"
done
case "$kvm_npt" in
0|1) ;;
*) die "LAB_KVM_NPT=$kvm_npt: 0 or 1" ;;
esac
/bin/busybox --list >/dev/null 2>&1 ||
	die "/bin/busybox missing (apt-get install busybox-static): the cases are busybox sh scripts"
file /bin/busybox 2>/dev/null | grep -q 'dynamically linked' &&
	die "/bin/busybox is dynamically linked; install busybox-static"
printf 'int main(void){return 0;}\n' |
	$cc -static -x c -o /dev/null - 2>/dev/null ||
	die "$cc cannot link a static program (glibc static: apt-get install libc6-dev)"

if lab__needs vsva; then
	[ -x "$repo/vsva" ] ||
		die "$repo/vsva is not built (run make); needed by:$(for n in "${cases[@]}"; do case " ${case_needs[$n]} " in *" vsva "*) printf ' %s' "$n";; esac; done)"
fi
if lab__needs conformance; then
	for b in vsva-conformance uapi-layout; do
		[ -x "$repo/build/rel/$b" ] ||
			die "$repo/build/rel/$b is not built (run make conformance-bins)"
	done
fi
if lab__needs firmware; then
	ls "$repo"/firmware/out/*.elf >/dev/null 2>&1 ||
		die "no firmware payloads in $repo/firmware/out (run make firmware)"
fi

# Which kernel: LAB_KERNEL; else the shared prebuilt image if our fragment
# has the same CONFIG lines as the one it was built from; else our own build
# in build/lab-kernel (built now if missing or older than the fragment).
lab__config_lines() { grep '^CONFIG_' "$1" | sort -u; }
lab__find_kernel() {
	local shared="$repo/../shared/lab" own="$repo/build/lab-kernel"
	if [ -n "${LAB_KERNEL:-}" ]; then
		[ -f "$LAB_KERNEL" ] || die "LAB_KERNEL=$LAB_KERNEL does not exist"
		kernel=$LAB_KERNEL
		kernel_why="from LAB_KERNEL"
		return
	fi
	if [ -f "$shared/bzImage" ] && [ -f "$shared/lab-kernel.config" ] &&
	   cmp -s <(lab__config_lines "$shared/lab-kernel.config") \
		  <(lab__config_lines "$here/kernel.config"); then
		kernel=$(cd "$shared" && pwd)/bzImage
		kernel_why="shared prebuilt; tests/lab/kernel.config matches its fragment"
		return
	fi
	if [ -f "$own/bzImage" ] && [ "$own/bzImage" -nt "$here/kernel.config" ]; then
		kernel=$own/bzImage
		kernel_why="built by tests/lab/build-kernel.sh"
		return
	fi
	if [ -f "$shared/bzImage" ]; then
		say "tests/lab/kernel.config differs from the shared kernel's fragment: building our own"
	else
		say "no prebuilt lab kernel at $shared/bzImage: building our own"
	fi
	"$here/build-kernel.sh" "$own" ||
		die "cannot build the lab kernel (tests/lab/build-kernel.sh failed, see above)"
	kernel=$own/bzImage
	kernel_why="just built by tests/lab/build-kernel.sh"
}
lab__find_kernel
say "kernel: $kernel ($kernel_why)"

# --- the initramfs ---------------------------------------------------------

mkdir -p "$out/bin"
root="$out/root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lab/bin,lab/cases}

lab__cc() {	# SRC OUT
	$cc -std=gnu11 -O2 -static -Wall -Wextra -Werror -o "$2" "$1" ||
		die "cannot build $1"
}
lab__cc "$here/init/l1-init.c" "$out/bin/l1-init"
lab__cc "$here/init/lab-expect.c" "$out/bin/lab-expect"
install -m 755 "$out/bin/l1-init" "$root/init"
install -m 755 "$out/bin/lab-expect" "$root/lab/bin/lab-expect"

install -m 755 /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# Copies an executable and the shared libraries ldd names, at their paths.
lab__copy_exe() {	# SRC DEST-IN-ROOT
	local lib
	install -D -m 755 "$1" "$root$2"
	for lib in $(ldd "$1" 2>/dev/null |
		     awk '$2 == "=>" && $3 ~ /^\// { print $3 }
			  $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

if lab__needs vsva; then
	lab__copy_exe "$repo/vsva" /lab/vsva
	say "vsva: $(ls -l --time-style=+%F.%T "$repo/vsva" | awk '{print $6, $5 " bytes"}')"
fi
if lab__needs conformance; then
	# tests/conformance/conformance.mk: linked against vsva's own code
	for b in vsva-conformance uapi-layout; do
		lab__copy_exe "$repo/build/rel/$b" "/lab/bin/$b"
	done
fi
if lab__needs firmware; then
	mkdir -p "$root/lab/firmware/out"
	cp "$repo"/firmware/out/*.elf "$root/lab/firmware/out/"
fi
if lab__needs l2; then
	l2root="$out/l2-root"
	rm -rf "$l2root"
	mkdir -p "$l2root"
	lab__cc "$here/init/l2-init.c" "$out/bin/l2-init"
	install -m 755 "$out/bin/l2-init" "$l2root/init"
	# the device checks behind the vIOMMU: boot with rdinit=/l2-io
	lab__cc "$here/init/l2-io.c" "$out/bin/l2-io"
	install -m 755 "$out/bin/l2-io" "$l2root/l2-io"
	(cd "$l2root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$out/l2-initramfs.cpio.gz" ||
		die "cannot build the L2 initramfs"
	cp "$out/l2-initramfs.cpio.gz" "$root/lab/"
	mkdir -p "$root/lab/lib"
	cp "$here"/lib/*.sh "$root/lab/lib/"
	cp "$kernel" "$root/lab/bzImage"
fi
if lab__needs qemu; then
	lab__copy_exe "$(command -v qemu-system-x86_64)" /usr/bin/qemu-system-x86_64
	mkdir -p "$root/usr/share/qemu" "$root/usr/share/seabios"
	cp -L /usr/share/qemu/*.bin /usr/share/qemu/qboot.rom "$root/usr/share/qemu/"
	cp -L /usr/share/seabios/* "$root/usr/share/seabios/" 2>/dev/null || true
fi

for n in "${cases[@]}"; do
	install -m 644 "$case_dir/$n.sh" "$root/lab/cases/$n.sh"
	echo "$n ${case_timeout[$n]} /bin/sh /lab/cases/$n.sh" \
		>> "$root/lab/cases-${case_config[$n]}.list"
done

initrd="$out/initramfs.cpio.gz"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n > "$initrd" ||
	die "cannot build the L1 initramfs"
say "initramfs: $initrd ($(du -k "$initrd" | cut -f1) KiB, $(du -sk "$root" | cut -f1) KiB unpacked)"

# --- boot L1 once per configuration ----------------------------------------

declare -A result=() detail=()
declare -a metrics=()
problems=0
: > "$out/console.log"

lab__boot() {	# CONFIG
	local cfg=$1 log="$out/console-$1.log" append rc start secs line
	local -a args=(-accel tcg -cpu max -smp 2 -m 2G -machine q35
		       -nographic -no-reboot -nic none -vga none -kernel "$kernel" -initrd "$initrd")
	# kvm_amd.npt=0 (LAB_KVM_NPT): L1's KVM runs its guests on shadow page
	# tables.  With nested paging, QEMU 7.2's TCG SVM now and then resumes
	# L1 after a #VMEXIT (host CR3, IDT, RIP after VMRUN) still in guest
	# mode, apparently with the guest's NPT: L1's fetch of its own code
	# faults, #PF -> #DF -> triple fault becomes a SHUTDOWN exit, and vsva
	# reports a triple fault of its guest (exit 4); a few L1s died too.
	# Soak, one L1 at a time (tests/lab/README.md): with NPT 38 of 275
	# `vsva stress` runs, 2 of 98 Linux L2 boots and 3 of 46 L1 boots
	# crashed; with npt=0 0 of 90, 0 of 30 and 0 of 15.  LA57 and PKU made
	# no difference.  Without NPT a Linux L2 boot takes ~3 s longer.
	append="console=ttyS0 panic=-1 kvm_amd.npt=$kvm_npt lab_list=/lab/cases-$cfg.list"
	if [ "$cfg" = vtd ]; then
		# shellcheck disable=SC2054 # commas belong to QEMU's option
		args+=(-device intel-iommu,intremap=on,caching-mode=on -device edu)
		append+=" intel_iommu=on"
	fi
	say "booting L1 ($cfg): $qemu ${args[*]} -append '$append'"
	start=$(date +%s.%N)
	if [ "${LAB_VERBOSE:-0}" = 1 ]; then
		timeout -k 10 "$boot_limit" "$qemu" "${args[@]}" -append "$append" \
			</dev/null 2>&1 | tr -d '\r' | tee "$log" | sed -u 's/^/  L1| /'
	else
		timeout -k 10 "$boot_limit" "$qemu" "${args[@]}" -append "$append" \
			</dev/null 2>&1 | tr -d '\r' | tee "$log" |
			grep -a --line-buffered -o 'LAB-[A-Z]*.*' | sed -u 's/^/  L1| /'
	fi
	rc=${PIPESTATUS[0]}
	secs=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')
	say "L1 ($cfg) ran for ${secs}s, qemu exit status $rc"
	{ echo "===== L1 configuration $cfg ====="; cat "$log"; } >> "$out/console.log"

	local _tag name res
	while read -r _tag name res line; do
		result[$name]=$res
		line=${line#(}
		detail[$name]=${line%)}
	done < <(grep -a -o 'LAB-CASE [A-Za-z0-9_-]* \(PASS\|FAIL\) ([^)]*)' "$log")
	while read -r line; do
		metrics+=("$line")
	done < <(grep -a -o 'LAB-METRIC .*' "$log" | sed 's/^LAB-METRIC //')

	if line=$(grep -a -o 'LAB-KVM FAIL.*' "$log" | head -1); then
		say "error: KVM inside L1 ($cfg) is unusable: ${line#LAB-KVM FAIL }"
		problems=$((problems + 1))
	elif ! grep -a -q 'LAB-KVM ok' "$log"; then
		say "error: L1 ($cfg) never reported on its /dev/kvm (did /init run?)"
		problems=$((problems + 1))
	fi
	if grep -a -q 'LAB-ERROR' "$log"; then
		grep -a -o 'LAB-ERROR.*' "$log" | sed 's/^/lab: error: /'
		problems=$((problems + 1))
	fi
	if ! grep -a -q 'LAB-DONE' "$log"; then
		problems=$((problems + 1))
		l1_died=1
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			say "error: L1 ($cfg) did not finish within ${boot_limit}s (LAB_TIMEOUT); killed"
		elif grep -a -q 'Kernel panic' "$log"; then
			say "error: L1 ($cfg) kernel panic"
		else
			say "error: L1 ($cfg) stopped without LAB-DONE (qemu exit status $rc)"
		fi
		say "last lines of $log:"
		tail -n 40 "$log" | sed 's/^/  | /'
	elif [ "$rc" != 0 ]; then
		say "error: qemu exit status $rc after LAB-DONE"
		problems=$((problems + 1))
	fi
}

# An L1 that dies before LAB-DONE (its own kernel, under TCG, has oopsed
# now and then in the lab; tests/lab/README.md) is booted once more: its
# cases run again, and their second results count.  Said, not hidden.
for cfg in $configs; do
	l1_died=0
	problems_before=$problems
	lab__boot "$cfg"
	if [ "$l1_died" = 1 ] && ! grep -a -q 'LAB-CASE [A-Za-z0-9_-]* FAIL' "$out/console-$cfg.log"; then
		say "RETRY: L1 ($cfg) died before LAB-DONE; booting it once more"
		problems=$problems_before
		cp "$out/console-$cfg.log" "$out/console-$cfg-first.log"
		l1_died=0
		lab__boot "$cfg"
	fi
done

# --- report ----------------------------------------------------------------

passed=0
failed=0
echo
printf '%-16s %-6s %-6s %s\n' CASE CONFIG RESULT DETAIL
for n in "${cases[@]}"; do
	r=${result[$n]:-FAIL}
	d=${detail[$n]:-no result: the case did not finish}
	printf '%-16s %-6s %-6s %s\n' "$n" "${case_config[$n]}" "$r" "$d"
	if [ "$r" = PASS ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
if [ ${#metrics[@]} -gt 0 ]; then
	echo
	for m in "${metrics[@]}"; do
		read -r mc mk mv <<< "$m"
		printf '%-16s %s = %ss\n' "$mc" "$mk" "$mv"
	done
fi
echo
[ $problems -gt 0 ] && say "$problems problem(s) with the L1 runs (see above; logs in $out)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $problems -eq 0 ]
