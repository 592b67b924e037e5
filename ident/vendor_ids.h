/*
 * vendor_ids.h - numeric vendor ids of OT protocols mapped to names.
 *
 * EtherNet/IP-CIP (ODVA), BACnet (ASHRAE) and PROFINET (PI) identify the
 * maker of a device by a number.  The tables are CSV files shipped in
 * oui/ (installed to SW_DATADIR), loaded once at start-up into sorted
 * arrays.  Dissectors report the number; the store's ingest looks it up
 * in memory and adds the name.  Before vendor_ids_load() every lookup
 * returns NULL, and the number is then stored alone.
 */
#ifndef SW_VENDOR_IDS_H
#define SW_VENDOR_IDS_H

#include <stddef.h>
#include <stdint.h>

enum vid_table {
	VID_CIP,	/* cip_vendors.csv: ODVA vendor id (16 bit) */
	VID_BACNET,	/* bacnet_vendors.csv: ASHRAE vendor identifier */
	VID_PN,		/* pn_vendors.csv: PROFINET VendorID (16 bit, hex in the file) */
	VID_NTABLES
};

#define VID_MAX_ENTRIES	8192	/* per table; lines beyond are ignored */
#define VID_NAME_MAX	96	/* bytes of one vendor name kept */

/*
 * Load every table from dir, or when dir is NULL from $SW_DATADIR_OVERRIDE,
 * then SW_DATADIR, then ./oui.  Replaces what was loaded before.  Returns
 * the number of entries loaded over all tables (0 if no file was found).
 */
size_t	 vendor_ids_load(const char *dir);
void	 vendor_ids_free(void);
/* Name of vendor id in table t, or NULL when unknown / not loaded. */
const char *vendor_id_name(enum vid_table t, uint32_t id);

#endif
