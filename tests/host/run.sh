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
case_run exit-code 3 "" -- -f selftest-fail
case_run ud2-reported 4 "instruction bytes: 0f 0b" -- -f selftest-ud2
case_run missing-firmware 1 "not found" -- -f no-such-payload

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
