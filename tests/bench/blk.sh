#!/bin/sh
# make bench, disk part (lab lane): 4 KiB O_DIRECT read throughput of the
# L2 Linux guest's virtio-blk (io_uring back end, 64 MiB images on L1's
# tmpfs), one request at a time, sequential and random.  Each L2 guest (one
# vCPU, so every completion interrupt goes to the reading CPU) has
# two disks that take turns every half second, so the pair is measured
# under the same load:
#   blk-pair         one disk behind the vIOMMU (lazy DMA domain), one
#                    kept out of it (,iommu=off)
#   blk-pair-strict  the same with iommu.strict=1 (synchronous unmaps)
#   blk-off          --viommu off (both disks untranslated)
# The cases are tests/bench/lab-cases/, the guest side /l2-io
# (tests/lab/init/l2-io.c).  Nested SVM under TCG loses an interrupt now
# and then (see the lab README), which stalls or kills a guest: a case
# without numbers is run again, up to 3 times.
# Usage: tests/bench/blk.sh
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${BUILD_DIR:-build}/bench
lab_out=${LAB_OUT:-$out/lab-blk}
mkdir -p "$out"
rm -f "$out"/blk-console-*.log

echo "lab lane: L2 virtio-blk, 4 KiB O_DIRECT reads at queue depth 1"

# Cases that passed with all their numbers, in the console logs so far.
blk__done() {
	awk '
		/LAB-START blk-/ { sub(/.*LAB-START /, ""); c = $1; n[c] = 0 }
		/L2-BENCH vd[a-z] iommu=/ { n[c]++ }
		/LAB-CASE blk-[a-z-]* PASS/ {
			sub(/.*LAB-CASE /, "")
			if (n[$1] >= 4) print $1
		}' "$out"/blk-console-*.log 2>/dev/null | sort -u
}

todo="blk-pair blk-pair-strict blk-off"
for attempt in 1 2 3; do
	LAB_OUT=$lab_out LAB_CASE_DIR=$repo/tests/bench/lab-cases \
		"$repo/tests/lab/run.sh" $todo >"$out/blk-lab-$attempt.log" 2>&1
	cp "$lab_out/console-mock.log" "$out/blk-console-$attempt.log"
	done_cases=" $(blk__done | tr '\n' ' ') "
	left=
	for c in $todo; do
		case "$done_cases" in
		*" $c "*) ;;
		*) left="$left $c" ;;
		esac
	done
	todo=$left
	[ -z "$todo" ] && break
	echo "  attempt $attempt: no numbers from$todo (see $out/blk-lab-$attempt.log)"
done

# One row per (case, disk): the first passing run of each case.
awk '
	/LAB-START blk-/ { sub(/.*LAB-START /, ""); c = $1; k = 0 }
	/L2-BENCH vd[a-z] iommu=/ {
		sub(/.*L2-BENCH /, "")
		k++
		disk[c, k] = $1
		split($2, t, "=")
		tr[c, k] = t[2]
		pat[c, k] = $3
		for (i = 4; i <= NF; i++) {
			split($i, kv, "=")
			val[c, k, kv[1]] = kv[2]
		}
		nrow[c] = k
	}
	/LAB-CASE blk-[a-z-]* PASS/ {
		sub(/.*LAB-CASE /, "")
		if ($1 != c || have[c] || nrow[c] < 4)
			next
		have[c] = 1
		for (j = 1; j <= nrow[c]; j++) {
			if (c == "blk-off")
				what = "no vIOMMU"
			else if (tr[c, j])
				what = c == "blk-pair-strict" ? "vIOMMU, strict" : "vIOMMU"
			else
				what = "iommu=off"
			key = c " " disk[c, j]
			if (!(key in label)) {
				order[++nk] = key
				label[key] = sprintf("%-15s %s %-14s", c, disk[c, j], what)
				if (tr[c, j])
					on[c] = key
				else if (c != "blk-off")
					off[c] = key
			}
			p = pat[c, j] == "seq-4k" ? "s" : "r"
			iops[key, p] = val[c, j, "iops"]
			mbps[key, p] = val[c, j, "mbps"]
		}
	}
	END {
		printf "  %-34s %9s %9s %9s %9s\n", "case / disk", "seq MB/s",
		       "seq IOPS", "rand MB/s", "rand IOPS"
		for (i = 1; i <= nk; i++)
			printf "  %-34s %9.2f %9.0f %9.2f %9.0f\n", label[order[i]],
			       mbps[order[i], "s"], iops[order[i], "s"],
			       mbps[order[i], "r"], iops[order[i], "r"]
		for (c in on) {
			a = on[c]
			b = off[c]
			if (b != "" && iops[b, "s"] > 0 && iops[b, "r"] > 0)
				printf "  %s: IOPS behind the vIOMMU / kept out: seq %.2f, rand %.2f\n",
				       c, iops[a, "s"] / iops[b, "s"],
				       iops[a, "r"] / iops[b, "r"]
		}
	}' "$out"/blk-console-*.log
if [ -n "$todo" ]; then
	echo "bench: no numbers from$todo after 3 attempts" >&2
	exit 1
fi
