/*
 * fprules.h - fingerprint rules: regular expressions over extracted
 * evidence (an HTTP Server header, an SSH banner, a certificate subject,
 * an SNMP sysDescr...) that name vendor, product, version and device type.
 *
 * The rule file format is documented in docs/FINGERPRINTS.md.  Rules are
 * compiled once by fprules_load (PCRE2, JIT when available); matching never
 * compiles.  A pure library: it knows nothing of the store or the daemon.
 * To reload (SIGHUP), load a new set and swap it in only if it loaded;
 * then free the old one.
 */
#ifndef SW_FPRULES_H
#define SW_FPRULES_H

#include <stddef.h>
#include <stdint.h>

struct fprules;

/*
 * Load and compile a rule file.  On error returns NULL and writes
 * "FILE:LINE: message" (or "FILE: message") into err.
 */
struct fprules *fprules_load(const char *path, char *err, size_t errsz);

/* Same, from a string in memory (name is used in error messages). */
struct fprules *fprules_load_mem(const char *name, const char *text, char *err,
		    size_t errsz);

/* Number of rules loaded. */
size_t	 fprules_count(const struct fprules *r);

/*
 * Match one piece of evidence: attr ("software"), src ("http/server") and
 * its value (NUL-terminated, sanitised).  For every rule that matches,
 * emit is called once per attribute the rule sets ("vendor", "model",
 * "firmware", "device_type", "os") with the expanded value, the rule id
 * and the rule's confidence.  Safe to call from several threads on one
 * rule set.
 */
void	 fprules_match(const struct fprules *r, const char *attr, const char *src,
	    const char *value,
	    void (*emit)(void *arg, const char *attr, const char *value,
		const char *rule_id, uint8_t conf),
	    void *arg);

void	 fprules_free(struct fprules *r);

#endif
