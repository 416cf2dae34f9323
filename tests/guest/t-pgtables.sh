# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# kpkeys_hardened_pgtables: on whenever kpkeys has a backend, unless the
# command line turns it off (kpkeys.hardened_pgtables=off) or the linear map
# cannot be keyed (rodata=on|off); batching on unless kpkeys.batching=off.
# On x86-64 the boot also keys the roots the walk of init_mm does not
# reach (page-table isolation's user PGD, poking_mm, the real-mode
# trampoline's PGD), and under PKS every
# page-table write outside the guard faults: the workloads prove the
# guards.
# Under load (the mm workloads on 64 MiB) the console must stay clean (the
# host checks it), and a fork of a 64 MiB populated mapping must cost a
# bounded number of level switches per lazy MMU section with batching, and
# two per page-table write without, as counted by the kernel's kpkeys
# counters (CONFIG_KPKEYS_COUNTERS).

KP=/sys/kernel/kpkeys
CTR=/sys/kernel/debug/kpkeys/counters

if [ ! -e $KP/hardened_pgtables ]; then
	skip pgtables "kernel without kpkeys_hardened_pgtables ($(uname -r))"
else
	cmdline=" $(cat /proc/cmdline) "
	pt_want=on
	[ "$(cat $KP/mode)" = off ] && pt_want=off
	case "$cmdline" in
	*" kpkeys.hardened_pgtables=off "*|*" rodata=on "*|*" rodata=off "*)
		pt_want=off ;;
	esac
	b_want=$pt_want
	case "$cmdline" in *" kpkeys.batching=off "*) b_want=off ;; esac

	t_pgtables_state() {
		s=$(cat $KP/hardened_pgtables)
		echo "hardened_pgtables $s, expected $pt_want"
		[ "$s" = $pt_want ]
	}
	check pgtables-state t_pgtables_state
	t_pgtables_batching_state() {
		s=$(cat $KP/batching)
		echo "batching $s, expected $b_want"
		[ "$s" = $b_want ]
	}
	check pgtables-batching-state t_pgtables_batching_state
	if [ $pt_want = on ]; then
		# Every table that existed at boot was keyed.
		t_pgtables_boot_line() {
			dmesg | grep "kpkeys: hardened page tables on, batching $b_want: .*, 0 mappings left unkeyed\$"
		}
		check pgtables-boot-line t_pgtables_boot_line
		if [ "$(uname -m)" = x86_64 ]; then
			pti=off
			grep -qw pti /proc/cpuinfo && pti=on
			t_pgtables_boot_roots() {
				dmesg | grep "kpkeys: hardened page tables: [0-9]* more page-table pages keyed (page-table isolation $pti, poking_mm, real-mode trampoline), 0 mappings left unkeyed\$"
			}
			check pgtables-boot-roots t_pgtables_boot_roots
		fi
	else
		t_pgtables_boot_line() {
			dmesg | grep 'kpkeys: hardened page tables off: '
		}
		check pgtables-boot-line t_pgtables_boot_line
	fi

	# fork, munmap, mprotect, mremap, madvise(MADV_DONTNEED), clear_refs on 64 MiB
	check pgtables-mm-workload mmwork all -q -s 64M
	# No table handed out unkeyed (x86-64: an atomic allocation that found
	# the cache empty). (pgtable_cache_refused is not 0 after the KUnit
	# case that forges the cache.)
	if [ $pt_want = on ] && [ -r $CTR ]; then
		t_pgtables_none_unkeyed() {
			grep '^pgtable_unkeyed ' $CTR
			grep -qx 'pgtable_unkeyed 0' $CTR
		}
		check pgtables-none-unkeyed t_pgtables_none_unkeyed
	fi

	if [ $pt_want = off ]; then
		skip pgtables-fork-switches "hardened page tables are off on this boot"
	elif [ ! -r $CTR ]; then
		skip pgtables-fork-switches "no $CTR (CONFIG_KPKEYS_COUNTERS)"
	else
		# pgt_counters WORKLOAD CHECKS: mmwork WORKLOAD -c on 64 MiB, its
		# counters line read by awk into c[NAME] and w (page-table writes),
		# s (switches), b (lazy sections), p (their pauses), u (writes
		# outside a section), batching (on/off); then the awk CHECKS,
		# which print FAIL: ... and exit 1. No counters line fails.
		pgt_counters() {
			mmwork $1 -q -c -s 64M | awk -v batching=$b_want '
			/ counters / {
				for (i = 4; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
				w = c["pgtable_writes"]; s = c["switches"]; b = c["batches"]; p = c["batch_pauses"]
				u = w - c["switches_skipped"]
				found = 1
				'"$2"'
			}
			END { if (!found) { print "FAIL: no counters line from mmwork"; exit 1 } }'
		}
		# One fork (and the child's exit) of a 64 MiB PTE-mapped region:
		# 16384 PTEs copied, write-protected in the parent and zapped.
		t_pgtables_fork_switches() {
			pgt_counters fork '
				printf "batching %s: %d page-table writes, %d level switches (%.3f per write), %d lazy sections (%.2f switches per section, %d pauses), %d writes outside a section, %d syncs, %d elided\n", batching, w, s, s / (w ? w : 1), b, (b ? s / b : 0), p, u, c["syncs"], c["syncs_elided"]
				if (w < 3 * 16384) { print "FAIL: expected at least 3 x 16384 page-table writes"; exit 1 }
				if (batching == "on") {
					if (b < 32) { print "FAIL: expected at least 32 lazy sections"; exit 1 }
					if (u * 100 > w) { print "FAIL: more than 1% of the writes outside a section"; exit 1 }
					# a pause (the exit zap allocating a gather batch) is a drop and a raise
					if (p > 40) { print "FAIL: more than 40 section pauses"; exit 1 }
					if (s > 2 * (b + p) + 2 * u) { print "FAIL: more than 2 switches per section or pause"; exit 1 }
				} else {
					if (b != 0) { print "FAIL: lazy sections raised the level with batching off"; exit 1 }
					if (s < 2 * w) { print "FAIL: expected 2 switches per write"; exit 1 }
				}
			'
		}
		check pgtables-fork-switches t_pgtables_fork_switches
		# Ageing a 64 MiB touched mapping through /proc/self/clear_refs:
		# one write per young PTE, batched per PTE table like mprotect.
		t_pgtables_clear_refs_switches() {
			pgt_counters clearrefs '
				printf "batching %s: %d page-table writes, %d level switches, %d lazy sections, %d writes outside a section\n", batching, w, s, b, u
				if (w < 16384) { print "FAIL: expected at least 16384 page-table writes"; exit 1 }
				if (batching == "on") {
					if (u * 100 > w) { print "FAIL: more than 1% of the writes outside a lazy section"; exit 1 }
					if (s * 50 > w) { print "FAIL: more than 1 switch per 50 writes"; exit 1 }
				} else if (s < 2 * w) { print "FAIL: expected 2 switches per write"; exit 1 }
			'
		}
		check pgtables-clear-refs-switches t_pgtables_clear_refs_switches
		# mremap of 64 MiB, PMD-aligned: 32 PTE tables moved whole, each
		# a clear of the old PMD entry and a write of the new one. With
		# batching the pair shares one lazy section.
		t_pgtables_mremap_pmd_move_switches() {
			pgt_counters mremap '
				printf "batching %s: %d page-table writes, %d level switches, %d lazy sections, %d writes outside a section\n", batching, w, s, b, u
				if (w < 64) { print "FAIL: expected at least 64 page-table writes (32 PMD moves)"; exit 1 }
				if (batching == "on") {
					if (b < 32) { print "FAIL: expected a lazy section per PMD moved"; exit 1 }
					# the new tables of the target are linked on their own (a few writes)
					if (u >= 16) { print "FAIL: PMD moves wrote outside a lazy section"; exit 1 }
					if (s > 2 * (b + p) + 2 * u) { print "FAIL: more than 2 switches per section"; exit 1 }
				} else if (s < 2 * w) { print "FAIL: expected 2 switches per write"; exit 1 }
			'
		}
		check pgtables-mremap-pmd-move-switches t_pgtables_mremap_pmd_move_switches
	fi
fi
