#!/bin/sh
# The host lane: firmware guests under this machine's /dev/kvm.
# Each case runs ./vsva with a timeout and checks its exit status and output.
# Usage: tests/host/run.sh [VSVA]
set -u
vsva=${1:-./vsva}
out=${BUILD_DIR:-build}/host
mkdir -p "$out"
pass=0
fail=0

if [ ! -c /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "check-host: /dev/kvm is missing or not writable: the host lane cannot run" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# case NAME EXPECTED_STATUS PATTERN -- ARGS...
case_run() {
	name=$1 want=$2 pattern=$3
	shift 4
	log="$out/$name.log"
	start=$(date +%s%N)
	timeout 120 "$vsva" run "$@" </dev/null >"$log" 2>&1
	status=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$status" = "$want" ] && grep -q -- "$pattern" "$log"; then
		printf 'PASS  %-22s exit %-3s %6d ms\n' "$name" "$status" "$ms"
		pass=$((pass + 1))
	else
		printf 'FAIL  %-22s exit %s (want %s, output matching "%s")\n' \
			"$name" "$status" "$want" "$pattern"
		sed 's/^/      | /' "$log" | tail -20
		fail=$((fail + 1))
	fi
}

case_run hello-1cpu 0 "hello: ok" -- -f hello -c 1
case_run hello-2cpu 0 "cpus: 2" -- -f hello -c 2
case_run hello-large-mem 0 "hello: ok" -- -f hello -m 4200
case_run virtio-rng 0 "virtio-rng: ok" -- -f virtio-rng --rng
case_run virtio-rng-absent 2 "virtio-rng" -- -f virtio-rng
case_run virtio-net 0 "virtio-net: ok" -- -f virtio-net-test \
	--network user --loglevel info
case_run virtio-net-viommu 0 "virtio-net: ok" -- -f virtio-net-test \
	--network user --viommu on
# The payload connects to 10.0.2.2:30323, i.e. the host's 127.0.0.1:30323:
# vsva's own forward, which connects back to the guest's port 7.
case_run virtio-net-hostfwd 0 "forwarded SYN for port 7" -- \
	-f virtio-net-test --network \
	"user,hostfwd=tcp::30323-:7,hostfwd=udp:127.0.0.1:30323-10.0.2.15:53"
case_run virtio-net-absent 2 "no virtio-net" -- -f virtio-net-test
# virtio-blk: a 1 MiB raw image with a signature in sector 0.  The payload
# writes a pattern to sector 1 and zeroes sectors 2-9 (WRITE_ZEROES); the
# image file must show both afterwards.
# check NAME DESCRIPTION COMMAND...: a case that only runs COMMAND.
check() {
	name=$1 what=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		printf 'PASS  %-22s %s\n' "$name" "$what"
		pass=$((pass + 1))
	else
		printf 'FAIL  %-22s %s\n' "$name" "$what"
		fail=$((fail + 1))
	fi
}
blk_image() {
	printf 'vsva-blk-test sector 0\n' >"$1"
	truncate -s 1M "$1"
	# sectors 2-9 hold non-zero bytes for WRITE_ZEROES to clear
	yes vsva | head -c 4096 | dd of="$1" bs=512 seek=2 conv=notrunc 2>/dev/null
}
blk_sector1() {
	l=0
	while [ $l -lt 32 ]; do
		printf 'vsva-blk-01-%02x.\n' $l
		l=$((l + 1))
	done
}
blk_expect() {
	dd if="$1" bs=512 skip=1 count=1 2>/dev/null | cmp -s - "$out/blk-sector1" &&
		dd if="$1" bs=512 skip=2 count=8 2>/dev/null | cmp -s -n 4096 - /dev/zero
}
blk_unchanged() {
	dd if="$1" bs=512 skip=1 count=1 2>/dev/null | cmp -s -n 512 - /dev/zero
}
blk_sector1 >"$out/blk-sector1"
img="$out/blk.img"
blk_image "$img"
case_run virtio-blk 0 "virtio-blk: ok" -- -f virtio-blk-test --disk "$img"
check virtio-blk-image "sector 1 and zeroes in the image file" blk_expect "$img"
blk_image "$img"
case_run virtio-blk-ro 0 "virtio-blk: read-only ok" -- \
	-f virtio-blk-test --disk "$img,ro"
check virtio-blk-ro-image "image untouched" blk_unchanged "$img"
blk_image "$img"
case_run virtio-blk-viommu 0 "unmapped buffers refused" -- \
	-f virtio-blk-test --disk "$img" --viommu on
check virtio-blk-viommu-image "sector 1 and zeroes in the image file" \
	blk_expect "$img"
truncate -s 1000 "$out/blk-odd.img"
case_run virtio-blk-odd-size 1 "not a multiple of 512" -- \
	-f virtio-blk-test --disk "$out/blk-odd.img"
case_run virtio-blk-absent 2 "no virtio-blk" -- -f virtio-blk-test
for i in 1 2 3 4; do truncate -s 64K "$out/blk-$i.img"; done
case_run virtio-blk-4-disks 0 "04.0 1af4:1042" -- -f hello \
	--disk "$out/blk-1.img" --disk "$out/blk-2.img" \
	--disk "$out/blk-3.img,ro" --disk "$out/blk-4.img"
case_run virtio-console 0 "1af4:1043 class 078000 virtio-console" -- \
	-f hello --console virtio
rm -f "$img" "$out"/blk-*.img "$out/blk-sector1"
case_run viommu-selftest 0 "0 failed, 0 skipped" -- -f viommu-selftest --viommu on --rng --sva-dev
case_run viommu-sva-needs-viommu 2 "needs --viommu on" -- -f hello --sva-dev
case_run exit-code 3 "" -- -f selftest-fail
case_run ud2-reported 4 "instruction bytes: 0f 0b" -- -f selftest-ud2
case_run emulation-failure 3 "emulation failure.*instruction bytes: f3 48 0f b8 c7" -- -f selftest-emufail
case_run missing-firmware 1 "not found" -- -f no-such-payload

# The guest-driven PRI stress run (vsva stress, not vsva run).
# json_num FILE OBJECT KEY: the number KEY of the JSON object OBJECT.
json_num() {
	grep -o "\"$2\":{[^}]*}" "$1" | grep -o "\"$3\":[0-9]*" | cut -d: -f2
}
# stress_case NAME [--check FN] [ARGS...]: FN JSON, if given, must succeed
# too; it prints what it looked at.
stress_case() {
	name=$1
	shift
	fn=true
	if [ "${1:-}" = --check ]; then
		fn=$2
		shift 2
	fi
	log="$out/$name.log"
	json="$out/$name.json"
	rm -f "$json"
	start=$(date +%s%N)
	timeout 300 "$vsva" stress --json "$json" "$@" </dev/null >"$log" 2>&1
	status=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ "$status" = 0 ] && grep -q "result *PASS" "$log" &&
	   grep -q '"jobs_wrong":0' "$json" &&
	   grep -q '"misrouted":0' "$json" &&
	   what=$($fn "$json"); then
		printf 'PASS  %-22s exit %-3s %6d ms  %s%s\n' "$name" "$status" \
			"$ms" "$(grep -o '"requests":[0-9]*' "$json")" \
			"${what:+, $what}"
		pass=$((pass + 1))
	else
		printf 'FAIL  %-22s exit %s%s\n' "$name" "$status" \
			"$([ -f "$json" ] && $fn "$json" | sed 's/^/: /')"
		sed 's/^/      | /' "$log" | tail -25
		fail=$((fail + 1))
	fi
}
# The guest holds groups past the SVA device's page-request timeout: vsva
# must have answered them (answered_by_vsva.timeout), and refused the
# guest's late answers to them as well as to the detached PASID's.
timeout_answered() {
	to=$(json_num "$1" answered_by_vsva timeout)
	det=$(json_num "$1" answered_by_vsva detach)
	late=$(json_num "$1" dropped_guest_answers late)
	echo "timeout ${to:-none}, detach ${det:-none}, late ${late:-none}"
	[ "${to:-0}" -ge 1 ] && [ "${late:-0}" -ge $((${det:-0} + ${to:-0})) ]
}

stress_case pri-stress
stress_case pri-stress-poll --relay poll --pasids 2 --jobs 6
stress_case pri-stress-big-groups --pasids 2 --jobs 4 --pages 32 --invalid 25
# 500 ms, not less: under load the guest takes up to ~150 ms to answer an
# ordinary group, which must not time out.
stress_case stress-timeout --check timeout_answered --prq-timeout 500 \
	--rounds 1

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
