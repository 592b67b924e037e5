/*
 * config.h - spanwatch.conf: INI, one table of keys (config.c).
 *
 * Adding a setting is one field here and one line in the key table.
 * A bad line is an error naming the file and line; SIGHUP re-reads the
 * file and keeps the old settings if the new file is bad.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "paths.h"

#define CONFIG_DEFAULT	PATH_CONFIG
#define CFG_STR		512
/* Smallest [daemon] memory_max: below it nDPI and SQLite alone do not fit. */
#define MEMORY_MAX_MIN	(64ULL << 20)

struct config {
	char	 path[CFG_STR];		/* the file read, "" for built-in defaults */
	/* [capture] */
	char	 interface[64];
	char	 bpf[CFG_STR];
	int	 buffer_mb;		/* kernel capture buffer */
	int	 snaplen;
	int	 workers;		/* packet-path threads (1: the pipeline runs in the main loop) */
	/* [store] */
	char	 database[CFG_STR];
	bool	 database_set;		/* given in the file (so -r stores too) */
	int	 flush_interval_ms;
	int	 flush_max_obs;
	int	 max_db_mb;		/* database budget (0: none) */
	int	 event_keep_days;	/* events older are deleted (0: kept) */
	int	 new_assets_burst;	/* flood handling: new assets at once ... */
	int	 new_assets_per_min;	/* ... and a minute (0: no flood handling) */
	int	 first_start_burst;	/* ... at once on a database without assets (a first start) */
	/* [limits] */
	int	 flows_max;
	/* [daemon] */
	char	 user[64];
	char	 control_socket[CFG_STR];
	bool	 control_socket_set;	/* given in the file (so -r opens it too) */
	int	 log_level;		/* enum log_level: -v adds to it */
	char	 memory_max[16];	/* systemd MemoryMax= ("1G"), set by spanwatch-generator */
	/* [ndpi] */
	bool	 ndpi;
	/* [oui] */
	char	 oui_dir[CFG_STR];
	char	 oui_override[CFG_STR];
	/* [risk] */
	char	 risk_policy[CFG_STR];
	char	 vendors[CFG_STR];
	char	 local_vendors[CFG_STR];
	char	 services[CFG_STR];		/* the service table, "" = shipped oui/services.csv */
	char	 local_services[CFG_STR];	/* operator's rows over it */
	/* [site] */
	char	 site_networks[CFG_STR];	/* "" = RFC 1918, RFC 6598, link-local, ULA */
	char	 location_db[CFG_STR];		/* libloc database, "" = /var/lib/location/database.db */
	/* [export] */
	char	 sensor_name[128];
	char	 site[128];
	char	 export_at[8];		/* "HH:MM" local time, "" = not scheduled */
	char	 export_dir[CFG_STR];
	char	 export_formats[64];	/* "ecs,cef,csv" */
	int	 export_keep_days;
	int	 export_retry_s;	/* first retry after a failed scheduled export, doubling */
	/* [forward] */
	char	 fwd_host[256];
	int	 fwd_port;
	bool	 fwd_tls;
	char	 fwd_ca_file[CFG_STR];
	char	 fwd_cert_file[CFG_STR];
	char	 fwd_key_file[CFG_STR];
	char	 fwd_spool[CFG_STR];
	int	 fwd_spool_max_mb;
	/* [events] */
	int	 events_learning_h;	/* learning period (baseline), hours of packet time; 0: none */
	int	 events_silent_h;	/* asset_silent after this many hours unseen; 0: never */
	char	 events_severity[CFG_STR];	/* "operation=8, asset_new=3, ..." over the defaults */
};

/* [daemon] log_level, in the order of the words the file takes. */
enum log_level { LOGLEVEL_INFO, LOGLEVEL_VERBOSE, LOGLEVEL_DEBUG };

void	 config_defaults(struct config *c);
/*
 * Read path over the defaults in c.  A missing file is an error only when
 * required.  On error returns -1 with "FILE:LINE: what is wrong" in err
 * and leaves c untouched.
 */
int	 config_load(struct config *c, const char *path, bool required, char *err, size_t errsz);
/*
 * For each key whose value differs between a and b (a reload), call cb
 * with "section.key" and both values as text.  Returns how many differ.
 */
typedef void (*config_diff_cb)(void *arg, const char *key, const char *was, const char *now);
int	 config_diff(const struct config *a, const struct config *b, config_diff_cb cb, void *arg);

/*
 * The keys that need a restart, not a reload: spanwatchd used them to open
 * the capture, the database, the control socket and the forwarder, or to
 * size its tables, before it dropped privileges.  "section." is a whole
 * section.  daemon.memory_max is systemd's (spanwatch-generator, at
 * daemon-reload).  The one list: the daemon's reload, and the man pages
 * (spanwatchd.8 SIGNALS, spanwatch.conf.5 RELOADING, checked by
 * tests/test_paths.c).  NULL-terminated.
 */
extern const char *const config_restart_keys[];
bool	 config_needs_restart(const char *key);	/* "section.key" */
/* A reload's configuration keeps the running value of every restart key. */
void	 config_keep_restart_keys(struct config *next, const struct config *run);

#endif
