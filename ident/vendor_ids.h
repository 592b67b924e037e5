/*
 * vendor_ids.h - numeric vendor ids of OT protocols mapped to names.
 *
 * EtherNet/IP-CIP (ODVA), BACnet (ASHRAE) and PROFINET (PI) identify the
 * maker of a device by a number.  The tables are CSV files shipped in
 * oui/ (installed to SW_DATADIR), loaded at start-up and on SIGHUP
 * into sorted arrays.  Dissectors report the number; the store's ingest looks it up
 * in memory and adds the name.  Before tables are installed every lookup
 * returns NULL, and the number is then stored alone.
 */
#ifndef SW_VENDOR_IDS_H
#define SW_VENDOR_IDS_H

#include <stddef.h>
#include <stdint.h>
#include "sw_limits.h"

struct vendor_ids;

enum vid_table {
	VID_CIP,	/* cip_vendors.csv: ODVA vendor id (16 bit) */
	VID_BACNET,	/* bacnet_vendors.csv: ASHRAE vendor identifier */
	VID_PN,		/* pn_vendors.csv: PROFINET VendorID (16 bit, hex in the file) */
	VID_NTABLES
};


/*
 * The three tables, read from dir, or when dir is NULL from the first of
 * $SW_DATADIR_OVERRIDE, SW_DATADIR and ./oui that holds any of them.  All
 * three files must be there, every line must be "id,name", a comment or
 * blank, and a file may hold at most VID_MAX_ENTRIES ids; otherwise NULL
 * with "FILE: why" or "FILE:LINE: why" in err.
 */
struct vendor_ids *vendor_ids_read(const char *dir, char *err, size_t errsz);
size_t	 vendor_ids_count(const struct vendor_ids *v);	/* entries over all tables */
size_t	 vendor_ids_names_cut(const struct vendor_ids *v);	/* of those, names cut to VID_NAME_MAX */
void	 vendor_ids_close(struct vendor_ids *v);
/*
 * The tables vendor_id_name() answers from (NULL: none); returns the ones
 * installed before, for the caller to close.  Called on the thread that
 * names vendor ids (the store's, at ingest): a reload swaps all at once.
 */
struct vendor_ids *vendor_ids_install(struct vendor_ids *v);

/* Read and install in one step (tests): entries loaded, 0 on any error. */
size_t	 vendor_ids_load(const char *dir);
void	 vendor_ids_free(void);		/* close what is installed */
/* Name of vendor id in table t, or NULL when unknown / not loaded. */
const char *vendor_id_name(enum vid_table t, uint32_t id);

#endif
