# Sourced by the lab cases that boot the L2 Linux guest with /l2-io
# (tests/lab/init/l2-io.c) under vsva: a disk, a network and an L1-side
# HTTP server, then the checks on the host side.  busybox sh, in L1.
#
#   . /lab/lib/l2-io.sh
#   l2io__start               disk image, token, httpd on 127.0.0.1:$l2io_port
#   l2io__vsva METRIC CMDLINE-EXTRA VSVA-ARGS...
#                             boots L2 (disk and network options added)
#   l2io__check_disk          what L2 wrote is on the image
#   l2io__check_hvc           L2's /dev/hvc0 line (l2_hvc=1) was printed
#   l2io__stop                stops httpd
#
# The guest reaches the server as 10.0.2.2:$l2io_port: slirp connects guest
# connections to its gateway address to the host's loopback.

l2io_dir=/tmp/${LAB_CASE:-l2io}
l2io_port=${L2IO_PORT:-8080}
l2io_httpd=

l2io__fail() {
	echo "$LAB_CASE: FAIL: $*"
	l2io__stop
	exit 1
}

l2io__start() {
	rm -rf "$l2io_dir"
	mkdir -p "$l2io_dir/www" || l2io__fail "cannot create $l2io_dir"
	ip link set lo up || l2io__fail "cannot bring up lo in L1"
	l2io_token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	[ ${#l2io_token} = 24 ] || l2io__fail "no token from /dev/urandom"
	echo "vsva-lab $l2io_token" > "$l2io_dir/www/token.txt"
	httpd -f -p "127.0.0.1:$l2io_port" -h "$l2io_dir/www" &
	l2io_httpd=$!
	# the disk: 1 MiB of random bytes for L2 to copy, zeros to 16 MiB
	# (or ${L2IO_DISK_MIB} MiB)
	dd if=/dev/urandom of="$l2io_dir/src.bin" bs=1024 count=1024 2>/dev/null
	cp "$l2io_dir/src.bin" "$l2io_dir/disk.img"
	truncate -s "${L2IO_DISK_MIB:-16}M" "$l2io_dir/disk.img" ||
		l2io__fail "cannot size the disk image"
	sleep 0.2
	kill -0 "$l2io_httpd" 2>/dev/null || l2io__fail "httpd did not start"
	wget -q -O - "http://127.0.0.1:$l2io_port/token.txt" 2>/dev/null |
		grep -q "$l2io_token" || l2io__fail "httpd does not serve the token in L1"
}

l2io__stop() {
	[ -n "$l2io_httpd" ] && kill "$l2io_httpd" 2>/dev/null
	l2io_httpd=
}

# METRIC EXTRA-CMDLINE VSVA-ARGS...: the disk is $l2io_dir/disk.img with
# the options in $L2IO_DISK_OPTS, the network "user$L2IO_NET_OPTS";
# $L2IO_CPUS vCPUs (2).
l2io__vsva() {
	metric=$1
	extra=$2
	shift 2
	set -o pipefail
	lab-expect -r -t "$metric" -f L2-IO-FAIL L2-IO-OK \
		./vsva run -k bzImage -i l2-initramfs.cpio.gz \
		-p "panic=-1 rdinit=/l2-io l2_token=$l2io_token l2_port=$l2io_port $extra" \
		-m 256 -c "${L2IO_CPUS:-2}" \
		--disk "$l2io_dir/disk.img${L2IO_DISK_OPTS:-}" \
		--network "user${L2IO_NET_OPTS:-}" "$@" | tee "$l2io_dir/out.log" ||
		l2io__fail "the L2 guest did not report L2-IO-OK"
	set +o pipefail
}

# The guest's line on /dev/hvc0 (l2_hvc=1) reached vsva's output.
l2io__check_hvc() {
	grep -a -q "L2-IO-HVC $l2io_token" "$l2io_dir/out.log" ||
		l2io__fail "no L2-IO-HVC line with the token from the virtio console"
	echo "$LAB_CASE: the guest's /dev/hvc0 line came through the virtio console"
}

l2io__check_disk() {
	img=$l2io_dir/disk.img
	dd if="$img" of="$l2io_dir/a.bin" bs=1024 count=1024 2>/dev/null
	dd if="$img" of="$l2io_dir/b.bin" bs=1024 skip=4096 count=1024 2>/dev/null
	cmp -s "$l2io_dir/src.bin" "$l2io_dir/a.bin" ||
		l2io__fail "the source MiB of the image changed"
	cmp -s "$l2io_dir/src.bin" "$l2io_dir/b.bin" ||
		l2io__fail "the image at 4 MiB is not the copy L2 wrote"
	dd if="$img" bs=512 skip=12288 count=1 2>/dev/null |
		grep -q "^L2-DISK $l2io_token" ||
		l2io__fail "no L2-DISK marker with the token at 6 MiB"
	echo "$LAB_CASE: host image: L2's copy at 4 MiB and its marker at 6 MiB are there"
}
