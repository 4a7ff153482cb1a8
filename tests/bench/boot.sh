#!/bin/sh
# make bench, boot part: how long vsva takes from start to exit for the
# hello firmware on this machine's KVM (N runs), and, in the lab, from
# start to the L2 Linux init, against QEMU (-accel kvm) in the same L1 run.
# Usage: tests/bench/boot.sh [VSVA] [N]
set -u
vsva=${1:-./vsva}
n=${2:-20}
out=${BUILD_DIR:-build}/bench
mkdir -p "$out"

if [ ! -w /dev/kvm ]; then
	echo "bench: /dev/kvm is not usable here" >&2
	exit 1
fi

: >"$out/hello-ms.txt"
i=0
while [ "$i" -lt "$n" ]; do
	start=$(date +%s%N)
	"$vsva" run -f hello </dev/null >/dev/null 2>&1 || {
		echo "bench: hello firmware failed" >&2
		exit 1
	}
	echo $(( ($(date +%s%N) - start) / 1000 )) >>"$out/hello-ms.txt"
	i=$((i + 1))
done
sort -n "$out/hello-ms.txt" | awk -v n="$n" '
	{ v[NR] = $1 }
	END {
		printf "host lane: hello firmware, vsva start to exit, %d runs\n", n
		printf "  min %.1f ms   p50 %.1f ms   p90 %.1f ms   max %.1f ms\n",
			v[1] / 1000, v[int((n + 1) / 2)] / 1000,
			v[int(n * 0.9 + 0.5)] / 1000, v[n] / 1000
	}'

echo "lab lane: L2 Linux boot to init, vsva vs qemu -accel kvm (same L1 run)"
if ! LAB_OUT=${LAB_OUT:-$out/lab} tests/lab/run.sh linux-l2 qemu-l2 \
	>"$out/lab.log" 2>&1; then
	echo "bench: the lab run failed; see $out/lab.log" >&2
	tail -20 "$out/lab.log" >&2
	exit 1
fi
awk '
	/vsva-start-to-l2-init =/ { v = $NF; sub("s", "", v) }
	/qemu-start-to-l2-init =/ { q = $NF; sub("s", "", q) }
	END {
		if (!v || !q) { print "  (no timings in the lab log)"; exit 1 }
		printf "  vsva %.2f s   qemu %.2f s   vsva/qemu %.2f\n", v, q, v / q
	}' "$out/lab.log"
