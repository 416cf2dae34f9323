# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# kpkeys mode: what /sys/kernel/kpkeys/mode and the boot log report must
# follow the command line and, without it, the hardware. arm64: off|mock
# as asked, else poe when the CPUs have POE, else off. x86-64: off as
# asked, else pks when the CPUs have it; the arm64 modes are refused with
# one boot line and the default stays. Where the mode does not enforce,
# LKDTM's KPKEYS_WRITE_TEST_PAGE must say that the write was not stopped.

if [ ! -d /sys/kernel/kpkeys ]; then
	skip kpkeys-mode "kernel without kpkeys ($(uname -r))"
else
	cmdline=" $(cat /proc/cmdline) "
	refused=
	case "$(uname -m)" in
	x86_64)
		case "$cmdline" in
		*" kpkeys=off "*) want=off ;;
		*" kpkeys=mock "*|*" kpkeys=poe "*)
			refused=$(echo "$cmdline" | grep -o ' kpkeys=\(mock\|poe\) ' | tail -n 1 | cut -d= -f2 | tr -d ' ')
			want=pks ;;
		*) want=pks ;;
		esac
		[ "$want" = pks ] && ! grep -qw pks /proc/cpuinfo && want=off ;;
	*)
		case "$cmdline" in
		*" kpkeys=off "*) want=off ;;
		*" kpkeys=mock "*) want=mock ;;
		*) if grep -qw poe /proc/cpuinfo; then want=poe; else want=off; fi ;;
		esac ;;
	esac
	t_kpkeys_mode_sysfs() {
		m=$(cat /sys/kernel/kpkeys/mode)
		echo "mode $m, expected $want"
		[ "$m" = $want ]
	}
	check kpkeys-mode-sysfs t_kpkeys_mode_sysfs

	t_kpkeys_mode_boot_line() {
		n=$(dmesg | grep -c "kpkeys: mode $want\$")
		echo "'kpkeys: mode $want' printed $n time(s)"
		[ $n -eq 1 ]
	}
	check kpkeys-mode-boot-line t_kpkeys_mode_boot_line

	t_kpkeys_mode_read_only() {
		! echo mock 2>/dev/null > /sys/kernel/kpkeys/mode
	}
	check kpkeys-mode-read-only t_kpkeys_mode_read_only

	if [ -n "$refused" ]; then
		t_kpkeys_mode_refused_line() {
			dmesg | grep "kpkeys: mode \"$refused\""
			[ $(dmesg | grep -c "kpkeys: mode \"$refused\" is arm64's") -eq 1 ]
		}
		check kpkeys-mode-refused-line t_kpkeys_mode_refused_line
	fi

	# LKDTM where nothing enforces: one FAIL line, no oops (the enforcing
	# case is its own boot: the oops ends the task that wrote).
	L=/sys/kernel/debug/provoke-crash/DIRECT
	if [ ! -w $L ]; then
		skip kpkeys-lkdtm-unenforced "no LKDTM in this kernel"
	elif [ "$want" = pks ] || [ "$want" = poe ]; then
		skip kpkeys-lkdtm-unenforced "mode $want enforces: the host boots KPKEYS_WRITE_TEST_PAGE on its own"
	else
		t_kpkeys_lkdtm_unenforced() {
			echo KPKEYS_WRITE_TEST_PAGE > $L
			dmesg | grep 'lkdtm: .*test pkey' | tail -n 2
			case "$cmdline" in
			*" rodata=on "*) dmesg | grep -q 'lkdtm: XFAIL: cannot key a page with the test pkey' ;;
			*) dmesg | grep -q "lkdtm: FAIL: survived write to a page keyed with the test pkey: kpkeys mode $want enforces nothing" ;;
			esac
		}
		check kpkeys-lkdtm-unenforced t_kpkeys_lkdtm_unenforced
	fi
fi
