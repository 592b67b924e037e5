/*
 * sw_limits.h - every bound spanwatch puts on memory and work, in one place.
 *
 * Anything that grows with what arrives on the wire is capped here.  When a
 * cap is hit the oldest or newest item is dropped and a counter says so
 * (shown by `spanwatch status` / the daemon's summary), never a crash.
 * Each value says why it is what it is.  Sizes fixed by a protocol's
 * specification (a TLS record, an IEC 104 APDU, a Modbus read) stay as
 * named constants in their dissector: they are facts, not choices.
 */
#ifndef SW_LIMITS_H
#define SW_LIMITS_H

/* Decoding */
#define MAX_LAYERS		16	/* VLAN tags + IPv6 ext headers + tunnels per frame */
#define MAX_IPV6_EXT		8	/* IPv6 extension headers walked before giving up */

/* Flow table (packet/flow.c) */
#define FLOW_MAX_DEFAULT	65536	/* flows tracked; LRU-evicted beyond, counted in flows_evicted */
#define FLOW_IDLE_TCP_S		300	/* established TCP flow idle timeout */
#define FLOW_IDLE_TCP_CLOSED_S	10	/* after FIN/RST in both directions */
#define FLOW_IDLE_UDP_S		60	/* UDP and other datagram flows */
#define FLOW_PROBE_PKTS		8	/* payload packets a flow may spend finding its dissector */
#define DISS_MAX_TRIES		4	/* dissectors one segment is handed to when each says not mine (port 102:
					 * S7comm, then MMS; two spare); each counted in flows.dissector_rebinds,
					 * a segment all of them refused in flows.dissector_tries_exhausted */
#define CONV_AGG_MAX		16384	/* conversations summed between flushes (power of two, ~150 B each); beyond, sent unsummed */
#define OPAGG_MAX		2048	/* (client, server, protocol, kind) operation sums between flushes (power of two,
					 * ~600 B each); beyond, operations go to the queue unsummed */
#define OPAGG_ITEMS		6	/* distinct details kept per sum; more are counted ("+N more") */
#define OPAGG_ITEM_MAX		72	/* bytes of one detail kept in a sum */
#define OP_BURST_GAP_S		600	/* silence after which the next request of a (client, server, kind) starts a new event */
#define FLOW_REPORT_US		(60ull * 1000000)	/* a live flow's traffic reaches the store at most every minute */
#define FLOW_EXPIRE_EVERY_US	100000	/* age flows every 100 ms of packet time... */
#define FLOW_EXPIRE_MAX		512	/* ...at most this many at a time, so the reports they
					 * send never flood the observation queue */

/* TCP reassembly (packet/reasm.c) */
#define REASM_MAX_DIR		65536	/* bytes buffered per TCP direction before the stream resets */
#define REASM_MAX_OOO		8	/* out-of-order segments held per direction */
#define REASM_MAX_TOTAL		(64u << 20) /* bytes buffered over all flows; beyond, streams reset */

/* Observations (core/obsq.c) */
#define OBS_VAL_MAX		512	/* bytes of one observed value (longer values are cut) */
#define OBS_PROTO_MAX		48	/* bytes of an application protocol name (nDPI "TLS.Google") */
#define OBS_VAL_MAX_FMT		256	/* diss_factf formatting buffer */
#define OBSQ_MAX		16384	/* observations queued between flushes; beyond, dropped + counted */

/* Store (store/) */
#define STORE_FLUSH_MS_DEFAULT	1000	/* default batch interval */
#define STORE_FLUSH_OBS_DEFAULT	8192	/* flush early when this many observations wait */
#define STORE_FLUSH_OBS_MAX	(OBSQ_MAX / 2)	/* flush_max_obs at most: the rest of the queue is the headroom
					   for what arrives before the flush (-r: FILE_STEP packets' worth) */
#define EVENT_DETAIL_MAX	400	/* bytes of an event's detail ("a; b; +N more") */
#define EVENT_DETAIL_ITEMS	12	/* distinct details listed in one event */
#define EVENT_NEW_GRACE_S	600	/* what an asset does in its first 10 min is its discovery: no new_client/new_service */
#define ASSET_MAX_DEFAULT	100000	/* assets kept in memory caches */
#define STORE_WRITE_BUSY_MS	200	/* the daemon waits this long for a lock held elsewhere, then backs off */
#define EXPORT_CURSOR_BUSY_MS	10000	/* an export waits this long to store its cursor (off the capture thread) */
#define STORE_RETRY_FIRST_MS	1000	/* first retry after a failed batch; doubles per failure */
#define STORE_RETRY_MAX_MS	60000	/* ... up to this; the queue meanwhile fills, then drops + counts */
#define STORE_FILE_TRIES	4	/* -r: attempts at a locked database before giving up (exit 3) */
#define STORE_MAX_DB_MB_DEFAULT	512	/* database budget: half the 1 GiB disk of the smallest deployment */
#define STORE_PRUNE_AT_PCT	90	/* pruning starts when the used pages reach this share of the budget */
#define STORE_PRUNE_TO_PCT	80	/* ... and stops below this one */
#define STORE_PRUNE_ROWS	1000	/* assets (or 10x events) deleted per pruning step */
#define STORE_EVENT_KEEP_DAYS_DEFAULT 180 /* events older than this (packet time) are deleted */
#define STORE_MAINT_EVERY_S	60	/* retention runs at most this often (wall clock) */
#define ANNOTATION_FIELD_MAX	1024	/* bytes of one operator annotation field as stored (escaped, NUL
					 * included): a name or zone takes tens, a note a paragraph; longer:
					 * `spanwatch annotate` refuses it, naming the field and this limit */

/* Floods of new senders (store/flood.c) */
#define FLOOD_BURST_DEFAULT	1024	/* new assets admitted at once (a first start on a plant) */
#define FLOOD_RATE_DEFAULT	120	/* ... then this many a minute; beyond, a flood: held back */
#define FLOOD_FIRST_START_BURST	16384	/* new assets at once on a database without any: a plant's first start */
#define FLOOD_FIRST_START_S	600	/* ... for this long (packet time) from the first one; then new_assets_burst */
#define FLOOD_PROMOTE_S		30	/* a held sender seen sending this long after its first frame is real */
#define FLOOD_LOOKBACK_S	10	/* at a flood's start, unvouched assets this recent are taken back */
#define FLOOD_QUIET_S		300	/* a flood ends after this long without a held sender */
#define FLOOD_TRANSIENT_MAX	65536	/* held senders kept in memory (4-way sets); beyond, the oldest forgotten + counted */

/* Dissector-specific bounds */
#define DISS_MAX_ITEMS		256	/* TLVs / options / objects walked in one PDU */
#define DISS_MAX_FRAGMENT	65536	/* application-layer reassembly (DNP3 transport, ...) */
#define S7_SZL_MAX		2048	/* bytes of one fragmented S7comm SZL answer reassembled per flow */
#define ENIP_MAX_PENDING	8	/* CIP requests awaiting a reply per EtherNet/IP flow (oldest overwritten) */
#define ENIP_MSP_OPS		4	/* operations of one Multiple_Service_Packet whose outcome is kept (more: reported, outcome unknown) */
#define HTTP_HDR_MAX		16384	/* bytes of one HTTP header block awaited; beyond, the flow is dropped */
#define HTTP_LINE_MAX		1024	/* bytes of one HTTP header line looked at (longer are cut) */
#define HTTP_MAX_HEADERS	128	/* header lines per message */
#define HTTP_TITLE_LOOK		2048	/* bytes of an HTML body searched for <title> */
#define TEXT_VAL_MAX		256	/* bytes kept of a header / banner value */
#define TLS_HS_MAX		32768	/* bytes of one TLS handshake message reassembled per direction */
#define DNS_MAX_JUMPS		16	/* compression pointers followed in one DNS name */
#define DNS_NAME_MAX		255	/* bytes of a decoded DNS name (RFC 1035) */
#define DNS_MAX_RECORDS		64	/* questions or answers read from one DNS message; beyond, records_cut */
#define MODBUS_MAX_PENDING	32	/* Modbus requests awaiting a reply per flow (oldest overwritten) */
#define IEC104_MAX_PENDING	8	/* IEC 104 commands awaiting their confirmation per flow (oldest overwritten, counted) */
#define MODBUS_MAX_UNITS	8	/* unit ids per flow whose identity registers are tracked (least recent reused, counted) */
#define MODBUS_REGS_MAX_FLOWS	4096	/* flows holding register state at once (~3.8 KiB each); beyond, counted in regs_refused */
#define SUNSPEC_MAX_MODELS	32	/* SunSpec model headers walked per base and unit */
#define REGMAP_MAX_MAPS		16	/* vendor register maps (oui/registers.map) */
#define REGMAP_MAX_ROWS		128	/* rows over all maps */
#define REGMAP_MAX_VALUES	512	/* u16 code -> text entries over all rows */
#define REGMAP_MAX_RELOADS	16	/* changed register maps installed since start (kept: threads read them) */
#define C37_MAX_PMUS		64	/* PMUs read from one C37.118 configuration frame */
#define C37_MAX_CHANNELS	256	/* channel names read per PMU */
#define OP_PEND_MAX		16	/* operation requests awaiting their reply per flow (S7, MMS, BACnet); oldest dropped + counted */
#define OP_DETAIL_MAX		96	/* bytes of one operation's detail built by a dissector ("g12v1 index 3-5 +2"):
					 * OPAGG_ITEM_MAX keeps 72 of it, the rest is room to cut at a boundary */
#define FP_MAX_VALUES		128	/* TLS ciphers / extensions / groups kept per hello for JA3/JA4: real
					 * clients send under 80; GREASE-padded ones stay well below */
#define FP_TEXT_MAX		2048	/* bytes of a JA3 / JA4 text before it is hashed: a hostile hello of
					 * FP_MAX_VALUES five-digit values can need ~2,800; longer: that
					 * fingerprint is left out, counted in tls.fingerprints_too_long */
#define BACNET_MAX_DEPTH	8	/* opening/closing tag nesting skipped; real services nest 2-3; deeper: malformed */
#define UA_MAX_DIAG_DEPTH	4	/* OPC UA DiagnosticInfo nesting followed (the spec allows recursion; 4 covers
					 * every stack seen, each level costs stack) */
#define UA_MAX_ENDPOINTS	8	/* endpoints of one GetEndpoints answer looked at: a server lists one per
					 * security mode (<= 6); later ones repeat the certificate */
#define UA_SUBJECT_MAX		256	/* bytes of a certificate subject built ("CN=..., O=..."), as TEXT_VAL_MAX */
#define SSH_PRE_LINES		8	/* lines before the SSH banner tolerated (RFC 4253 4.2 allows some; servers
					 * send none or one); more: not SSH */
#define OID_STRLEN		160	/* bytes of a dotted SNMP OID built: the sysObjectID of any vendor fits in 60 */

/* Tables loaded at start and on SIGHUP (ident/, core/regmap.c): each is 2-10x the rows shipped */
#define FPR_LINE_MAX		4096	/* bytes of one fingerprint rule line (the longest shipped is ~200) */
#define FPR_ID_MAX		64	/* bytes of a rule id */
#define FPR_FIELD_MAX		64	/* bytes of an output field name */
#define FPR_VAL_MAX		256	/* bytes of one expanded output value, as TEXT_VAL_MAX */
#define FPR_MATCH_LIMIT		100000	/* PCRE2 backtracking budget per match: a bad rule costs ~1 ms, not a hang */
#define FPR_DEPTH_LIMIT		10000	/* PCRE2 recursion depth per match, for the same reason */
#define RISK_MAX_COUNTRIES	32	/* [country] sections of the risk policy (a policy names a handful) */
#define RISK_MAX_SUPPLIERS	128	/* [supplier] sections */
#define RISK_MAX_ACCEPTS	1024	/* [accept] sections: one per accepted asset or vendor of a large site */
#define RISK_MAX_REASONS	16	/* reasons kept per verdict; one vendor row and its services give well under */
#define RISK_TEXT_MAX		512	/* bytes of one policy sentence (reason, justification) */
#define CC_ADDR_MAX		511	/* bytes of an OUI registry address looked at for its country */
#define CC_WORDS_MAX		64	/* words of that address looked at; real ones have < 20 */
#define RM_LINE_MAX		512	/* bytes of one registers.map line */
#define RM_FILE_MAX		(1u << 20)	/* bytes of registers.map read: the shipped file is ~3 KiB */
#define VID_MAX_ENTRIES		8192	/* vendor ids per table (CIP, BACnet, PROFINET: each registry has < 2000);
					 * more: the file does not load (its file:line), a reload keeps the old tables */
#define VID_NAME_MAX		96	/* bytes of one vendor-id name kept (as OUI_ORG_MAX); the names cut
					 * are counted in tables.vendor_id_names_cut */
#define VID_LINE_MAX		512	/* bytes of one vendor-id line; a longer one is an error */
#define OUI_ORG_MAX		96	/* bytes of an IEEE registry organisation name kept, NUL included (the
					 * longest in Debian 12's ieee-data is 108: two names are cut, the maker
					 * still reads, as VID_NAME_MAX); counted in tables.oui_names_cut */
#define VENDOR_MAX_ROWS		4096	/* vendor table rows, shipped and local (~130 shipped) */
#define VENDOR_FIELD_MAX	128	/* bytes of a vendor row's name, parent or listings (a source: twice);
					 * the longest shipped is 41; longer: the file does not load (file:line) */
#define VENDOR_MAX_ALIASES	16	/* aliases per vendor row (the most shipped is 7) */
#define SERVICE_MAX_ROWS	2048	/* service table rows, shipped and local (~45 shipped) */
#define SERVICE_FIELD_MAX	128	/* bytes of a service row's pattern, service or vendor (a source: twice);
					 * longer: the file does not load (file:line) */

/* nDPI classification (packet/classify.c) */
#define CLASSIFY_MAX_LIVE	16384	/* flows holding nDPI state at once (~0.7 KB each); beyond, not classified + counted */
#define CLASSIFY_MAX_PKTS	24	/* packets fed to nDPI per flow before it must give up (guessing by port) */
#define CLASSIFY_MAX_NAMES	512	/* distinct protocol / category names interned (OBS_PROTO_MAX bytes each) */

/* Control socket */
#define CTL_MAX_CLIENTS		16
#define CTL_MAX_LINE		256

/* Fact cache (packet/factcache.h): suppresses repeats of one observation */
#define FACT_CACHE_SLOTS	32768		/* slots (4-way sets), power of two; an eviction only costs a duplicate */
#define ADDR_MEMO_SLOTS		1024	/* recent senders remembered before the fact cache (48 KiB; power of two) */
#define FLOW_FACT_MEMO		8	/* per flow: hashes of the facts it reported lately */
#define FACT_REFRESH_US		(300ull * 1000000)	/* re-send a repeated fact after 5 min */

/* Asset model (store/) */
#define GW_MIN_IPS		3	/* IPv4 sources behind one MAC within GW_WINDOW_S: a gateway */
#define GW_WINDOW_S		600
#define ACACHE_SLOTS		65536	/* asset-id cache slots, power of two; collisions overwrite */
#define SITE_NETS_MAX		64	/* [site] networks entries */
#define ASINFO_NAME_MAX		128	/* bytes of an AS name kept from libloc, NUL included; longer are cut,
					 * as OUI_ORG_MAX (the name only labels the owner shown) */
#define EP_MEMO_SLOTS		4096	/* external addresses remembered (endpoint id, asset or not); power of two */
#define PDNS_MAX		100000	/* passive DNS rows (asset, name, address); the least recently seen go, counted */
#define PDNS_CHECK_EVERY	1024	/* answers stored between checks of that bound */
#define STORE_RISK_MAX		16384	/* assets a batch re-evaluates at its end (~40 B each); a batch of
					 * OBSQ_MAX observations rarely touches more, and when it nears
					 * this the verdicts are given early, counted in risk_early */
#define STORE_RISK_HEADROOM	64	/* ... that early: more than one observation ever touches */
#define ASSESS_MAX_EVIDENCE	64	/* evidence rows the risk verdict reads per asset; assets carry 5-30 */
#define CATEGORY_MAX_FACTS	64	/* facts read per asset for its category; the rest cannot change the answer much */
#define EP_ASSESS_NAMES		256	/* names an asset resolved, matched against the service table per verdict */
#define EP_MAX_ROWS		64	/* Internet endpoints of one asset a verdict judges, the most bytes first: an
					 * OT device talks to a handful; more: counted in store.risk_endpoints_cut */
#define EP_MAX_EXPOSURE		2	/* "exposed to the Internet" reasons one verdict lists: the level is the same
					 * with more, and two say what it is */
#define SILENT_EVERY_S		60	/* packet time between two asset_silent sweeps: silence is hours, a minute is plenty */
#define SILENT_MAX		1000	/* asset_silent events one sweep writes; the rest the next sweep (one batch stays short) */
#define PRUNE_ROUNDS		64	/* pruning steps (STORE_PRUNE_ROWS each) per maintenance run: bounds its time */
#define BUSY_TIMEOUT_MS		5000	/* a reader (the CLI) waits this long for the writer's lock: a batch takes < 1 s */
#define STORE_TOUCH_SLOTS	8192	/* assets whose last_seen a batch moves, written at its end (power of two, <= 65536) */
#define EVID_CACHE_SLOTS	16384	/* evidence rows known to exist (power of two; ~250 B each); collisions overwrite */
#define EVID_KEY_MAX		192	/* attribute, value and source of a cached row (longer: not cached) */
#define EVID_PENDING_MAX	4096	/* sightings of known rows held for the batch's end; at the cap written
					 * early, counted in evidence_flushed_early */

/* Daemon loop (daemon/main.c, ctl.c, fwd.c) */
/* Workers (packet/workers.c) */
#define WORKERS_MAX		16	/* [capture] workers, -w */
#define WORKER_RING_BYTES	(8u << 20)	/* packets waiting for one worker (power of two); live: beyond, dropped + counted */
#define OUI_CACHE_MAX_ENTRIES	(1u << 20)	/* registry cache (DB.oui) entries; a file claiming more is stale */
#define OUI_CACHE_MAX_POOL	(64u << 20)	/* ... and bytes of names */
#define WORKER_AHEAD_LOSSLESS	FILE_CHUNK	/* -r: packets the reader may be ahead of a worker (the flush's headroom holds a chunk's) */
#define WORKERS_COUNTERS_MAX	512	/* counter names summed over the workers */

#define FILE_CHUNK		1024	/* packets read per loop turn from a file */
#define FILE_STEP		64	/* ... in steps of this many, the queue looked at between two: flushed at
					   flush_max_obs, it cannot fill (OBSQ_MAX - STORE_FLUSH_OBS_MAX of headroom) */
#define FILE_FLUSH_PACKETS	(1u << 20)	/* -r: packets between store flushes, in place of the wall-clock timer, so two
					   reads of a file give the same database (a multiple of FILE_CHUNK).
					   Large, so busy traffic is batched by the queue (flush_max_obs): each
					   batch re-judges the assets it touched, and 65,536 cost the 1M-packet
					   plant 0.70 s CPU against 0.49 s */
#define CAPTURE_FILE_BUF	(1u << 20)	/* stdio buffer for reading a capture file */
#define PCAPFILE_BUF		(1u << 20)	/* bytes read at once from a pcap file (packet/pcapfile.c) */
#define PCAPNG_BLOCK_MAX	(16u << 20)	/* a pcapng block larger than this is refused as lying */
#define PCAPNG_IF_MAX		256	/* interfaces per pcapng section */
#define PCAPNG_OPTIONS_MAX	64	/* options read per interface block */
#define CAPTURE_FILES_MAX	256	/* files one -r run reads (several -r, or a directory) */
#define EXPORT_RETRY_MIN_S	300	/* a failed scheduled export is tried again after this (export_retry_s), */
#define EXPORT_RETRY_MAX_S	3600	/* doubling up to this */
#define CTL_MAX_OUT		(256 * 1024)	/* control-socket answer bytes a client has not read yet */
#define FWD_MSG_MAX		8192	/* bytes of one syslog message: rsyslog's default maximum */
#define FWD_CHUNK		65536	/* bytes handed to the socket at a time, so a backlog never stalls the loop */
#define CEF_NAME_MAX		256	/* bytes of an event's detail kept as the CEF name (ArcSight's limit is 512; msg has it all) */
#define FWD_SPOOL_MAX_DEFAULT	(64u << 20)	/* syslog backlog kept while the collector is away */
#define FWD_DRAIN_MS		3000	/* on exit, time a reachable collector gets to take the backlog */
#define FWD_LINK_QUEUE_BYTES	(4u << 20)	/* events waiting for the forwarder process to take them; beyond, dropped + counted */
#define FWD_REPORT_MS		250	/* the forwarder tells the sensor its counters at most this often */
#define FWD_RESTART_MAX_S	30	/* a forwarder that keeps dying is started again after 1 s, doubling up to this */

/* The CLI (cli/): what one command reads or draws */
#define BUSY_TRIES		10	/* whole-command runs on SQLITE_BUSY (about 6 s in all, then exit 3) */
#define BUSY_SLEEP_MAX		1000000	/* longest back-off between two of those runs, microseconds */
#define TABLE_MAX_COLS		32	/* columns of a table: more than any command prints */
#define STATUS_MAX_BYTES	(1 << 20)	/* a status answer read: far above any (CTL_MAX_OUT) */
#define OUI_MAX_LINE		4096	/* bytes of one IEEE registry record, possibly over several lines */
#define OUI_MAX_LINES		8	/* lines one quoted field may span (addresses span 2-3) */
#define MAP_NODE_MAX		4096	/* nodes the map draws (Graphviz's layout time grows fast beyond); counted in the legend */
#define REPORT_EVENTS_MAX	500	/* changes, and operations, the report lists; the rest counted */
#define REPORT_PEERS_MAX	12	/* OT peers listed per asset in the report */
#define REPORT_CHART_BARS	12	/* bars per chart; the rest summed as "other" */

#endif
