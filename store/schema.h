/*
 * schema.h - numbered schema migrations (see schema.c).
 */
#ifndef SW_SCHEMA_H
#define SW_SCHEMA_H

int		 schema_version(void);		/* the version this code writes */
const char	*schema_migration(int to_version);	/* SQL taking to_version-1 to to_version */

#endif
