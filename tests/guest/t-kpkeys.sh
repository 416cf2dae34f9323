# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# kpkeys mode: what /sys/kernel/kpkeys/mode and the boot log report must
# follow the command line (kpkeys=off|mock) and, without it, the hardware
# (poe when the CPUs have POE, else off).

if [ ! -d /sys/kernel/kpkeys ]; then
	skip kpkeys-mode "kernel without kpkeys ($(uname -r))"
else
	case " $(cat /proc/cmdline) " in
	*" kpkeys=off "*) want=off ;;
	*" kpkeys=mock "*) want=mock ;;
	*) if grep -qw poe /proc/cpuinfo; then want=poe; else want=off; fi ;;
	esac
	check kpkeys-mode-sysfs sh -c "m=\$(cat /sys/kernel/kpkeys/mode); echo \"mode \$m, expected $want\"; [ \"\$m\" = $want ]"
	check kpkeys-mode-boot-line sh -c "n=\$(dmesg | grep -c 'kpkeys: mode $want\$'); echo \"'kpkeys: mode $want' printed \$n time(s)\"; [ \$n -eq 1 ]"
	check kpkeys-mode-read-only sh -c '! echo mock 2>/dev/null > /sys/kernel/kpkeys/mode'
fi
