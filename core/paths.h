/*
 * paths.h - every default path, in one table: the configuration's
 * defaults (core/config.c), the daemon, the CLI and the export use these
 * names, and tests/test_paths.c checks that the man pages
 * (docs/man/spanwatchd.8, spanwatch.1, spanwatch.conf.5) and the shipped
 * configuration (packaging/spanwatch.conf) say the same.
 *
 * SW_SYSCONFDIR and SW_DATADIR come from the Makefile (PREFIX); the
 * state and run directories are the systemd units' (StateDirectory,
 * RuntimeDirectory) and do not move with PREFIX.
 */
#ifndef SW_PATHS_H
#define SW_PATHS_H

#ifndef SW_SYSCONFDIR
#define SW_SYSCONFDIR	"/usr/local/etc/spanwatch"
#endif
#ifndef SW_DATADIR
#define SW_DATADIR	"/usr/local/share/spanwatch"
#endif

#define SW_STATEDIR		"/var/lib/spanwatch"
#define SW_RUNDIR		"/run/spanwatch"

#define PATH_CONFIG		SW_SYSCONFDIR "/spanwatch.conf"
#define PATH_RISK_POLICY	SW_SYSCONFDIR "/risk.conf"
#define PATH_DB			SW_STATEDIR "/spanwatch.db"
#define PATH_CONTROL_SOCKET	SW_RUNDIR "/spanwatchd.sock"
#define PATH_OUI_DIR		"/usr/share/ieee-data"		/* Debian's ieee-data */
#define PATH_OUI_OVERRIDE	SW_STATEDIR "/oui-override.csv"
#define PATH_EXPORT_DIR		SW_STATEDIR "/exports"
#define PATH_FWD_SPOOL		SW_STATEDIR "/forward.spool"
#define PATH_VENDORS		SW_DATADIR "/vendors.csv"
#define PATH_SERVICES		SW_DATADIR "/services.csv"
#define PATH_FP_RULES		SW_DATADIR "/fingerprints.rules"
#define PATH_REGISTERS_MAP	SW_DATADIR "/registers.map"

#endif
