#!/usr/bin/env bash
# Builds the lab kernel (L1 host kernel and L2 guest kernel in one image):
# Debian's linux-source-6.12, `make tinyconfig` + tests/lab/kernel.config,
# built out of tree.  About 3-5 minutes on 2 cores.
#
#   tests/lab/build-kernel.sh OUTDIR
#
# Leaves OUTDIR/bzImage, OUTDIR/vmlinux, OUTDIR/config and OUTDIR/headers/include
# (the UAPI headers from `make headers_install`).  Installs the Debian
# packages it needs with apt-get when run as root, otherwise names them.
# Fails if any line of the fragment did not survive olddefconfig.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/kernel.config"
mkdir -p "$1"
out=$(cd "$1" && pwd)
jobs=${LAB_KERNEL_JOBS:-$(nproc)}
[ "$jobs" -gt 2 ] && jobs=2	# the machines are shared

# package : a command or file that proves it is there
need=""
command -v make >/dev/null || need="$need make"
command -v gcc >/dev/null || need="$need gcc"
command -v flex >/dev/null || need="$need flex"
command -v bison >/dev/null || need="$need bison"
command -v bc >/dev/null || need="$need bc"
command -v cpio >/dev/null || need="$need cpio"
command -v perl >/dev/null || need="$need perl"
command -v rsync >/dev/null || need="$need rsync"	# headers_install
[ -e /usr/include/libelf.h ] || need="$need libelf-dev"
[ -e /usr/include/openssl/ssl.h ] || need="$need libssl-dev"
ls /usr/src/linux-source-6.12.tar.* >/dev/null 2>&1 || need="$need linux-source-6.12"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "build-kernel: installing:$need"
		DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends $need >/dev/null
	else
		echo "build-kernel: missing packages:$need" >&2
		echo "build-kernel: apt-get install -y$need" >&2
		exit 1
	fi
fi
tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -1)

src="$out/src"
tree="$src/linux-source-6.12"
if [ ! -f "$tree/Makefile" ]; then
	echo "build-kernel: extracting $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -C "$src" -xf "$tarball"
fi

build="$out/build"
mkdir -p "$build"
echo "build-kernel: configuring (tinyconfig + $fragment)"
make -s -C "$tree" O="$build" tinyconfig
"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
	"$fragment" >/dev/null
make -s -C "$build" olddefconfig
echo "build-kernel: building bzImage with -j$jobs"
make -s -C "$build" -j"$jobs" bzImage
make -s -C "$build" headers_install INSTALL_HDR_PATH="$out/headers"
cp "$build/arch/x86/boot/bzImage" "$build/vmlinux" "$out/"
cp "$build/.config" "$out/config"

missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qx "$line" "$out/config"; then
			echo "build-kernel: not in the final config: $line" >&2
			missing=1
		fi ;;
	esac
done < "$fragment"
[ $missing = 0 ] && echo "build-kernel: $out/bzImage"
exit $missing
