#!/bin/sh
# check-insns.sh ELF...: fails if an image contains an instruction the host's
# KVM instruction emulator cannot run (see shared/lab/README.md): int3/int n,
# popcnt, lzcnt/tzcnt, BMI1/2, crc32, cmpxchg16b, rdtscp, rdpid, movbe,
# xgetbv, xsave/xrstor, rdrand/rdseed, endbr, x87, any MMX/SSE/AVX register,
# and bytes objdump cannot decode. ud2 is allowed: it is how payloads fail.
set -u
OBJDUMP=${OBJDUMP:-objdump}
status=0

bad='int3|int|int1|into|popcnt|lzcnt|tzcnt'
bad="$bad|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx"
bad="$bad|crc32[bwlq]?|cmpxchg16b|rdtscp|rdpid|movbe|xgetbv|xsetbv"
bad="$bad|xsave[a-z0-9]*|xrstor[a-z0-9]*|rdrand|rdseed|endbr32|endbr64"
bad="$bad|\\(bad\\)"

# Instruction lines look like "  100010:<TAB>mov    %rdi,%r12".
scan() {
	awk -F'\t' -v bad="^($bad)\$" '
	/^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ /, "", fn); next }
	NF < 2 { next }
	{
		insn = $2
		prefixes = "^(lock|rep|repz|repnz|repe|repne|data16|addr32|" \
			   "rex[.A-Z]*|bnd|notrack|ds|cs) +"
		while (insn ~ prefixes)
			sub(prefixes, "", insn)
		split(insn, w, / +/)
		m = w[1]
		x87 = m ~ /^f/ && m !~ /^fx(save|rstor)/
		if (m ~ bad || x87 || insn ~ /%([xyz]mm[0-9]|mm[0-7]|st)/)
			printf "  %s %s %s\n", fn, $1, $2
	}'
}

for elf in "$@"; do
	if ! dis=$($OBJDUMP -d --no-show-raw-insn "$elf"); then
		echo "check-insns: cannot disassemble $elf" >&2
		status=1
		continue
	fi
	found=$(printf '%s\n' "$dis" | scan)
	if [ -n "$found" ]; then
		echo "check-insns: $elf: instructions the host KVM cannot run:" >&2
		printf '%s\n' "$found" | head -20 >&2
		status=1
	fi
done
exit $status
